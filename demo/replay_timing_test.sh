#!/usr/bin/env bash
# --replay of recordings (docs/record-format.md) in the decoder's virtual time (suite 'unit',
# test 'replay-timing'). Hand-written recordings where the gaps decide the events, with the
# default timeouts (ESC 50 ms, stale 1000 ms):
#   - ESC then "[A" 10 ms apart is Up; 200 ms apart it is Escape, '[', 'A'; the boundary is
#     the deadline itself (a deadline at or before a record's time is honoured first);
#   - a UTF-8 character split by a long gap is two unknown events, by a short one a character;
#   - a CSI sequence with parameters waits the stale timeout, not the ESC timeout;
#   - --no-timing, and a plain (non-recording) file, give the untimed events; --chunk 1 changes
#     nothing; comments, blank lines, upper-case hex and unknown header fields are accepted;
#     mouse-pixels=1 in the header reads SGR mouse positions as pixels;
#   - bad recordings (wrong version, bad hex, odd digits, time going back, a line cut short)
#     are decoded up to the bad line, pending input resolved, then reported as FILE:LINE[:COL]
#     with exit status 2.
# Usage: replay_timing_test.sh VTINPUT_ECHO. Exit 0 pass, 1 with one block per failure.
set -u
echo_bin=${1:?usage: replay_timing_test.sh VTINPUT_ECHO}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
count=0

# check NAME STATUS STDOUT STDERR_PART [ARGS...]: replays $work/rec (written by `rec`) with
# ARGS and expects exactly STDOUT (lines joined with '|'), status STATUS, and STDERR_PART in
# standard error (empty: standard error must be empty).
check() {
    local name=$1 status=$2 want_out=$3 want_err=$4
    shift 4
    local out err rc
    out=$("$echo_bin" --replay "$work/rec" "$@" 2>"$work/err")
    rc=$?
    err=$(cat "$work/err")
    out=$(printf '%s' "$out" | paste -sd '|')
    count=$((count + 1))
    if [ "$rc" != "$status" ] || [ "$out" != "$want_out" ] ||
        { [ -z "$want_err" ] && [ -n "$err" ]; } || [[ "$err" != *"$want_err"* ]]; then
        printf 'replay-timing: FAIL %s (args: %s)\n  status %s, expected %s\n  stdout %s\n  expected %s\n' \
            "$name" "$*" "$rc" "$status" "$out" "$want_out"
        printf '  stderr %s\n  expected to contain %s\n  recording:\n' "$err" "${want_err:-nothing}"
        sed 's/^/    /' "$work/rec"
        fail=1
    fi
}
# rec LINE...: writes the recording, one argument per line (the bytes are in hex: no escapes).
rec() { printf '%s\n' "$@" >"$work/rec"; }

# ESC, then "[A": the gap against the 50 ms ESC timeout.
rec 'vtinput-record 1' '0 1b' '10000 5b41'
check 'ESC [A 10 ms apart' 0 'Up' ''
check 'ESC [A 10 ms apart, --chunk 1' 0 'Up' '' --chunk 1
rec 'vtinput-record 1' '0 1b' '200000 5b41'
check 'ESC [A 200 ms apart' 0 'Escape|[|A' ''
check 'ESC [A 200 ms apart, --chunk 1' 0 'Escape|[|A' '' --chunk 1
check 'ESC [A 200 ms apart, --no-timing' 0 'Up' '' --no-timing
check 'ESC [A 200 ms apart, JSON' 0 \
    '{"type":"key","key":"escape","mods":[]}|{"type":"key","key":"[","mods":[],"text":"["}|{"type":"key","key":"A","mods":[],"text":"A"}' \
    '' --json
rec 'vtinput-record 1' '0 1b' '49999 5b41'
check 'ESC [A 1 us before the deadline' 0 'Up' ''
rec 'vtinput-record 1' '0 1b' '50000 5b41'
check 'ESC [A at the deadline' 0 'Escape|[|A' ''
# Offsets count from the start of the recording, not from the previous record.
rec 'vtinput-record 1' '1000000 1b' '1040000 5b41'
check 'ESC [A 40 ms apart, 1 s in' 0 'Up' ''
# The ESC timeout runs from the last byte: ESC [ at 0 and 40 ms, then A at 80 ms is Up; at
# 95 ms, 55 ms after the '[', it is too late.
rec 'vtinput-record 1' '0 1b' '40000 5b' '80000 41'
check 'ESC, [, A 40 ms apart each' 0 'Up' ''
rec 'vtinput-record 1' '0 1b' '40000 5b' '95000 41'
check 'ESC, [ 40 ms later, A 55 ms after that' 0 'Alt+[|A' ''

