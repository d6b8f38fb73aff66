#!/usr/bin/env python3
"""vtinput-echo inside a real terminal emulator, driven by a real X11 keyboard and mouse.

One run tests one terminal (xterm, urxvt, st, kitty, alacritty, xfce4-terminal, mlterm) on a
private Xvfb display: the terminal runs `vtinput-echo --json ...` with its standard output and
standard error sent to files, xdotool types keys, clicks, scrolls, drags, pastes through the X
selection, moves the focus and resizes the window, and the JSON lines are compared with what
each action must decode to. A last run without --no-query checks the capability probe: what
the terminal answers (PROBES), and that the probe left nothing on the screen or among the events.

What is asserted, and how the waits work:
- A case is a list of X actions and the events they must give, compared exactly (after the
  events no case is about are set aside: releases, modifier keys, pointer motion, focus). After
  the actions the driver types the sentinel key `z`; the terminal sends its bytes after those
  of the actions, so when `z` arrives everything the actions produced is there. No sleep is a
  synchronisation; a wait only polls until its marker, and its deadline fires only on failure.
- What a terminal cannot express (Ctrl+Shift+Tab is CSI Z in every legacy encoding) is not a
  failure: TERMINALS[name]["expect"] names the case, the events it gives there and why. The
  table in README.md is these entries. Everything else must decode to the ideal events.
- EXPECTED_FAIL lists the cases that assert the correct behaviour of a known decoder defect
  (issue 12). They fail until the fix lands; they are reported as XFAIL and do not fail the
  run. One that passes fails the run (XPASS), so the list is kept true: delete its line.

Usage: realterm_test.py TERMINAL /path/to/vtinput-echo [--observe]
Exits 0 (pass), 1 (fail) or 77 (skipped: no Xvfb, xdotool or terminal). --observe prints what
every case gave and asserts nothing (how the table was made).
"""

import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEADLINE = 45.0  # seconds; every wait's deadline, reached only on failure
POLL = 0.05  # the polling interval, not a synchronisation
SENTINEL = "z"
NUDGE = "~"  # typed after a paste that has stalled (mlterm); not in the long paste's text
COLS, ROWS = 80, 24
FONT = "DejaVu Sans Mono"
FONT_SIZE = 10

# Known decoder defects: (terminal, case) -> the defect. Each case asserts the behaviour the
# fix must give; the run reports it as XFAIL until the fix lands, then fails with XPASS until its
# line is deleted. The six defects of issue 12 were listed here and are fixed (commit 489fe53):
#   st keypad-keys, st ctrl-delete (1: smkx), xterm alt-ctrl-letter (2: eightBitInput C1),
#   kitty kitty-f3-locks (3: lock bits in CPR-vs-F3), urxvt motion-after-wheel (4),
#   xterm and mlterm mok-ctrl-shift-backspace (5: key code 8), mlterm long-paste (6).
EXPECTED_FAIL = {}


# ---- events ---------------------------------------------------------------------------------
def key(k, *mods, **extra):
    return dict(type="key", key=k, mods=set(mods), **extra)


def mouse(action, button, x, y, *mods):
    return dict(type="mouse", action=action, button=button, x=x, y=y, mods=set(mods))


MODIFIER_KEYS = {"capslock", "numlock", "scrolllock", "iso_level3_shift", "iso_level5_shift"}
for side in ("left", "right"):
    MODIFIER_KEYS |= {f"{side}_{m}" for m in ("shift", "ctrl", "alt", "super", "hyper", "meta")}


def matches(expected, event):
    """`expected` is a partial event: mods compare as sets, and x/y within one cell (the
    pointer is aimed at a cell's centre from a size measured on the window). A pixel position
    is expected as ('px', value): within 12 pixels."""
    for field, want in expected.items():
        have = event.get(field)
        if field == "mods":
            if set(have or []) != want:
                return False
        elif field in ("x", "y"):
            if isinstance(want, tuple):
                if have is None or abs(have - want[1]) > 12:
                    return False
            elif have is None or abs(have - want) > 1:
                return False
        elif have != want:
            return False
    return True


def show(event):
    e = {k: sorted(v) if isinstance(v, set) else v for k, v in event.items()}
    if e.get("type") == "key" and e.get("text") == e.get("key"):
        e.pop("text", None)  # the text of a plain character key is the key itself
    return json.dumps(e, ensure_ascii=True, separators=(",", ":"))


# ---- the terminals --------------------------------------------------------------------------
# Each: binary, argv (the command to run appended), environment, and "expect": case -> (events,
# why) where the terminal cannot send what the case asks for. The reasons are observations.
def xterm_argv(cmd):
    return ["xterm", "-geometry", f"{COLS}x{ROWS}+0+0", "-fa", FONT, "-fs", str(FONT_SIZE), "-e"] + cmd


def urxvt_argv(cmd):
    # ISO 14755 mode takes every Ctrl+Shift chord for its Unicode input; off, as a user who
    # wants those keys in an application sets it.
    return ["urxvt", "-geometry", f"{COLS}x{ROWS}+0+0", "-fn", f"xft:{FONT}:size={FONT_SIZE}",
            "-xrm", "URxvt.iso14755: false", "-xrm", "URxvt.iso14755_52: false",
            # confirm-paste (a default extension) holds a paste with a newline for a y/n answer.
            "-pe", "-confirm-paste", "-e"] + cmd


def st_argv(cmd):
    return ["stterm", "-g", f"{COLS}x{ROWS}+0+0", "-f", f"{FONT}:size={FONT_SIZE}", "-e"] + cmd


def kitty_argv(cmd):
    return ["kitty", "--config", "NONE", "-o", "clear_all_shortcuts=yes",
            "-o", "map shift+insert paste_from_selection", "-o", "paste_actions=",
            "-o", f"font_family={FONT}", "-o", f"font_size={FONT_SIZE}",
            "-o", f"initial_window_width={COLS}c", "-o", f"initial_window_height={ROWS}c",
            "-o", "remember_window_size=no", "-o", "linux_display_server=x11",
            "-o", "update_check_interval=0", "--class", "vtinput-realterm"] + cmd


def alacritty_argv(cmd):
    return ["alacritty", "--config-file", "/dev/null", "-o", f"font.size={FONT_SIZE}",
            "-o", f"font.normal.family={FONT}",
            "-o", f"window.dimensions.columns={COLS}", "-o", f"window.dimensions.lines={ROWS}",
            "--class", "vtinput-realterm", "-e"] + cmd


