#!/usr/bin/env bash
# Keeps docs/vtinput-echo.1 true to the program (suite 'unit', test 'man-page'):
#   - every flag `vtinput-echo --help` prints has an entry (a .TP tag) in the man page;
#   - every flag the man page mentions anywhere exists in --help (no flag the program lost);
#   - the page renders with groff without a warning (-ww). Without groff that check alone is
#     skipped, with a note: the flag checks read the roff source and need nothing.
# Flags are long options, --name; `\-` in roff is a hyphen. Comment lines (.\") are ignored.
# Usage: man_test.sh VTINPUT_ECHO MAN_PAGE. Exit 0 pass, 1 with one line per problem.
set -u
echo_bin=${1:?usage: man_test.sh VTINPUT_ECHO MAN_PAGE}
page=${2:?usage: man_test.sh VTINPUT_ECHO MAN_PAGE}
fail=0
problem() { printf 'man-page: %s\n' "$*"; fail=1; }

help_text=$("$echo_bin" --help) || { problem "'$echo_bin --help' failed"; exit 1; }
flags_in() { grep -o -- '--[a-z][a-z0-9-]*' | sort -u; }
help_flags=$(printf '%s\n' "$help_text" | flags_in)
[ -n "$help_flags" ] || problem "--help printed no flags"

# The roff source without comments, with hyphens as they render.
source_text=$(grep -v '^\.\\"' "$page" | sed 's/\\-/-/g') || { problem "cannot read $page"; exit 1; }
page_flags=$(printf '%s\n' "$source_text" | flags_in)
# The tag of each .TP entry is the line after it.
entry_flags=$(printf '%s\n' "$source_text" | awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' | flags_in)

for f in $help_flags; do
    grep -qx -- "$f" <<<"$entry_flags" || problem "$f is in --help but has no entry (.TP) in $page"
done
for f in $page_flags; do
    grep -qx -- "$f" <<<"$help_flags" || problem "$f is in $page but not in --help"
done

if command -v groff >/dev/null; then
    warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || problem "groff failed on $page"
    [ -z "$warnings" ] || problem "groff warns on $page: $warnings"
else
    echo "man-page: groff not found: the rendering check is skipped (apt-get install groff-base)"
fi

[ "$fail" = 0 ] && echo "man-page: $(wc -w <<<"$help_flags") flags, --help and $page agree"
exit "$fail"