# A split UTF-8 character (é is c3 a9).
rec 'vtinput-record 1' '0 c3' '500000 a9'
check 'split UTF-8, long gap' 0 'Unknown "\ufffd"|Unknown "\ufffd"' ''
check 'split UTF-8, long gap, --no-timing' 0 'é' '' --no-timing
rec 'vtinput-record 1' '0 c3' '10000 a9'
check 'split UTF-8, short gap' 0 'é' ''

# A CSI sequence with parameters is known to be one: it waits the stale timeout (1 s).
rec 'vtinput-record 1' '0 1b5b313b35' '500000 41'
check 'CSI 1;5 then A 500 ms later' 0 'Ctrl+Up' ''
rec 'vtinput-record 1' '0 1b5b313b35' '1500000 41'
check 'CSI 1;5 then A 1.5 s later' 0 'Unknown "\u001b[1;5"|A' ''

# Comments, blank lines, upper-case hex, unknown header fields; --stats counts the bytes.
rec 'vtinput-record 1 term=xterm-256color future=yes' '# a comment' '' '0 1B5B41' '# another' '7 61'
check 'comments and fields' 0 'Up|a' ''
check 'comments and fields, --stats' 0 'events=2 bytes=4' '' --stats
# From standard input too.
count=$((count + 1))
if [ "$("$echo_bin" --replay - <"$work/rec" | paste -sd '|')" != 'Up|a' ]; then
    echo "replay-timing: FAIL a recording on standard input"
    fail=1
fi

# mouse-pixels=1: the live session had --pixels, SGR mouse positions are pixels.
rec 'vtinput-record 1 mouse-pixels=1' '0 1b5b3c303b3130303b3230304d'
check 'mouse-pixels=1' 0 'Mouse press left at 99,199 px' ''
rec 'vtinput-record 1' '0 1b5b3c303b3130303b3230304d'
check 'no mouse-pixels' 0 'Mouse press left at 99,199' ''

# A plain file (not a recording) replays as before: untimed, and --no-timing changes nothing.
printf 'vtinput-recorder\033[A' >"$work/rec"
check 'plain file' 0 'v|t|i|n|p|u|t|-|r|e|c|o|r|d|e|r|Up' ''
check 'plain file, --no-timing' 0 'v|t|i|n|p|u|t|-|r|e|c|o|r|d|e|r|Up' '' --no-timing

# Bad recordings: what comes before the bad line is decoded, pending input resolved (the lone
# ESC becomes Escape), then the error names the line (and column), status 2.
rec 'vtinput-record 2' '0 61'
check 'version 2' 2 '' 'rec:1: unsupported recording version 2 (this vtinput-echo reads version 1)'
rec 'vtinput-record one' '0 61'
check 'no version' 2 '' "rec:1: the header has no version number: 'one'"
rec 'vtinput-record 1' '0 61' '5 1b' '9 6g'
check 'bad hex' 2 'a|Escape' "rec:4:4: bad hex digit 'g'"
rec 'vtinput-record 1' '0 61' '5 626'
check 'odd hex digits' 2 'a' 'rec:3:5: an odd number of hex digits'
rec 'vtinput-record 1' '10 61' '5 62'
check 'time goes back' 2 'a' 'rec:3:1: the time goes back (5 after 10)'
rec 'vtinput-record 1' '0 61' '1x 62'
check 'bad time' 2 'a' "rec:3:1: bad time '1x'"
rec 'vtinput-record 1' '0 61' '5'
check 'no bytes' 2 'a' "rec:3: a record is 'MICROSECONDS HEX', this line has no space"
rec 'vtinput-record 1' '0 61' '5 '
check 'empty bytes' 2 'a' 'rec:3:3: a record without bytes'
printf 'vtinput-record 1\n0 61\n5 1b\n9 6263' >"$work/rec"
check 'last line cut short' 2 'a|Escape' 'rec:4: the last line has no newline: a record cut short (6 bytes not replayed)'
check 'last line cut short, --stats' 2 'events=2 bytes=2' 'rec:4:' --stats

[ "$fail" = 0 ] && echo "replay-timing: $count checks passed"
exit "$fail"