def xfce4_argv(cmd):
    return ["xfce4-terminal", "--disable-server", f"--geometry={COLS}x{ROWS}+0+0",
            f"--font={FONT} {FONT_SIZE}", "--hide-menubar", "--hide-toolbar", "--hide-scrollbar",
            "-x"] + cmd


def mlterm_argv(cmd):
    return ["mlterm", "-g", f"{COLS}x{ROWS}+0+0", f"--fontsize={FONT_SIZE}", "-e"] + cmd


# What a terminal sends in the legacy encodings for the chords those cannot carry: the
# modifier is lost (or, for Ctrl+BackSpace, the key becomes BS, which is Ctrl+H).
LEGACY_CHORDS = {
    "ctrl-shift-tab": ([key("tab", "shift")], "CSI Z: the legacy encoding has no Ctrl+Shift+Tab"),
    "ctrl-tab": ([key("tab")], "HT: the legacy encoding has no Ctrl+Tab"),
    "ctrl-enter": ([key("enter")], "CR: the legacy encoding has no Ctrl+Enter"),
    "ctrl-digit": ([key("1")], "1: the legacy encoding has no Ctrl+digit"),
}
# The kitty cases on a terminal without the kitty protocol: the legacy bytes.
NO_KITTY = {
    "kitty-ctrl-shift-tab": ([key("tab", "shift")], "no kitty protocol: CSI Z"),
    "kitty-ctrl-i": ([key("tab"), key("tab")], "no kitty protocol: Ctrl+I and Tab are both HT"),
    "kitty-shift-a": ([key("A")], "no kitty protocol: the character A"),
    "kitty-f3-locks": ([key("f3")], "no kitty protocol: lock keys are not reported"),
}
# The modifyOtherKeys cases on a terminal without it.
NO_MOK = {
    "mok-ctrl-shift-tab": ([key("tab", "shift")], "no modifyOtherKeys: CSI Z"),
    "mok-ctrl-tab": ([key("tab")], "no modifyOtherKeys: HT"),
    "mok-ctrl-i": ([key("tab")], "no modifyOtherKeys: Ctrl+I is HT"),
    "mok-ctrl-shift-backspace": ([key("h", "ctrl")], "no modifyOtherKeys: BS"),
    "mok-ctrl-enter": ([key("enter")], "no modifyOtherKeys: CR"),
    "mok-ctrl-digit": ([key("1")], "no modifyOtherKeys: 1"),
}

TERMINALS = {
    "xterm": dict(binary="xterm", argv=xterm_argv, expect={
        **LEGACY_CHORDS, **NO_KITTY,
        "alt-letters": ([key("ø"), key("Ø")],
                        "eightBitInput (the default): Alt sets bit 8, x (0x78) becomes U+00F8"),
        "ctrl-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "ctrl-shift-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "click-ctrl": ([], "Ctrl+button pops up xterm's menus; nothing is reported"),
        "click-shift": ([], "Shift+button selects text instead of reporting"),
    }),
    "urxvt": dict(binary="urxvt", argv=urxvt_argv, expect={
        **LEGACY_CHORDS, **NO_KITTY, **NO_MOK,
        "arrows-mods": ([key("up"), key("up", "shift"), key("left", "ctrl"), key("right", "alt"),
                         key("down", "shift")],
                        "rxvt has Shift (CSI b) and Ctrl (SS3 b) arrows, no Ctrl+Shift: Shift is sent"),
        "function-keys": ([key("f1"), key("f5"), key("f12"), key("f15"), key("f5", "ctrl"), key("f1", "alt")],
                          "rxvt's Shift+F5 is F15 (Shift+Fn is F(n+10))"),
        "ctrl-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "ctrl-shift-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "click-shift": ([], "Shift+button selects text instead of reporting"),
        "mouse-pixels": ([dict(type="mouse", action="press", button="left", pixels=None),
                          dict(type="mouse", action="release", button="none", pixels=None)],
                         "no SGR-pixels (1016): X10 reports in cells, release without a button"),
    }),
    "st": dict(binary="stterm", argv=st_argv, expect={
        **LEGACY_CHORDS, **NO_KITTY, **NO_MOK,
        "ctrl-shift-tab": ([], "nothing: st's key table has ISO_Left_Tab with Shift only"),
        "kitty-ctrl-shift-tab": ([], "nothing: st's key table has ISO_Left_Tab with Shift only"),
        "mok-ctrl-shift-tab": ([], "nothing: st's key table has ISO_Left_Tab with Shift only"),
        "kitty-f3-locks": ([], "nothing: with CapsLock on, F3 matches no row of st's key table"),
        "ctrl-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "ctrl-shift-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "click-shift": ([], "Shift+button selects text (forceselmod) instead of reporting"),
        "mouse-pixels": ([dict(type="mouse", action="press", button="left", pixels=None),
                          dict(type="mouse", action="release", button="none", pixels=None)],
                         "no SGR-pixels (1016): X10 reports in cells, release without a button"),
    }),
    "kitty": dict(binary="kitty", argv=kitty_argv, expect={
        **LEGACY_CHORDS, **NO_MOK,
        "ctrl-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "ctrl-shift-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "click-shift": ([], "Shift+button selects text instead of reporting"),
    },
                  env={"LIBGL_ALWAYS_SOFTWARE": "1", "KITTY_CONFIG_DIRECTORY": "/nonexistent"}),
    "alacritty": dict(binary="alacritty", argv=alacritty_argv, expect={
        **LEGACY_CHORDS, **NO_KITTY, **NO_MOK,
        "ctrl-shift-tab": ([], "nothing: alacritty 0.11 has no binding for Ctrl+Shift+Tab"),
        "kitty-ctrl-shift-tab": ([], "nothing: alacritty 0.11 has no binding for Ctrl+Shift+Tab"),
        "mok-ctrl-shift-tab": ([], "nothing: alacritty 0.11 has no binding for Ctrl+Shift+Tab"),
        "ctrl-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "ctrl-shift-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "click-shift": ([], "Shift+button selects text instead of reporting"),
        "keypad-keys": ([key("home"), key("end"), key("insert"), key("delete"), key("pageup"), key("pagedown"),
                         key("delete", "shift")], "nothing for Shift+Home: alacritty scrolls its view to the top"),
        "scroll": ([mouse("scroll", "wheel_up", 40, 10)] * 2 + [mouse("scroll", "wheel_down", 40, 10)] * 2,
                   "one wheel notch (X button 4 or 5) is reported twice"),
        "motion-after-wheel": ([mouse("scroll", "wheel_down", 50, 3)] * 2 + [mouse("move", "none", 55, 4)],
                               "one wheel notch (X button 4 or 5) is reported twice"),
        "mouse-pixels": ([dict(type="mouse", action="press", button="left", pixels=None),
                          dict(type="mouse", action="release", button="none", pixels=None)],
                         "no SGR-pixels (1016): X10 reports in cells, release without a button"),
    },
                      env={"LIBGL_ALWAYS_SOFTWARE": "1"}),
    "xfce4-terminal": dict(binary="xfce4-terminal", argv=xfce4_argv, expect={
        **LEGACY_CHORDS, **NO_KITTY, **NO_MOK,
        "arrows-mods": ([key("up"), key("up", "shift"), key("left", "ctrl"), key("right", "alt")],
                        "nothing for Ctrl+Shift+Down: VTE scrolls its view by a line"),
        "keypad-keys": ([key("home"), key("end"), key("insert"), key("delete"), key("pageup"), key("pagedown"),
                         key("delete", "shift")], "nothing for Shift+Home: VTE scrolls its view to the top"),
        "ctrl-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "ctrl-shift-backspace": ([key("h", "ctrl")], "BS (0x08), which is Ctrl+H"),
        "click-shift": ([], "Shift+button selects text instead of reporting"),
        "click-middle": ([mouse("release", "middle", 21, 6)],
                         "the middle press is not reported, only its release (CSI <1;x;y m)"),
        "mouse-pixels": ([dict(type="mouse", action="press", button="left", pixels=None),
                          dict(type="mouse", action="release", button="none", pixels=None)],
                         "no SGR-pixels (1016): X10 reports in cells, release without a button"),
    }, config={
        # F1 (help), F10 (menu) and Alt+letter mnemonics off; the accelerators that take keys
        # the cases type (F11, Ctrl+Shift+letters, Ctrl+PageUp/Down, Alt+digits) unbound.
        "xfce4/terminal/terminalrc": "[Configuration]\nShortcutsNoHelpkey=TRUE\nShortcutsNoMenukey=TRUE\n"
                                     "ShortcutsNoMnemonics=TRUE\nMiscConfirmClose=FALSE\n"
                                     "MiscMenubarDefault=FALSE\nMiscToolbarDefault=FALSE\n",
        "xfce4/terminal/accels.scm": "".join(
            f'(gtk_accel_path "<Actions>/terminal-window/{a}" "")\n'
            for a in ["fullscreen", "zoom-in", "zoom-out", "zoom-reset", "next-tab", "prev-tab",
                      "copy", "paste", "new-tab", "new-window", "close-tab", "close-window",
                      "search", "search-next", "search-prev", "move-tab-left", "move-tab-right",
                      "set-title", "reset", "reset-and-clear", "contents", "read-only"]
            + [f"goto-tab-{i}" for i in range(1, 10)]),
    }),
    "mlterm": dict(binary="mlterm", argv=mlterm_argv, expect={
        **NO_KITTY,
        "focus": ([], "no focus reports (mode 1004) came for XSetInputFocus"),
        "mok-ctrl-shift-tab": ([key("tab", "shift")], "modifyOtherKeys leaves Shift+Tab chords as CSI Z"),
        "mouse-pixels": ([dict(type="mouse", action="press", button="left", pixels=None),
                          dict(type="mouse", action="release", button="none", pixels=None)],
                         "no SGR-pixels (1016): X10 reports in cells, release without a button"),
    }),
}


