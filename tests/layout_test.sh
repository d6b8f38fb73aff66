#!/usr/bin/env bash
# The layout's rules, checked (suite 'unit'): each concern stays found by its file name.
#   - no source file in lib/ over 600 lines;
#   - <uv.h> only in lib/device/ (the only directory that knows threads and libuv);
#   - <term.h> / <curses.h> only in lib/keymap/terminfo.cpp (their macros poison the rest);
#   - public headers include none of the three;
#   - the poller talks to its owner through PollerHost: poller.cpp does not include the lifecycle;
#   - the core (event, decode, keymap, binding, support) has no threads.
# Usage: layout_test.sh SOURCE_ROOT. Exit 0 pass, 1 with one line per broken rule.
set -u
root=${1:?usage: layout_test.sh SOURCE_ROOT}
cd "$root" || exit 1
fail=0
broken() { printf 'layout: %s\n' "$*"; fail=1; }

while read -r n f; do
    [ "$f" = total ] && continue
    [ "$n" -gt 600 ] && broken "$f has $n lines (at most 600)"
done < <(find lib -name '*.cpp' -o -name '*.hpp' | sort | xargs wc -l)

for f in $(grep -rl '#include <uv.h>' lib include 2>/dev/null); do
    case $f in lib/device/*) ;; *) broken "$f includes <uv.h> (only lib/device/ may)" ;; esac
done
for f in $(grep -rlE '#include <(term|curses|ncurses)\.h>' lib include 2>/dev/null); do
    [ "$f" = lib/keymap/terminfo.cpp ] || broken "$f includes <term.h> or <curses.h> (only lib/keymap/terminfo.cpp may)"
done
grep -q 'lifecycle.hpp' lib/device/poller.cpp lib/device/poller.hpp && broken "the poller includes the lifecycle (use PollerHost)"
for f in $(grep -rlE '#include <(thread|mutex|condition_variable|atomic)>' lib/event lib/decode lib/binding lib/support 2>/dev/null); do
    broken "$f uses threads (the core has none)"
done

[ $fail = 0 ] && echo "layout: every rule holds"
exit $fail
