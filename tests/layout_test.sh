#!/usr/bin/env bash
# The layout's rules, checked (suite 'unit'): each concern stays found by its file name.
#   - no source file in lib/ over 600 lines;
#   - <uv.h> only in lib/device/ (the only directory that knows threads and libuv);
#   - <term.h> / <curses.h> only in lib/keymap/terminfo.cpp (their macros poison the rest);
#   - public headers include none of the three;
#   - the poller talks to its owner through PollerHost: poller.cpp does not include the lifecycle;
#   - the core (event, decode, keymap, binding, support) has no threads;
#   - Linux-only calls (eventfd, /proc, pipe2, accept4, SOCK_CLOEXEC, MSG_NOSIGNAL, <pty.h>,
#     gettid, raw syscall numbers, epoll, signalfd, timerfd) appear in code only in files whose
#     name says linux (lib/platform/linux.cpp, the tests' *linux* helpers): everything else
#     builds on macOS and the BSDs (README "Platforms"). Comment lines are not code.
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

linux_only='eventfd|/proc/|pipe2 *\(|accept4 *\(|SOCK_CLOEXEC|SOCK_NONBLOCK|MSG_NOSIGNAL|<pty\.h>|gettid|SYS_[a-z]|epoll_|signalfd|timerfd'
# Code only: C++ comments (// to the end of the line, lines of a /* */ block that start with *)
# and the # comments of shell, Python and Meson files are cut before matching.
code_lines() {
    case $1 in
        *.cpp | *.hpp | *.h | *.in) sed -E 's://.*$::; s:^[[:space:]]*\*.*$::' "$1" ;;
        *) sed -E 's:(^|[[:space:]])#.*$::' "$1" ;;
    esac
}
while IFS= read -r f; do
    case $f in *linux*) continue ;; esac
    while IFS= read -r hit; do
        broken "Linux-only call outside a *linux* file: $f:$hit"
    done < <(code_lines "$f" | grep -nE "$linux_only")
done < <(find lib include demo examples tests pty-tests -type f \( -name '*.cpp' -o -name '*.hpp' -o \
         -name '*.h' -o -name '*.in' -o -name meson.build -o -name '*.sh' -o -name '*.py' \) |
         grep -v '^tests/layout_test\.sh$' | sort)

[ $fail = 0 ] && echo "layout: every rule holds"
exit $fail