# ---- the cases ------------------------------------------------------------------------------
# A case: name, X actions, the events they must give. Actions: ("key", "ctrl+Left", ...),
# ("click", button, col, row), ("drag", button, (col, row), (col, row)), ("move", col, row),
# ("key-mods", [keys held], key) for chords xdotool cannot name. Sessions group cases by the
# flags vtinput-echo runs with.
LEGACY_KEYS = [
    ("plain-text", [("key", "a", "shift+b", "1", "space", "eacute")],
     [key("a"), key("B"), key("1"), key(" "), key("é")]),
    ("enter-tab-backspace", [("key", "Return", "Tab", "BackSpace")],
     [key("enter"), key("tab"), key("backspace")]),
    # ESC alone is Escape once nothing follows for esc_timeout (50 ms): the sentinel waits.
    ("escape", [("key", "Escape"), ("pause", 0.3)], [key("escape")]),
    ("ctrl-letters", [("key", "ctrl+a", "ctrl+e")], [key("a", "ctrl"), key("e", "ctrl")]),
    ("alt-letters", [("key", "alt+x", "alt+shift+x")], [key("x", "alt"), key("X", "alt")]),
    ("alt-ctrl-letter", [("key", "ctrl+alt+a")], [key("a", "ctrl", "alt")]),
    ("arrows-mods", [("key", "Up", "shift+Up", "ctrl+Left", "alt+Right", "ctrl+shift+Down")],
     [key("up"), key("up", "shift"), key("left", "ctrl"), key("right", "alt"),
      key("down", "ctrl", "shift")]),
    ("function-keys", [("key", "F1", "F5", "F12", "shift+F5", "ctrl+F5", "alt+F1")],
     [key("f1"), key("f5"), key("f12"), key("f5", "shift"), key("f5", "ctrl"), key("f1", "alt")]),
    ("keypad-keys", [("key", "Home", "End", "Insert", "Delete", "Prior", "Next", "shift+Delete",
                      "shift+Home")],
     [key("home"), key("end"), key("insert"), key("delete"), key("pageup"), key("pagedown"),
      key("delete", "shift"), key("home", "shift")]),
    ("ctrl-delete", [("key", "ctrl+Delete")], [key("delete", "ctrl")]),
    ("shift-tab", [("key", "shift+Tab")], [key("tab", "shift")]),
    ("ctrl-shift-tab", [("key", "ctrl+shift+Tab")], [key("tab", "ctrl", "shift")]),
    ("ctrl-tab", [("key", "ctrl+Tab")], [key("tab", "ctrl")]),
    ("ctrl-backspace", [("key", "ctrl+BackSpace")], [key("backspace", "ctrl")]),
    ("ctrl-shift-backspace", [("key", "ctrl+shift+BackSpace")], [key("backspace", "ctrl", "shift")]),
    ("ctrl-enter", [("key", "ctrl+Return")], [key("enter", "ctrl")]),
    ("ctrl-digit", [("key", "ctrl+1")], [key("1", "ctrl")]),
]

