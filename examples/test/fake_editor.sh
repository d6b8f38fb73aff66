#!/bin/sh
# A stand-in for $EDITOR in the editor example's test. It proves it had the terminal: it reads a
# line from it, which needs the terminal cooked again (in raw mode Enter sends CR and no line
# ever ends) and vtinput not reading (else the keys would go to the application), then appends
# the line to the file it was given.
[ -t 0 ] || { echo "fake-editor: standard input is not a terminal" >&2; exit 3; }
printf 'fake-editor: editing %s\n' "$1" > /dev/tty
IFS= read -r line < /dev/tty || exit 4
printf '%s\n' "$line" >> "$1"
printf 'fake-editor: saved\n' > /dev/tty
