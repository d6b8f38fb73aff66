#!/bin/bash
# vtinput-echo tested as a user would use it: inside tmux, keys typed with send-keys, the screen
# read with capture-pane. Five runs: human-readable lines with every protocol on (keys, mouse,
# bracketed paste, resize, the Ctrl+C rule, and the capability probe's notice), JSON with --raw
# and two receivers, JSON with the probe answered by tmux itself (the capabilities line, and
# nothing of the probe on the screen or among the events), --tui, and standard input not a
# terminal. Each run checks the exit status and that the terminal came back as it was.
#
# No sleep is a synchronisation: every wait polls the pane for its marker until a deadline that
# only expires on failure, and then prints the marker that was missing and the pane.
#
# Usage: bash echo_tmux_test.sh /path/to/vtinput-echo. Exits 77 (skipped) without tmux.
set -u

bin=$(realpath "${1:?usage: echo_tmux_test.sh /path/to/vtinput-echo}")
if ! command -v tmux >/dev/null; then
    echo "tmux is not installed: skipped"
    exit 77
fi

deadline_seconds=20
socket=vtinput-echo-test-$$
work=$(mktemp -d)
session=""

# A private server with no configuration, gone at exit whatever happens.
t() { tmux -L "$socket" -f /dev/null "$@"; }
cleanup() {
    t kill-server 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
unset TMUX  # when run from inside tmux: this is a separate server, not a nested client

# What the pane runs: the program (its pid in $work/pid, its standard input from STDIN unless
# that is '-'), then whether the terminal's settings came back as they were before it
# started, and its exit status.
cat >"$work/run.sh" <<'EOF'
pidfile=$1 stdin=$2
shift 2
before=$(stty -g)
if [ "$stdin" = - ]; then
    (echo $BASHPID >"$pidfile" && exec "$@")
else
    (echo $BASHPID >"$pidfile" && exec "$@" <"$stdin")
fi
status=$?
[ "$(stty -g)" = "$before" ] && echo "TTY RESTORED" || echo "TTY NOT RESTORED"
echo "EXIT STATUS $status"
EOF

capture() { t capture-pane -p -J -S - "$@" -t "$session" 2>/dev/null; }
flag() { t display-message -p -t "$session" "#{$1}"; }

fail() {
    echo "FAIL ($session): $*"
    echo "--- pane:"
    capture | cat -s
    echo "---"
    exit 1
}

# poll WHAT TEST ARG [capture-pane options]: polls the pane until `TEST ARG` succeeds on its
# contents. Fails at once on a sanitizer report (sanitizer builds print to the pane).
poll() {
    local what=$1 test_fn=$2 arg=$3 screen
    shift 3
    local end=$((SECONDS + deadline_seconds))
    while :; do
        screen=$(capture "$@")
        "$test_fn" "$arg" <<<"$screen" && return 0
        if grep -qE 'Sanitizer|runtime error:' <<<"$screen"; then
            fail "sanitizer report"
        fi
        ((SECONDS < end)) || fail "missing $what"
        sleep 0.05  # the polling interval, not a synchronisation
    done
}
has_line() { grep -qxF -- "$1"; }
has_text() { grep -qF -- "$1"; }
lacks_text() { ! grep -qF -- "$1"; }
has_separator() { grep -qxE -- "(─|q){$1}"; }
# "TEXT@N": TEXT appears on at least N lines.
has_count() { (($(grep -cF -- "${1%@*}") >= ${1##*@})); }

wait_line() { poll "line '$1'" has_line "$1"; }
wait_text() { poll "text '$1'" has_text "$1"; }
wait_gone() { poll "the end of '$1'" lacks_text "$1"; }
wait_count() { poll "$2 lines with '$1'" has_count "$1@$2"; }
# Text drawn in reverse video (SGR 7), as capture-pane -e shows it.
wait_reverse() { poll "'$1' in reverse video" has_text $'7m'"$1" -e; }

expect_flag() {
    local value
    value=$(flag "$1")
    [ "$value" = "$2" ] || fail "tmux says $1=$value, expected $2"
}

# start NAME ARGS...: runs vtinput-echo ARGS in a new 120x40 session; the pane stays after the
# program exits so that its last words can be read. STDIN=FILE redirects its standard input.
start() {
    session=$1
    shift
    local command
    command=$(printf '%q ' bash "$work/run.sh" "$work/pid" "${STDIN:--}" "$bin" "$@")
    t new-session -d -s "$session" -x 120 -y 40 "$command" \; set-option -w -t "$session" remain-on-exit on ||
        fail "cannot start tmux"
}

# After the program quit: status 0 (or $1), the terminal's settings and modes as they were.
expect_clean_exit() {
    wait_line "EXIT STATUS ${1:-0}"
    wait_line "TTY RESTORED"
    expect_flag mouse_any_flag 0
    expect_flag alternate_on 0
}

# Line modes: Ctrl+C, another key, Ctrl+C: still running, the notice printed twice; Ctrl+C
# again: quits. OTHER_LINE is what the other key prints.
quit_twice_lines() {
    local notice=$1 other_line=$2
    t send-keys -t "$session" C-c
    wait_count "$notice" 1
    t send-keys -t "$session" b
    wait_line "$other_line"
    t send-keys -t "$session" C-c
    wait_count "$notice" 2
    t send-keys -t "$session" C-c
    expect_clean_exit
    if has_count "$notice@3" <<<"$(capture)"; then
        fail "a notice followed the Ctrl+C that quit"
    fi
}

# What tmux answers to the capability probe. Every tmux says who it is in XTVERSION as `tmux -V`
# does, and answers DA1 with `CSI ? 1 ; 2 c` and DA2 with `CSI > 84 ; 0 ; 0 c` (input.c); the
# second round has no kitty graphics query under tmux (an APC would become its pane title).
# Other answers depend on the version (3.3a answers no DECRQM, no colour without an attached
# client, no XTGETTCAP): asserted only for the version observed, whole, times aside.
tmux_version=$(tmux -V)
probe_notice_re="^vtinput-echo: terminal: answered in [0-9.]+ ms; version ${tmux_version//./\\.}; DA1 1;2; "
probe_notice_3_3a="; version tmux 3.3a; DA1 1;2; no kitty keyboard; DA2 84;0;0"
probe_json_3_3a='{"type":"capabilities","status":"answered","elapsed_us":T,"round_trip_us":T,"version":"tmux 3.3a","terminal_name":null,"device_attributes":[1,2],"secondary_attributes":[84,0,0],"kitty_flags":null,"modify_other_keys":null,"foreground":null,"background":null,"color_scheme":null,"truecolor":null,"colors":null,"sixel":false,"kitty_graphics":null,"cell_pixels":null,"window_pixels":null,"modes":[{"mode":1,"support":null},{"mode":1000,"support":null},{"mode":1002,"support":null},{"mode":1003,"support":null},{"mode":1004,"support":null},{"mode":1006,"support":null},{"mode":1016,"support":null},{"mode":2004,"support":null},{"mode":2026,"support":null},{"mode":2027,"support":null},{"mode":2031,"support":null},{"mode":2048,"support":null},{"mode":9001,"support":null}]}'
has_match() { grep -qE -- "$1"; }

# ---- 1. human-readable lines, every protocol on ----------------------------------------------
start lines --all
wait_text "press Ctrl+C twice to quit"
expect_flag mouse_any_flag 1
expect_flag mouse_sgr_flag 1
# The probe ran (no --no-query): its notice says what tmux answered.
poll "the probe's notice ($probe_notice_re)" has_match "$probe_notice_re"
if [ "$tmux_version" = "tmux 3.3a" ]; then
    wait_text "$probe_notice_3_3a"
fi

t send-keys -t lines a Up C-Left F5 S-F5 Enter Tab M-x BTab
for line in a Up Ctrl+Left F5 Shift+F5 Enter Tab Alt+x Shift+Tab; do
    wait_line "$line"
done

# Mouse reports as the terminal would send them (tmux hands real mouse events to the pane only
# from an attached client): press, release with Ctrl, wheel.
t send-keys -t lines -H 1b 5b 3c 30 3b 31 30 3b 35 4d  # ESC [ < 0 ; 10 ; 5 M
t send-keys -t lines -H 1b 5b 3c 31 36 3b 31 30 3b 35 6d  # ESC [ < 16 ; 10 ; 5 m
t send-keys -t lines -H 1b 5b 3c 36 34 3b 33 3b 34 4d  # ESC [ < 64 ; 3 ; 4 M
wait_line "Mouse press left at 9,4"
wait_line "Mouse release left at 9,4 with Ctrl"
wait_line "Mouse scroll wheel_up at 2,3"

# tmux brackets a paste (-p) only if the pane turned mode 2004 on: one Paste event, not keys.
t set-buffer -b vtinput-echo "hello paste"
t paste-buffer -p -d -b vtinput-echo -t lines
wait_line 'Paste 11 bytes "hello paste"'

t resize-window -t lines -x 100 -y 30
wait_text "Resize 100x30"

quit_twice_lines "press Ctrl+C again to quit" b

# ---- 2. JSON, raw bytes, two receivers -------------------------------------------------------
start json --json --raw --subscribers 2 --paste --no-query
wait_text "press Ctrl+C twice to quit"

t send-keys -t json a C-Left
for rx in 1 2; do
    wait_line '{"type":"raw","bytes":"61","rx":'$rx'}'
    wait_line '{"type":"key","key":"a","mods":[],"text":"a","rx":'$rx'}'
    wait_line '{"type":"raw","bytes":"1b5b313b3544","rx":'$rx'}'
    wait_line '{"type":"key","key":"left","mods":["ctrl"],"rx":'$rx'}'
done
t set-buffer -b vtinput-echo "two words"
t paste-buffer -p -d -b vtinput-echo -t json
wait_line '{"type":"paste","text":"two words","rx":1}'
wait_line '{"type":"paste","text":"two words","rx":2}'

quit_twice_lines "vtinput-echo: press Ctrl+C again to quit" '{"type":"key","key":"b","mods":[],"text":"b","rx":2}'

# ---- 3. JSON with the probe answered by tmux -----------------------------------------------
start probe --json --paste
wait_text "press Ctrl+C twice to quit"
poll "the capabilities line" has_match '^\{"type":"capabilities",.*\]\}$'
t send-keys -t probe a
wait_line '{"type":"key","key":"a","mods":[],"text":"a"}'
screen=$(capture)
caps=$(grep -E '^\{"type":"capabilities"' <<<"$screen")
for field in '"status":"answered"' '"round_trip_us":[1-9][0-9]*,' "\"version\":\"$tmux_version\"," \
    '"device_attributes":\[1,2\],' '"secondary_attributes":\[84,' '"sixel":false,' '"kitty_graphics":null,'; do
    grep -qE -- "$field" <<<"$caps" || fail "the capabilities line lacks $field: $caps"
done
if [ "$tmux_version" = "tmux 3.3a" ]; then
    timeless=$(sed -E 's/"(elapsed_us|round_trip_us)":[0-9]+/"\1":T/g' <<<"$caps")
    [ "$timeless" = "$probe_json_3_3a" ] || fail "tmux 3.3a answered differently: $caps"
fi
# Nothing of the probe leaked: the JSON lines are the capabilities line, then the key typed
# (no report, unknown or key from a reply); every other line is a notice (no reply or request
# shown as text); the pane's title is still the host name (an APC would have set it).
json_lines=$(grep -E '^\{' <<<"$screen" | sed -E 's/^(\{"type":"capabilities").*/\1.../')
[ "$json_lines" = $'{"type":"capabilities"...\n{"type":"key","key":"a","mods":[],"text":"a"}' ] ||
    fail "the JSON lines are not the capabilities line and the key: $json_lines"
stray=$(grep -vE '^(vtinput-echo: .*|\{.*\}|)$' <<<"$screen")
[ -z "$stray" ] || fail "text on the screen that is neither a notice nor a JSON line: $stray"
expect_flag pane_title "$(flag host)"
t send-keys -t probe C-c C-c
expect_clean_exit

# ---- 4. --tui ---------------------------------------------------------------------------------
start tui --tui --all
wait_text "Modifiers  shift alt ctrl"
expect_flag alternate_on 1
expect_flag mouse_any_flag 1

t send-keys -t tui C-Left
wait_line "Ctrl+Left"
wait_reverse ctrl  # the modifier line shows ctrl held
t send-keys -t tui -H 1b 5b 3c 30 3b 31 30 3b 35 4d
wait_text "press left at 9,4; last button left"
# Larger, so that only a redraw (not tmux cutting lines short) explains the new separator.
t resize-window -t tui -x 140 -y 45
wait_text "Resize 140x45"
# The separator line, 140 cells wide: U+2500 where the locale is UTF-8, else the VT100 line
# drawing character as tmux captures it ('q').
poll "a separator 140 cells wide" has_separator 140

# The notice is a status on the separator line: shown after one Ctrl+C, gone after another key.
t send-keys -t tui C-c
wait_text "press Ctrl+C again to quit"
t send-keys -t tui b
wait_line b
wait_gone "press Ctrl+C again to quit"
t send-keys -t tui C-c
wait_count "Ctrl+c" 2
wait_text "press Ctrl+C again to quit"
t send-keys -t tui C-c
expect_clean_exit

# ---- 5. standard input not a terminal, then SIGTERM -------------------------------------------
# The device reads /dev/tty; the signal ends the program through its normal way out (the
# terminal restored), and then by the signal itself: status 128 + 15.
STDIN=/dev/null start piped --all --no-query
wait_text "press Ctrl+C twice to quit"
expect_flag mouse_any_flag 1
t send-keys -t piped z
wait_line z
kill -TERM "$(cat "$work/pid")"
expect_clean_exit 143

echo "PASS"