def at(col, row, *actions):
    """Actions with the pointer at a cell first: the motion report that going there makes is
    waited for and set aside with a sentinel (urxvt tags it with the last button, and GTK
    delivers motion at its next frame, after keys typed meanwhile; see README.md)."""
    return [("move", col, row), ("motion-report",), ("sync",)] + list(actions)


MOUSE = [
    ("click-left", at(10, 5, ("click", 1, 10, 5)),
     [mouse("press", "left", 10, 5), mouse("release", "left", 10, 5)]),
    ("click-right", at(20, 6, ("click", 3, 20, 6)),
     [mouse("press", "right", 20, 6), mouse("release", "right", 20, 6)]),
    ("click-middle", at(21, 6, ("click", 2, 21, 6)),
     [mouse("press", "middle", 21, 6), mouse("release", "middle", 21, 6)]),
    ("click-ctrl", at(30, 8, ("click-mods", ["ctrl"], 1, 30, 8)),
     [mouse("press", "left", 30, 8, "ctrl"), mouse("release", "left", 30, 8, "ctrl")]),
    ("click-shift", at(31, 8, ("click-mods", ["shift"], 1, 31, 8)),
     [mouse("press", "left", 31, 8, "shift"), mouse("release", "left", 31, 8, "shift")]),
    ("click-alt", at(32, 8, ("click-mods", ["alt"], 1, 32, 8)),
     [mouse("press", "left", 32, 8, "alt"), mouse("release", "left", 32, 8, "alt")]),
    ("scroll", at(40, 10, ("click", 4, 40, 10), ("click", 5, 40, 10)),
     [mouse("scroll", "wheel_up", 40, 10), mouse("scroll", "wheel_down", 40, 10)]),
    ("drag", at(5, 12, ("drag", 1, (5, 12), (9, 14))),
     [mouse("press", "left", 5, 12), mouse("drag", "left", 7, 13), mouse("drag", "left", 9, 14),
      mouse("release", "left", 9, 14)]),
    # Defect 4 (fixed): urxvt reports this motion as CSI <97;56;5M (wheel bit, motion bit, button 1).
    ("motion-after-wheel", at(50, 3, ("click", 5, 50, 3), ("move", 55, 4)),
     [mouse("scroll", "wheel_down", 50, 3), mouse("move", "none", 55, 4)]),
]

KITTY = [
    ("kitty-ctrl-shift-tab", [("key", "ctrl+shift+Tab")], [key("tab", "ctrl", "shift")]),
    ("kitty-ctrl-i", [("key", "ctrl+i", "Tab")], [key("i", "ctrl"), key("tab")]),
    ("kitty-shift-a", [("key", "shift+a")], [key("a", "shift", shifted="A", text="A")]),
    ("kitty-f3-locks", [("locks-on",), ("key", "F3"), ("locks-off",)],
     [key("f3", "capslock", "numlock")]),
]

MODIFY_OTHER_KEYS = [
    ("mok-ctrl-shift-tab", [("key", "ctrl+shift+Tab")], [key("tab", "ctrl", "shift")]),
    ("mok-ctrl-tab", [("key", "ctrl+Tab")], [key("tab", "ctrl")]),
    ("mok-ctrl-i", [("key", "ctrl+i")], [key("i", "ctrl")]),
    ("mok-ctrl-shift-backspace", [("key", "ctrl+shift+BackSpace")], [key("backspace", "ctrl", "shift")]),
    ("mok-ctrl-enter", [("key", "ctrl+Return")], [key("enter", "ctrl")]),
    ("mok-ctrl-digit", [("key", "ctrl+1")], [key("1", "ctrl")]),
]

PIXELS = [
    ("mouse-pixels", [("move-px", 200, 100), ("motion-report",), ("sync",), ("click-px", 1, 200, 100)],
     [dict(type="mouse", action="press", button="left", x=("px", 200), y=("px", 100), pixels=True),
      dict(type="mouse", action="release", button="left", x=("px", 200), y=("px", 100), pixels=True)]),
]

# Three terminal starts per terminal (kitty's and alacritty's take seconds with software GL):
# modifyOtherKeys and SGR-pixels do not meet (keys, mouse), so they share one.
SESSIONS = [
    ("legacy", ["--no-query", "--mouse", "--paste", "--focus"], LEGACY_KEYS + MOUSE),
    ("kitty", ["--no-query", "--kitty"], KITTY),
    ("modify-other-keys", ["--no-query", "--modify-other-keys", "--pixels"], MODIFY_OTHER_KEYS + PIXELS),
]
# mlterm is here for its long paste (defect 6) and its modifyOtherKeys (defect 5): a few keys,
# the pastes, focus and size, and modifyOtherKeys with pixels.
MLTERM_CASES = {"plain-text", "keypad-keys"} | {name for name, _, _ in MODIFY_OTHER_KEYS + PIXELS}


# ---- the capability probe -------------------------------------------------------------------
# One more terminal start per terminal, without --no-query: the capabilities line (the first
# line, docs/json-schema.md) is compared with what the terminal is known to answer, the cursor
# must be where it was (--ask cursor after the probe: nothing was printed), and where the
# terminal can show its screen's text (xterm, kitty) the screen must be empty. vtinput-echo
# writes nothing visible (its notices go to a file), so any text there would be the probe's.
# The timeout is long because it only fires on failure: kitty and alacritty answer their first
# query only once their window is up, 0.25 to 0.5 s after the start here (kitty took longer
# than the default 500 ms in one of three runs by hand; its replies then came late, as reports).
PROBE_FLAGS = ["--query-timeout", "20000", "--ask", "cursor"]


def probe_view(caps):
    """The facts of a capabilities line that PROBES asserts, in one flat dict: the level of
    DA1 and the terminal type of DA2 (not the whole lists), two modes (2004: does it answer
    DECRQM at all; 2026: synchronized output), the rest as the line has it."""
    modes = {m["mode"]: m["support"] for m in caps.get("modes", [])}
    da1, da2 = caps.get("device_attributes"), caps.get("secondary_attributes")
    view = dict(status=caps.get("status"), version=caps.get("version"), da1_level=da1[0] if da1 else None,
                da2_type=da2[0] if da2 else None, sixel=caps.get("sixel"), kitty_flags=caps.get("kitty_flags"),
                mode_2004=modes.get(2004), mode_2026=modes.get(2026))
    for field in ("foreground", "background", "color_scheme", "cell_pixels", "window_pixels", "terminal_name",
                  "truecolor", "colors", "kitty_graphics", "modify_other_keys"):
        view[field] = caps.get(field)
    return view


def probe_matches(want, have):
    """`want` is a probe_view; a value "present" stands for any value but null (a colour or a
    size that depends on the theme or the font), and a string ending in "*" for its prefix."""
    for field, w in want.items():
        h = have.get(field)
        if w == "present":
            if h is None:
                return False
        elif isinstance(w, str) and w.endswith("*"):
            if not isinstance(h, str) or not h.startswith(w[:-1]):
                return False
        elif h != w:
            return False
    return True


# What each terminal answers, observed on Debian 12 (the versions of README.md; the table there
# is these rows). Fields left out are null. The cursor is at row 1, column 1 in every one.
PROBES = {
    # Window ops (CSI 14/16 t) are off by default, and XTGETTCAP gets no answer.
    "xterm": dict(version="XTerm(*", da1_level=64, da2_type=41, sixel=False, mode_2004="reset",
                  mode_2026="not_recognized", foreground="present", background="present", color_scheme="light",
                  modify_other_keys=0),
    # No OSC 10/11 colours, no XTVERSION; CSI 14 t but not CSI 16 t.
    "urxvt": dict(da1_level=1, da2_type=85, sixel=False, mode_2004="reset", mode_2026="not_recognized",
                  window_pixels="present"),
    # No DECRQM, XTVERSION, DA2 or pixel sizes; the colours.
    "st": dict(da1_level=6, sixel=False, foreground="present", background="present", color_scheme="dark"),
    # Everything but modifyOtherKeys (no XTQMODKEYS: not an xterm) and a colour scheme of its
    # own (dark by the background); XTGETTCAP says RGB is unknown.
    "kitty": dict(version="kitty(*", da1_level=62, da2_type=1, sixel=False, kitty_flags=0, mode_2004="reset",
                  mode_2026="reset", foreground="present", background="present", color_scheme="dark",
                  cell_pixels="present", window_pixels="present", terminal_name="xterm-kitty", truecolor=False,
                  colors=256, kitty_graphics=True),
    # 0.11: no DECRQM, no XTVERSION; CSI 14 t but not CSI 16 t.
    "alacritty": dict(da1_level=6, da2_type=0, sixel=False, foreground="present", background="present",
                      color_scheme="dark", window_pixels="present"),
    # VTE 0.70: 2026 permanently reset, no XTVERSION; CSI 14 t but not CSI 16 t.
    "xfce4-terminal": dict(da1_level=65, da2_type=65, sixel=False, mode_2004="reset",
                           mode_2026="permanently_reset", foreground="present", background="present",
                           color_scheme="dark", window_pixels="present"),
    # The only one with sixel (DA1 feature 4) and both pixel sizes; no XTVERSION.
    "mlterm": dict(da1_level=63, da2_type=24, sixel=True, mode_2004="reset", mode_2026="not_recognized",
                   foreground="present", background="present", color_scheme="light", cell_pixels="present",
                   window_pixels="present"),
}


def xterm_screen(driver):
    """xterm's print-immediate action, bound to Pause for this run (SCREEN_DUMPS), writes the
    screen's text to a new file named screen<time> in the working directory."""
    before = set(glob.glob(os.path.join(driver.work, "screen*")))
    driver.xdo("key", "Pause")

    def dumped():
        for path in set(glob.glob(os.path.join(driver.work, "screen*"))) - before:
            text = read(path)
            if text.count("\n") >= ROWS:  # written whole
                return [text]
        return None
    return driver.poll_until(dumped, "xterm's screen dump", deadline=20)[0]


def kitty_screen(driver):
    """kitty's remote control (allowed, on a socket, for this run): `kitty @ get-text`."""
    return driver.x("kitty", "@", "--to", "unix:" + os.path.join(driver.work, "kitty.sock"), "get-text")


# Where the screen's text can be read: options for the probe's terminal, and the reader.
SCREEN_DUMPS = {
    "xterm": (lambda work: ["-xrm", "XTerm*printFileImmediate: screen",
                            "-xrm", "XTerm*VT100.translations: #override <Key>Pause: print-immediate()"],
              xterm_screen),
    "kitty": (lambda work: ["-o", "allow_remote_control=yes", "--listen-on",
                            "unix:" + os.path.join(work, "kitty.sock")],
              kitty_screen),
}


class Failure(Exception):
    pass


class Skip(Exception):
    pass


# ---- the X server and the tools -------------------------------------------------------------
class Display:
    """A private Xvfb: -displayfd lets the server pick a free display number itself."""

    def __init__(self, work):
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp",
             "-noreset"], pass_fds=[w], stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "xvfb.log"), "w"), start_new_session=True)
        os.close(w)
        number = b""
        end = time.monotonic() + DEADLINE
        while not number.endswith(b"\n"):
            if time.monotonic() > end:
                raise Failure("Xvfb did not say which display it took")
            chunk = os.read(r, 16)
            if not chunk:
                raise Failure("Xvfb exited at start (see xvfb.log)")
            number += chunk
        os.close(r)
        self.name = ":" + number.decode().strip()

    def close(self):
        kill_group(self.proc)


def kill_group(proc):
    if proc and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


class Driver:
    def __init__(self, terminal, echo, work, display, observe):
        self.spec = TERMINALS[terminal]
        self.terminal = terminal
        self.echo = echo
        self.work = work
        self.observe = observe
        self.env = dict(os.environ)
        for var in list(self.env):
            if var.startswith(("XDG_", "KITTY_", "ALACRITTY_", "VTE_", "WAYLAND_", "DBUS_")):
                del self.env[var]
        home = os.path.join(work, "home")
        self.env.update(
            DISPLAY=display, HOME=home, LANG="C.UTF-8", LC_ALL="C.UTF-8",
            XDG_CONFIG_HOME=os.path.join(home, ".config"), XDG_CACHE_HOME=os.path.join(home, ".cache"),
            XDG_DATA_HOME=os.path.join(home, ".local/share"), XDG_STATE_HOME=os.path.join(home, ".local/state"),
            XDG_RUNTIME_DIR=os.path.join(work, "run"), NO_AT_BRIDGE="1", GTK_A11Y="none")
        self.env.pop("TERM", None)
        self.env.pop("COLORTERM", None)
        for d in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
            os.makedirs(self.env[d], mode=0o700, exist_ok=True)
        self.env.update(self.spec.get("env", {}))
        if "config" in self.spec:
            for rel, text in self.spec["config"].items():
                path = os.path.join(self.env["XDG_CONFIG_HOME"], rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
        self.proc = None
        self.other = None
        self._events_path, self._events, self._offset = None, [], 0
        self.last_verdict = time.monotonic()  # each verdict line says how long its case took
        self.results = []  # (case, verdict, observed)

    # -- tools
    def x(self, *args, check=True):
        r = subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=DEADLINE)
        if check and r.returncode != 0:
            raise Failure(f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    def xdo(self, *args):
        return self.x("xdotool", *args)

    # -- the terminal
    def start(self, session, flags, options=()):
        """Starts the terminal (with `options` after its name) running vtinput-echo --json
        FLAGS, and waits until it is ready for the first case."""
        self.session_args = (session + "-again" if not session.endswith("-again") else session, flags)
        self.out = os.path.join(self.work, f"{session}.out")
        self.err = os.path.join(self.work, f"{session}.err")
        command = " ".join(["exec", shlex.quote(self.echo), "--json"] + flags +
                           [">", shlex.quote(self.out), "2>", shlex.quote(self.err)])
        argv = self.spec["argv"](["sh", "-c", command])
        argv[1:1] = options
        self.log = open(os.path.join(self.work, f"{session}.terminal.log"), "w")
        self.proc = subprocess.Popen(argv, env=self.env, cwd=self.work, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.poll_until(lambda: "press Ctrl+C twice to quit" in read(self.err),
                        f"vtinput-echo's start notice in {self.err}")
        self.window = self.find_window()
        self.focus_terminal()
        self.seen = 0  # events before this index belong to earlier cases
        self.geometry()
        # The pointer into the window once, so that the first case's motion is a motion inside
        # it (kitty reports the first click after the pointer entered at 0,0).
        self.xdo("mousemove", "--window", self.window, "1", "1")
        self.sentinel()  # the terminal has read vtinput-echo's mode bytes before it sent this

    def find_window(self):
        def visible():
            r = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(self.proc.pid)],
                               env=self.env, capture_output=True, text=True)
            ids = r.stdout.split()
            if not ids:  # a terminal that does not set _NET_WM_PID: the only top-level window
                r = subprocess.run(["xdotool", "search", "--onlyvisible", "--maxdepth", "1", "--name", ""],
                                   env=self.env, capture_output=True, text=True)
                ids = [w for w in r.stdout.split() if w != getattr(self, "other_window", None)]
            return ids[-1] if ids else None
        return self.poll_until(visible, "the terminal's window")

    def focus_terminal(self):
        self.xdo("windowfocus", "--sync", self.window)

    def geometry(self):
        """The cell size, from the window's size and the geometry asked for. Padding makes it a
        little large; aiming at cell centres keeps the error under one cell."""
        out = self.xdo("getwindowgeometry", "--shell", self.window)
        g = dict(line.split("=", 1) for line in out.split())
        self.width, self.height = int(g["WIDTH"]), int(g["HEIGHT"])
        self.cw, self.ch = self.width / COLS, self.height / ROWS

    def stop(self):
        kill_group(self.proc)
        self.proc = None
        self.log.close()

    # -- reading vtinput-echo's output
    def events(self):
        """Every event vtinput-echo has written so far, read incrementally (a long paste's tail
        typed as keys is tens of thousands of lines, polled every 50 ms)."""
        if self._events_path != self.out:
            self._events_path, self._events, self._offset = self.out, [], 0
        try:
            with open(self.out, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return self._events
        end = data.rfind(b"\n") + 1  # a line without its newline is still being written
        self._offset += end
        self._events += [json.loads(line) for line in data[:end].decode("utf-8", "replace").splitlines()]
        return self._events

    def poll_until(self, fn, what, deadline=DEADLINE):
        end = time.monotonic() + deadline
        while True:
            value = fn()
            if value:
                return value
            if self.proc is not None and self.proc.poll() is not None:
                raise Failure(f"the terminal exited ({self.proc.returncode}) while waiting for {what}; "
                              f"stderr: {read(self.err).strip()!r}")
            if time.monotonic() > end:
                raise Failure(f"no {what} after {deadline:.0f} s")
            time.sleep(POLL)

    def find_sentinel(self):
        for i, e in enumerate(self.events()[self.seen:], self.seen):
            if e.get("type") == "key" and e.get("key") == SENTINEL and not e.get("mods") and "kind" not in e:
                return i
        return None

    def sentinel(self):
        """Types the sentinel and returns the events before it since the last one. The sentinel
        is typed again every 10 s: a held sequence (an X10 prefix) may take the first ones."""
        end = time.monotonic() + DEADLINE
        while True:
            self.xdo("key", SENTINEL)
            try:
                # find_sentinel's index can be 0, which is false: poll for a list holding it.
                index = self.poll_until(lambda: [self.find_sentinel()] if self.find_sentinel() is not None
                                        else None, "sentinel key", deadline=10)[0]
                break
            except Failure:
                if time.monotonic() > end:
                    raise
        got = self.events()[self.seen:index]
        self.seen = index + 1
        return got

    # -- X actions
    def pixel(self, col, row):
        return str(int((col + 0.5) * self.cw)), str(int((row + 0.5) * self.ch))

    def act(self, action):
        kind, args = action[0], action[1:]
        if kind == "key":
            self.xdo("key", "--delay", "20", *args)
        elif kind == "click":
            button, col, row = args
            self.xdo("mousemove", "--window", self.window, *self.pixel(col, row), "click", str(button))
        elif kind == "click-px":
            button, px, py = args
            self.xdo("mousemove", "--window", self.window, str(px), str(py), "click", str(button))
        elif kind == "move-px":
            self.xdo("mousemove", "--window", self.window, *map(str, args))
        elif kind == "click-mods":
            mods, button, col, row = args
            self.xdo("mousemove", "--window", self.window, *self.pixel(col, row))
            self.xdo("keydown", *[m for m in mods], "click", str(button), "keyup", *[m for m in mods])
        elif kind == "move":
            col, row = args
            self.xdo("mousemove", "--window", self.window, *self.pixel(col, row))
        elif kind == "drag":
            button, (c1, r1), (c2, r2) = args
            self.xdo("mousemove", "--window", self.window, *self.pixel(c1, r1), "mousedown", str(button))
            self.xdo("mousemove", "--window", self.window, *self.pixel((c1 + c2) / 2, (r1 + r2) / 2))
            self.xdo("mousemove", "--window", self.window, *self.pixel(c2, r2), "mouseup", str(button))
        elif kind == "pause":  # the decoder's ESC timeout, not a synchronisation
            time.sleep(args[0])
        elif kind == "motion-report":  # a mouse event after the last sentinel, if one comes
            try:
                self.poll_until(lambda: any(e.get("type") == "mouse" for e in self.events()[self.seen:]),
                                "motion report", deadline=5)
            except Failure:
                pass  # a terminal that reports no motion: the sentinel alone
        elif kind == "sync":  # what came before this is not the case's business
            self.sentinel()
        elif kind == "locks-on":
            self.xdo("key", "Caps_Lock", "Num_Lock")
        elif kind == "locks-off":
            self.xdo("key", "Caps_Lock", "Num_Lock")
        else:
            raise ValueError(kind)

    # -- verdicts
    def verdict(self, name, ok, observed, why=""):
        xfail = EXPECTED_FAIL.get((self.terminal, name))
        if self.observe:
            verdict = "OBSERVED"
        elif ok:
            verdict = "XPASS" if xfail else "PASS"
        else:
            verdict = "XFAIL" if xfail else "FAIL"
        self.results.append((name, verdict, observed))
        now = time.monotonic()
        took, self.last_verdict = now - self.last_verdict, now
        print(f"{verdict:8} {self.terminal} {name} ({took:.1f} s): " + " ".join(show(e) for e in observed),
              flush=True)
        if why and verdict in ("PASS", "FAIL"):
            print(f"         ({why})")
        if verdict == "FAIL":
            print("         expected: " + " ".join(show(e) for e in self.expected_now))
        if verdict == "XPASS":
            print(f"         {xfail}: fixed? delete it from EXPECTED_FAIL in {__file__}")
        if verdict == "XFAIL":
            print(f"         expected to fail, {xfail}; expected: "
                  + " ".join(show(e) for e in self.expected_now))

    def run_case(self, name, actions, expected, ignore=("move", "focus", "resize")):
        override = self.spec["expect"].get(name)
        why = ""
        if override and (self.terminal, name) not in EXPECTED_FAIL:
            expected, why = override
        self.expected_now = expected
        for action in actions:
            self.act(action)
        got = self.sentinel()
        kept = []
        for e in got:
            if e.get("type") == "key" and (e.get("kind") in ("release", "repeat") or e.get("key") in MODIFIER_KEYS):
                continue
            if e.get("type") == "mouse" and e.get("action") == "move" and "move" in ignore:
                if not any(x.get("action") == "move" for x in expected):
                    continue
            if e.get("type") in ignore and e.get("type") != "mouse":
                continue
            kept.append(e)
        if any(x.get("action") == "move" for x in expected):
            # Motion reports of the pointer's way to the start that came late (GTK sends motion
            # at its next frame) are not what the case is about.
            while kept and kept[0].get("action") == "move" and expected[0].get("action") != "move":
                kept.pop(0)
        ok = len(kept) == len(expected) and all(matches(x, e) for x, e in zip(expected, kept))
        self.verdict(name, ok, kept, why)

    # -- cases that are not a sentinel's business: the paste, focus and resize
    def paste_case(self, name, text):
        path = os.path.join(self.work, f"{name}.txt")
        with open(path, "w") as f:
            f.write(text)
        # xclip serves the selection from the background until another client takes it (or the
        # display closes); a large one goes out in INCR chunks.
        for selection in ("primary", "clipboard"):
            subprocess.run(["xclip", "-selection", selection, "-i", path], env=self.env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=DEADLINE)
            # xclip takes the selection in its background child, after the parent returned:
            # the selection is ours once reading it back gives the text.
            self.poll_until(lambda: subprocess.run(
                ["xclip", "-selection", selection, "-o"], env=self.env, capture_output=True,
                timeout=DEADLINE).stdout == text.encode(), f"the {selection} selection held by xclip")
        start = self.seen
        self.act(("key", "shift+Insert"))

        growth = {"size": -1, "since": time.monotonic(), "nudges": 0}

        def pasted():
            events = self.events()[start:]
            parts = [e for e in events if e.get("type") == "paste"]
            got = "".join(p["text"] for p in parts)
            if parts and not parts[-1].get("continued"):
                # Ended: whole, or cut short (then the rest would come as keys).
                return True if len(got) >= len(text) else "cut"
            if len(events) != growth["size"]:
                growth.update(size=len(events), since=time.monotonic())
            # mlterm writes the rest of a long paste only when it next has a key to send (it
            # does not wait for the terminal to become writable again): after 3 s with nothing
            # new, a key is typed, as a user would type on. It comes after what mlterm holds.
            if time.monotonic() - growth["since"] > 3 and growth["nudges"] < 15:
                self.xdo("key", "asciitilde")  # NUDGE
                growth.update(nudges=growth["nudges"] + 1, since=time.monotonic())
            return False
        try:
            if self.poll_until(pasted, f"a paste of {len(text)} bytes", deadline=60) == "cut":
                raise Failure("the paste ended short")
        except Failure as f:
            got = self.events()[start:]
            self.expected_now = [dict(type="paste", text=f"<{len(text)} bytes>")]
            summary = [e if e.get("type") != "paste" else dict(type="paste", length=len(e["text"]),
                                                               continued=e.get("continued", False))
                       for e in got][:12]
            print(f"         {f}")
            self.verdict(name, False, summary)
            # What the terminal still sends (a cut paste's tail as keys, tens of seconds of
            # it) is not the next case's: a fresh terminal for them.
            self.stop()
            self.start(*self.session_args)
            return
        got = self.sentinel()
        got = [e for e in got if e.get("type") not in ("focus", "resize")
               and not (e.get("type") == "mouse" and e.get("action") == "move")]
        # The keys typed to make mlterm go on, once the paste has ended.
        while growth["nudges"] and got and got[-1] == dict(type="key", key=NUDGE, mods=[], text=NUDGE):
            got.pop()
            growth["nudges"] -= 1
        parts = [e for e in got if e.get("type") == "paste"]
        body = "".join(p["text"] for p in parts)
        normal = body.replace("\r\n", "\n").replace("\r", "\n")
        ok = normal == text and all(e.get("type") == "paste" for e in got)
        self.expected_now = [dict(type="paste", text=f"<{len(text)} bytes>")]
        summary = [e if e.get("type") != "paste" else dict(type="paste", length=len(e["text"]),
                                                           continued=e.get("continued", False))
                   for e in got][:12]
        self.verdict(name, ok, summary, "" if normal == text else "the text differs")

    def focus_case(self):
        if "focus" in self.spec["expect"]:  # observed: this terminal sends no focus reports
            self.expected_now, why = self.spec["expect"]["focus"]
            self.verdict("focus", True, [], why)
            return
        if not self.other:
            # Another window to give the focus to: any top-level window will do.
            self.other = subprocess.Popen(["xmessage", "-geometry", "+900+900", "other window"],
                                          env=self.env, start_new_session=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.other_window = self.poll_until(
                lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "Xmessage"],
                                       env=self.env, capture_output=True, text=True).stdout.split(),
                "the other window")[0]
        start = len(self.events())
        self.xdo("windowfocus", "--sync", self.other_window)
        self.expected_now = [dict(type="focus", gained=False), dict(type="focus", gained=True)]
        try:
            self.poll_until(lambda: any(e == dict(type="focus", gained=False) for e in self.events()[start:]),
                            "focus-out report", deadline=20)
            self.focus_terminal()
            self.poll_until(lambda: [e for e in self.events()[start:] if e.get("type") == "focus"][-1:]
                            == [dict(type="focus", gained=True)], "focus-in report", deadline=20)
            ok = True
        except Failure as f:
            print(f"         {f}")
            self.focus_terminal()
            ok = False
        got = [e for e in self.events()[start:] if e.get("type") == "focus"]
        self.verdict("focus", ok, got)
        self.sentinel()

    def resize_case(self):
        start = len(self.events())
        # In cells where the terminal gives the window manager its cell size (size hints);
        # kitty and alacritty give none, so in pixels from the cell size measured at start.
        r = subprocess.run(["xdotool", "windowsize", "--usehints", self.window, "100", "30"],
                           env=self.env, capture_output=True, text=True, timeout=DEADLINE)
        if r.returncode != 0:
            self.xdo("windowsize", self.window, str(int(100.5 * self.cw)), str(int(30.5 * self.ch)))
        self.expected_now = [dict(type="resize", cols=100, rows=30)]
        try:
            self.poll_until(lambda: any(e.get("type") == "resize" for e in self.events()[start:]),
                            "resize event", deadline=20)
        except Failure as f:
            print(f"         {f}")
        self.sentinel()  # the resize events that follow the first one are in by then
        got = [e for e in self.events()[start:] if e.get("type") == "resize"]
        ok = bool(got) and got[-1].get("cols") == 100 and got[-1].get("rows") == 30
        self.verdict("resize", ok, got[-1:])

    def probe_case(self):
        """The probe's run (see PROBES): the capabilities line, then nothing but the sentinels."""
        options, screen = SCREEN_DUMPS.get(self.terminal, (lambda work: [], None))
        self.start("probe", PROBE_FLAGS, options(self.work))
        try:
            events = self.events()
            caps = events[0] if events and events[0].get("type") == "capabilities" else {}
            view = probe_view(caps)
            # --ask cursor ran after the probe and before the events (so before the sentinel).
            cursor = re.search(r"^vtinput-echo: cursor: (.*)$", read(self.err), re.M)
            view["cursor"] = cursor.group(1) if cursor else None
            if screen:
                text = screen(self)
                view["screen"] = "empty" if not text.strip() else text.strip()[:200]
            # Every line after the capabilities line is a sentinel typed by start(): a reply
            # that came late would be a report here.
            view["after"] = [e for e in events[1:] if e != dict(type="key", key=SENTINEL, mods=[], text=SENTINEL)]
        finally:
            self.stop()
        want = dict(probe_view({}), status="answered")  # every field null but the status
        want.update(PROBES[self.terminal], cursor="row 1, column 1", after=[])
        if screen:
            want["screen"] = "empty"
        self.expected_now = [want]
        self.verdict("probe", probe_matches(want, view) and set(view) == set(want), [view])

    def run(self):
        for session, flags, cases in SESSIONS:
            if self.terminal == "mlterm":
                cases = [c for c in cases if c[0] in MLTERM_CASES]
                if not cases and session != "legacy":
                    continue
            self.start(session, flags)
            try:
                for name, actions, expected in cases:
                    self.run_case(name, actions, expected)
                if session == "legacy":
                    self.paste_case("short-paste", "hello paste\nsecond line")
                    # Printable ASCII without the sentinel, so that a tail typed as keys
                    # cannot be taken for it.
                    line = "".join(chr(33 + i % 89) for i in range(127)) + "\n"
                    self.paste_case("long-paste", (line * 512)[:65536])
                    self.focus_case()
                    self.resize_case()
            finally:
                self.stop()
        self.probe_case()


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in TERMINALS:
        print(f"usage: realterm_test.py {'|'.join(TERMINALS)} /path/to/vtinput-echo [--observe]")
        return 2
    terminal, echo = sys.argv[1], os.path.realpath(sys.argv[2])
    observe = "--observe" in sys.argv[3:]
    spec = TERMINALS[terminal]
    for tool in ("Xvfb", "xdotool", "xclip", "xmessage", spec["binary"]):
        if not shutil.which(tool):
            print(f"{tool} is not installed: skipped")
            return 77
    began = time.monotonic()
    work = tempfile.mkdtemp(prefix=f"vtinput-realterm-{terminal}-")
    display = None
    driver = None
    try:
        display = Display(work)
        driver = Driver(terminal, echo, work, display.name, observe)
        driver.run()
    except Failure as f:
        print(f"FAIL {terminal}: {f}")
        if driver and driver.proc:
            print("--- vtinput-echo's stderr:", read(driver.err), sep="\n")
        return 1
    finally:
        if driver:
            kill_group(driver.proc)
            kill_group(driver.other)
        if display:
            display.close()
    verdicts = [v for _, v, _ in driver.results]
    print(f"{terminal}: {len(verdicts)} cases, {verdicts.count('PASS')} passed, "
          f"{verdicts.count('XFAIL')} expected failures, {verdicts.count('FAIL')} failed, "
          f"{verdicts.count('XPASS')} unexpectedly passed, in {time.monotonic() - began:.0f} s")
    failed = "FAIL" in verdicts or "XPASS" in verdicts
    if not failed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"logs kept in {work}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
