#!/usr/bin/env python3
"""The JSON event format against its schema: every line vtinput-echo --json prints must be valid.

Usage: schema_test.py [--each] ECHO SCHEMA SOURCE_ROOT [SHARED_DIR]
       schema_test.py --live ECHO SCHEMA

  ECHO         the vtinput-echo executable
  SCHEMA       docs/event.schema.json
  SOURCE_ROOT  the source tree (demo/sample.input, tests/fuzz/corpus/, lib/event/names.cpp)
  SHARED_DIR   the shared folder; its conformance/*.jsonl vectors are used when present

Without --live (suite 'unit'):
  1. The schema is a valid draft 2020-12 schema, and its enumerations (key names, modifiers,
     mouse actions and buttons, report kinds) are exactly the names in lib/event/names.cpp, so a
     name added to the library without a decision about the format fails here.
  2. Hand-written objects that vtinput 1.1 never prints must be rejected, so the schema is not
     vacuous; hand-written lines of the forms no recording produces (lagged, error, the
     capabilities line) must pass.
  3. `ECHO --replay FILE --json`, and again with `--chunk 1`, over demo/sample.input, every
     file of tests/fuzz/corpus/ and the byte strings of the conformance vectors: every line
     must be one JSON object on one line, valid UTF-8 with no raw U+0085/U+2028/U+2029, and
     valid against the schema; also a paste long enough to come in parts. The corpus files
     are decoded as one input, and so are the vectors (see SEPARATOR); on a failure the
     inputs of the batch are run one by one to name the one at fault. `--each` runs every
     input on its own from the start (a minute or more).
With --live (suite 'pty'): live mode inside a pseudo-terminal, for the forms only a live
session prints (raw, rx, eof, lagged, resize from SIGWINCH, pixel mouse positions, and the
capabilities line: the test answers the probe as a terminal would, then answers nothing);
exit 77 when no pseudo-terminal can be opened.

It stops at the first invalid line, printing the line, the input it came from and the
validator's message. Exit status: 0 passed, 1 failed, 77 skipped (no jsonschema module, or
no pty for --live). Distinct lines are validated once: the corpus repeats lines a great deal,
and jsonschema takes a few hundred microseconds per object.
"""
import collections
import glob
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time

try:
    import jsonschema
except ImportError:
    print("SKIP: the Python module jsonschema is missing (Debian: apt install python3-jsonschema)")
    sys.exit(77)

TIMEOUT = 30.0  # seconds per replay or live step; only reached on failure


class Failure(Exception):
    pass


def load_validator(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema, jsonschema.Draft202012Validator(schema)


# --- 1. the schema's names against the library's ---------------------------------------------

def names_cpp(root):
    """The name tables of lib/event/names.cpp, as sets."""
    with open(os.path.join(root, "lib", "event", "names.cpp"), encoding="utf-8") as f:
        src = f.read()

    def strings(pattern):
        m = re.search(pattern, src, re.S)
        if not m:
            raise Failure("names.cpp: cannot find %r (did the file change shape?)" % pattern)
        return set(re.findall(r'"([^"]*)"', m.group(1)))

    return {
        "keys": strings(r"k_named_keys = \{(.*?)\};"),
        "mods": strings(r"mod_name\(Mod mod\)\s*\{(.*?)\n\}"),
        "buttons": strings(r"to_string\(MouseButton button\)\s*\{.*?names\[\] = \{(.*?)\};"),
        "actions": strings(r"to_string\(MouseAction action\)\s*\{.*?names\[\] = \{(.*?)\};"),
        "reports": strings(r"to_string\(ReportKind kind\)\s*\{.*?names\[\] = \{(.*?)\};"),
    }


def check_names(schema, root):
    d = schema["$defs"]
    lib = names_cpp(root)
    ours = {
        "keys": set(d["named_key"]["anyOf"][0]["enum"]),
        "mods": set(d["mods"]["items"]["enum"]),
        "buttons": set(d["mouse"]["properties"]["button"]["enum"]),
        "actions": set(d["mouse"]["properties"]["action"]["enum"]),
        "reports": set(d["report"]["properties"]["what"]["enum"]),
    }
    for what, names in lib.items():
        if names != ours[what]:
            raise Failure("schema and lib/event/names.cpp disagree on %s: only in names.cpp %s, only in "
                          "the schema %s" % (what, sorted(names - ours[what]), sorted(ours[what] - names)))


# --- 2. hand-written objects ------------------------------------------------------------------

KEY = {"type": "key", "key": "a", "mods": []}
MOUSE = {"type": "mouse", "action": "press", "button": "left", "x": 0, "y": 0, "mods": []}
QUERIED_MODES = [1, 1000, 1002, 1003, 1004, 1006, 1016, 2004, 2026, 2027, 2031, 2048, 9001]
# The capabilities line of a terminal that answered nothing, and one with every field known.
CAPS_NONE = {"type": "capabilities", "status": "timed_out", "elapsed_us": 500000, "round_trip_us": None,
             "version": None, "terminal_name": None, "device_attributes": None, "secondary_attributes": None,
             "kitty_flags": None, "modify_other_keys": None, "foreground": None, "background": None,
             "color_scheme": None, "truecolor": None, "colors": None, "sixel": None, "kitty_graphics": None,
             "cell_pixels": None, "window_pixels": None,
             "modes": [{"mode": m, "support": None} for m in QUERIED_MODES]}
CAPS_ALL = dict(CAPS_NONE, status="answered", elapsed_us=2345, round_trip_us=1200, version="XTerm(390)",
                terminal_name="xterm", device_attributes=[64, 4, 22], secondary_attributes=[41, 390, 0],
                kitty_flags=31, modify_other_keys=2, foreground="#000000", background="#ffffdd",
                color_scheme="light", truecolor=False, colors=256, sixel=True, kitty_graphics=True,
                cell_pixels={"width": 10, "height": 20}, window_pixels={"width": 800, "height": 480},
                modes=[{"mode": 2004, "support": "set"}, {"mode": 2026, "support": "not_recognized"}])

MUST_REJECT = [
    ("an unknown type", {"type": "keypress", "key": "a", "mods": []}),
    ("no type", {"key": "a", "mods": []}),
    ("a key with an unknown mod", dict(KEY, mods=["control"])),
    ("a key with a mod twice", dict(KEY, mods=["ctrl", "ctrl"])),
    ("a key without mods", {"type": "key", "key": "a"}),
    ("an unknown named key", dict(KEY, key="pgup")),
    ("backtab (vtinput writes tab + shift)", dict(KEY, key="backtab")),
    ("f64", dict(KEY, key="f64")),
    ("two characters as a key", dict(KEY, key="ab")),
    ("an empty key", dict(KEY, key="")),
    ("kind press (a press has no kind)", dict(KEY, kind="press")),
    ("empty key text", dict(KEY, text="")),
    ("a field 1.0 does not have", dict(KEY, repeat_count=2)),
    ("a mouse event with negative x", dict(MOUSE, x=-1)),
    ("a mouse event with x as a string", dict(MOUSE, x="3")),
    ("a mouse event with super", dict(MOUSE, mods=["super"])),
    ("a mouse event without y", {k: v for k, v in MOUSE.items() if k != "y"}),
    ("pixels false (absent instead)", dict(MOUSE, pixels=False)),
    ("scroll with the left button", dict(MOUSE, action="scroll")),
    ("a press of a wheel button", dict(MOUSE, button="wheel_up")),
    ("move with a button", dict(MOUSE, action="move")),
    ("a paste without text", {"type": "paste"}),
    ("paste bytes in upper case", {"type": "paste", "text": "\ufffd", "bytes": "FF"}),
    ("paste continued false", {"type": "paste", "text": "x", "continued": False}),
    ("a clipboard without selection", {"type": "clipboard", "text": "x"}),
    ("a clipboard selection with a semicolon", {"type": "clipboard", "selection": "c;p", "text": "x"}),
    ("clipboard bytes for valid text", {"type": "clipboard", "selection": "c", "text": "ab", "bytes": "6162"}),
    ("clipboard continued false", {"type": "clipboard", "selection": "c", "text": "x", "continued": False}),
    ("focus gained as a number", {"type": "focus", "gained": 1}),
    ("resize with one pixel field", {"type": "resize", "cols": 80, "rows": 24, "width_px": 640}),
    ("resize with negative rows", {"type": "resize", "cols": 80, "rows": -1}),
    ("cursor_position as floats", {"type": "cursor_position", "row": 1.5, "col": 1}),
    ("an unknown report kind", {"type": "report", "what": "da4", "value": []}),
    ("a report without value", {"type": "report", "what": "osc"}),
    ("da1 value as a string", {"type": "report", "what": "da1", "value": "62;22"}),
    ("da1 parameter below -1", {"type": "report", "what": "da1", "value": [-2]}),
    ("decrpm without private", {"type": "report", "what": "decrpm", "value": {"mode": 1, "value": 2}}),
    ("color_scheme as a number", {"type": "report", "what": "color_scheme", "value": 1}),
    ("osc value as a list", {"type": "report", "what": "osc", "value": [11]}),
    ("xtgettcap without its 1+r", {"type": "report", "what": "xtgettcap", "value": "544e=787465726d"}),
    ("paste bytes for valid text", {"type": "paste", "text": "abc", "bytes": "616263"}),
    ("unknown bytes in upper case", {"type": "unknown", "bytes": "1B5B"}),
    ("unknown bytes of odd length", {"type": "unknown", "bytes": "1b5"}),
    ("unknown without bytes", {"type": "unknown"}),
    ("lagged with 0 missed", {"type": "lagged", "missed": 0}),
    ("eof with a field", {"type": "eof", "reason": "hangup"}),
    ("error without message", {"type": "error"}),
    ("rx 0", dict(KEY, rx=0)),
    ("an array", [KEY]),
    ("capabilities without a field (unknown is null, never left out)",
     {k: v for k, v in CAPS_NONE.items() if k != "version"}),
    ("capabilities with rx (printed once, by no receiver)", dict(CAPS_NONE, rx=1)),
    ("a capabilities field 1.1 does not have", dict(CAPS_NONE, synchronized_output=True)),
    ("a colour in upper case", dict(CAPS_ALL, background="#FFFFDD")),
    ("a colour as rgb:", dict(CAPS_ALL, background="rgb:ffff/ffff/dddd")),
    ("mode support unknown as a string (it is null)",
     dict(CAPS_NONE, modes=[{"mode": 1, "support": "unknown"}])),
    ("mode support as the DECRPM number", dict(CAPS_NONE, modes=[{"mode": 1, "support": 2}])),
    ("color_scheme unknown as a string (it is null)", dict(CAPS_NONE, color_scheme="unknown")),
    ("an empty version (it is null)", dict(CAPS_ALL, version="")),
    ("an empty DA1 (it is null)", dict(CAPS_ALL, device_attributes=[])),
    ("a round trip of 0 (it is null)", dict(CAPS_ALL, round_trip_us=0)),
    ("answered without a round trip", dict(CAPS_ALL, round_trip_us=None)),
    ("timed out without the time waited", dict(CAPS_NONE, elapsed_us=None)),
    ("not queried with a time", dict(CAPS_NONE, status="not_queried")),
    ("elapsed as a float of milliseconds", dict(CAPS_ALL, elapsed_us=2.345)),
    ("cell pixels without height", dict(CAPS_ALL, cell_pixels={"width": 10})),
]

MUST_ACCEPT = [
    {"type": "lagged", "missed": 18446744073709551615},
    {"type": "lagged", "missed": 3, "rx": 2},
    {"type": "error", "message": "read: Input/output error"},
    {"type": "eof"},
    {"type": "mouse", "action": "release", "button": "wheel_down", "x": 0, "y": 0, "mods": []},
    {"type": "mouse", "action": "drag", "button": "b9", "x": 1200, "y": 800, "mods": ["shift", "alt", "ctrl"],
     "pixels": True},
    {"type": "key", "key": "f63", "mods": ["shift", "alt", "ctrl", "super", "hyper", "meta", "capslock", "numlock"],
     "kind": "release"},
    {"type": "key", "key": "\U0001f600", "mods": [], "text": "\U0001f600", "shifted": "A", "base": "a"},
    {"type": "paste", "text": "a\ufffd", "bytes": "61ff", "continued": True},
    {"type": "resize", "cols": 0, "rows": 0, "width_px": 0, "height_px": 600},
    {"type": "clipboard", "selection": "", "text": ""},
    {"type": "clipboard", "selection": "s0", "text": "\ufffd", "bytes": "ff", "continued": True},
    CAPS_NONE,
    CAPS_ALL,
    dict(CAPS_NONE, status="not_queried", elapsed_us=None, modes=[]),
    dict(CAPS_NONE, status="unavailable", elapsed_us=None),
    dict(CAPS_NONE, status="timed_out", round_trip_us=700, version="tmux 3.3a"),
]


def check_hand_written(validator):
    for why, obj in MUST_REJECT:
        if validator.is_valid(obj):
            raise Failure("the schema accepts %s: %s" % (why, json.dumps(obj)))
    for obj in MUST_ACCEPT:
        err = jsonschema.exceptions.best_match(validator.iter_errors(obj))
        if err is not None:
            raise Failure("the schema rejects a valid line %s: %s" % (json.dumps(obj), err.message))
    return len(MUST_REJECT), len(MUST_ACCEPT)


# --- 3. replays -------------------------------------------------------------------------------

class Checker:
    """Validates lines, each distinct line once, and counts them per type."""

    def __init__(self, validator):
        self.validator = validator
        self.seen = {}  # line -> type
        self.per_type = collections.Counter()
        self.lines = 0

    def line(self, raw, origin):
        t = self.seen.get(raw)
        if t is None:
            t = self.check(raw, origin)
            self.seen[raw] = t
        self.per_type[t] += 1
        self.lines += 1
        return t

    def check(self, raw, origin):
        def fail(msg):
            shown = raw.decode("utf-8", errors="backslashreplace")
            raise Failure("%s\n  input: %s\n  line:  %s" % (msg, origin, shown[:2000]))

        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            fail("not UTF-8: %s" % e)
        for ch in ("\u0085", "\u2028", "\u2029"):
            if ch in text:
                fail("raw U+%04X in a line (the format escapes it)" % ord(ch))
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            fail("not JSON: %s" % e)
        err = jsonschema.exceptions.best_match(self.validator.iter_errors(obj))
        if err is not None:
            where = "/".join(str(p) for p in err.absolute_path) or "(the object)"
            fail("invalid at %s: %s" % (where, err.message))
        return obj["type"]


def replay(echo, path, chunk):
    cmd = [echo, "--replay", path, "--json"] + (["--chunk", "1"] if chunk else [])
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Failure("cannot run %s: %s" % (" ".join(cmd), e))
    if p.returncode != 0:
        raise Failure("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode(errors="replace")[-500:]))
    if p.stdout and not p.stdout.endswith(b"\n"):
        raise Failure("%s: the output does not end with a newline" % " ".join(cmd))
    return p.stdout.split(b"\n")[:-1]


# Between two inputs of a batch: ends a bracketed paste, aborts an OSC/DCS/APC string (the ESC),
# cuts an unfinished CSI or X10 mouse report short, and in the ground state is one unknown
# event. Without it, one corpus file that ends inside a paste or a string would swallow the
# files after it; with it, a batch gives nearly the same lines as its inputs one by one.
SEPARATOR = b"\x1b[201~"


def check_inputs(echo, checker, groups, tmp, each):
    """Every input as read and with --chunk 1. An input is (origin, bytes). Unless `each`, the
    inputs of a group are decoded as one batch (a process per input would take a minute for
    the corpus); when a batch has an invalid line, its inputs are run one by one to name the
    input that produces it."""
    jobs = []
    for name, items in groups:
        if each:
            jobs += [(origin, [(origin, data)]) for origin, data in items]
        elif items:
            jobs.append(("%s (%d inputs, joined by ESC [ 201 ~)" % (name, len(items)), items))
    for n, (origin, items) in enumerate(jobs):
        path = os.path.join(tmp, "job-%d" % n)
        with open(path, "wb") as f:
            f.write(items[0][1] if len(items) == 1 else b"".join(data + SEPARATOR for _, data in items))
        for chunk in (False, True):
            where = origin + (" (--chunk 1)" if chunk else "")
            try:
                for raw in replay(echo, path, chunk):
                    checker.line(raw, where)
            except Failure:
                if len(items) > 1:
                    check_inputs(echo, Checker(checker.validator), [("", items)], tmp, True)
                raise


# A paste longer than the default DecoderOptions::paste_cap (4 MiB): two parts, the first with
# "continued":true, the second with a broken byte (so "bytes"; kept out of the first part,
# whose 8 MiB of hex would take jsonschema's pattern check seconds).
PASTE_CAP = 1 << 22
LONG_PASTE = b"\x1b[200~" + b"x" * PASTE_CAP + b"\xc3\xa9\xff\x1b[201~"


def file_inputs(paths):
    out = []
    for path in paths:
        with open(path, "rb") as f:
            out.append((path, f.read()))
    return out


def vector_inputs(shared_dir):
    inputs = []
    for fn in sorted(glob.glob(os.path.join(shared_dir, "conformance", "*.jsonl"))):
        with open(fn, encoding="utf-8") as f:
            for lineno, text in enumerate(f, 1):
                if text.strip():
                    v = json.loads(text)
                    origin = "%s:%d (%s, bytes %s)" % (fn, lineno, v.get("id"), v["bytes"][:80])
                    inputs.append((origin, bytes.fromhex(v["bytes"])))
    return inputs


# --- 4. live mode in a pseudo-terminal ---------------------------------------------------------

LIVE_INPUT = (b"a\x1b[A"                       # a key, a named key
              b"\x1b[<32;700;300M"             # a drag at pixel 699,299 (--pixels)
              b"\x1b[200~pasted\x1b[201~"      # bracketed paste
              b"\x1b]52;c;aGk=\x1b\\"          # a clipboard reply
              b"\x1b[I"                        # focus in
              b"\x1b[48;24;80;480;640t"        # in-band resize
              b"\x1b[24~")                     # F12: the marker that all of it arrived


class Live:
    """vtinput-echo in live mode on a pty, its output read line by line."""

    def __init__(self, echo, args):
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen([echo] + args, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        os.close(slave)
        self.buf = b""
        self.lines = []
        self.written = b""  # what it wrote to its terminal (read_terminal)

    def wait_for(self, what, pred, timeout=TIMEOUT):
        """Reads stdout until pred(list of lines so far) holds."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while not pred(self.lines):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise Failure("live mode: timed out waiting for %s; lines so far: %s"
                              % (what, b"\n".join(self.lines[-10:]).decode(errors="replace")))
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise Failure("live mode: the output ended before %s; stderr: %s"
                              % (what, self.proc.stderr.read().decode(errors="replace")[-500:]))
            self.buf += chunk
            *done, self.buf = self.buf.split(b"\n")
            self.lines += done

    def wait_stderr(self, needle, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        seen = b""
        fd = self.proc.stderr.fileno()
        while needle not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise Failure("live mode: vtinput-echo did not start: %s" % seen.decode(errors="replace"))
            chunk = os.read(fd, 4096)
            if not chunk:
                raise Failure("live mode: vtinput-echo ended at start: %s" % seen.decode(errors="replace"))
            seen += chunk

    def write(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.master, view)
            view = view[n:]

    def abandon(self):
        """After a failure, or after close(): nothing of the session is left behind."""
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("live mode: vtinput-echo did not end after the terminal closed")
        if self.proc.returncode != 0:
            raise Failure("live mode: vtinput-echo exited %d at the end of input: %s"
                          % (self.proc.returncode, self.proc.stderr.read().decode(errors="replace")[-500:]))


    def read_terminal(self, needle, start=0, timeout=TIMEOUT):
        """Reads what the program writes to its terminal until `needle` appears after offset
        `start`; returns everything read so far."""
        deadline = time.monotonic() + timeout
        while needle not in self.written[start:]:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.master], [], [], left)[0]:
                raise Failure("live mode: vtinput-echo did not write %r to its terminal; it wrote %r"
                              % (needle, self.written))
            self.written += os.read(self.master, 4096)
        return self.written


def count(lines, fragment):
    return sum(1 for line in lines if fragment in line)


def check_live(echo, checker):
    """One session with two receivers: events of every kind, a SIGWINCH, a flood that laps the
    receivers while standard output is not read, then the terminal closes. Returns a note when
    skipped."""
    import fcntl
    import termios
    try:
        live = Live(echo, ["--json", "--no-query", "--all", "--pixels", "--raw", "--subscribers", "2"])
    except OSError as e:
        return "live mode skipped: no pseudo-terminal (%s)" % e
    try:
        live.wait_stderr(b"Ctrl+C")  # the device is open and the terminal in raw mode
        f12 = b'"key":"f12"'
        live.write(LIVE_INPUT)
        live.wait_for("F12 on both receivers", lambda ls: count(ls, f12) >= 2)
        fcntl.ioctl(live.master, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 800, 600))
        live.proc.send_signal(signal.SIGWINCH)  # the pty is not its controlling terminal
        live.wait_for("the SIGWINCH resize", lambda ls: count(ls, b'"rows":30') >= 2)
        # Standard output is not read while 64 Ki keys arrive: the pipe fills, both receivers
        # block writing, and the channel (4096 events) laps them.
        live.write(b"x" * 65536 + b"\x1b[24~")
        live.wait_for("F12 after the flood", lambda ls: count(ls, f12) >= 4)
        os.close(live.master)  # the terminal hangs up: each receiver prints eof, then it ends
        live.master = -1
        live.wait_for("eof", lambda ls: count(ls, b'"type":"eof"') >= 2)
        live.close()
    finally:
        live.abandon()
    for raw in live.lines:
        checker.line(raw, "live mode (--all --pixels --raw --subscribers 2)")
    missing = [t for t in ("raw", "eof", "lagged", "mouse", "resize", "clipboard")
               if not count(live.lines, b'"type":"%s"' % t.encode())]
    if missing:
        raise Failure("live mode: no %s line; first lines: %s"
                      % (missing, b"\n".join(live.lines[:40]).decode(errors="replace")))
    if not count(live.lines, b'"pixels":true'):
        raise Failure("live mode: no mouse line with pixels")
    return None


# A scripted terminal's answers to the two rounds of the probe (lib/terminal/capabilities.cpp)
# in the forms kitty sends them, so that every field of the capabilities line has a value.
# XTVERSION is answered, so the second round comes; it is no xterm, so it has no XTQMODKEYS.
PROBE_ROUND_1 = (b"\x1b[?1u"
                 + b"".join(b"\x1b[?%d;2$y" % m for m in QUERIED_MODES)
                 + b"\x1b[?997;1n\x1b]10;rgb:dddd/dddd/dddd\x1b\\\x1b]11;rgb:0000/0000/0000\x1b\\"
                 b"\x1b[4;480;800t\x1b[6;20;10t\x1bP>|vtinput-test(1)\x1b\\\x1b[>1;4000;31c\x1b[?62;4;22c")
PROBE_ROUND_2 = (b"\x1bP1+r544e=787465726d2d6b69747479\x1b\\"  # TN=xterm-kitty
                 b"\x1bP1+r524742=382f382f38\x1b\\"            # RGB=8/8/8
                 b"\x1bP1+r636f6c6f7273=323536\x1b\\"          # colors=256
                 b"\x1b_Gi=31;OK\x1b\\\x1b[?62;4;22c")
PROBE_RESULT = dict(CAPS_NONE, status="answered", version="vtinput-test(1)", terminal_name="xterm-kitty",
                    device_attributes=[62, 4, 22], secondary_attributes=[1, 4000, 31], kitty_flags=1,
                    foreground="#dddddd", background="#000000", color_scheme="dark", truecolor=True,
                    colors=256, sixel=True, kitty_graphics=True, cell_pixels={"width": 10, "height": 20},
                    window_pixels={"width": 800, "height": 480},
                    modes=[{"mode": m, "support": "reset"} for m in QUERIED_MODES])


def probe_session(echo, checker, answer):
    """vtinput-echo --json with the probe: the test answers both rounds as a terminal would
    (`answer`), or nothing. Returns the capabilities object, after checking that it is the
    first line, that a key typed after it is the next, and that no reply leaked as an event."""
    timeout = "20000" if answer else "50"  # answered: the timeout only fires on failure
    live = Live(echo, ["--json", "--query-timeout", timeout])
    try:
        live.wait_stderr(b"Ctrl+C")  # the device is open; the probe follows
        if answer:
            end = len(live.read_terminal(b"\x1b8\x1b[c"))  # round one ends: DECRC, DA1
            live.write(PROBE_ROUND_1)
            live.read_terminal(b"\x1b[c", end)  # round two: XTGETTCAP, kitty graphics, DA1
            live.write(PROBE_ROUND_2)
        live.wait_for("the capabilities line", lambda ls: len(ls) >= 1)
        live.write(b"a")
        live.wait_for("the key after the probe", lambda ls: len(ls) >= 2)
        os.close(live.master)
        live.master = -1
        live.wait_for("eof", lambda ls: count(ls, b'"type":"eof"') >= 1)
        live.close()
    finally:
        live.abandon()
    what = "live mode with the probe (%s)" % ("answered" if answer else "no answer")
    for raw in live.lines:
        checker.line(raw, what)
    types = [json.loads(raw)["type"] for raw in live.lines]
    if types != ["capabilities", "key", "eof"]:
        raise Failure("%s: expected the capabilities line, the key, eof; got %s"
                      % (what, b"\n".join(live.lines).decode(errors="replace")))
    return json.loads(live.lines[0])


def check_live_probe(echo, checker):
    caps = probe_session(echo, checker, True)
    timed = {k: caps[k] for k in ("elapsed_us", "round_trip_us")}
    if not all(isinstance(v, int) and v > 0 for v in timed.values()):
        raise Failure("live mode with the probe: times %s" % timed)
    if dict(caps, **{k: None for k in timed}) != dict(PROBE_RESULT, elapsed_us=None):
        raise Failure("live mode with the probe: got %s\nexpected %s" % (json.dumps(caps), json.dumps(PROBE_RESULT)))
    silent = probe_session(echo, checker, False)
    if dict(silent, elapsed_us=500000) != CAPS_NONE or not isinstance(silent["elapsed_us"], int):
        raise Failure("live mode, no answer to the probe: got %s" % json.dumps(silent))


def main(argv):
    args = argv[1:]
    live = args[:1] == ["--live"]
    each = args[:1] == ["--each"]
    if live or each:
        args = args[1:]
    if len(args) not in (3, 4) and not (live and len(args) == 2):
        print(__doc__)
        return 2
    echo, schema_path = args[:2]
    start = time.monotonic()
    try:
        schema, validator = load_validator(schema_path)
        checker = Checker(validator)
        if live:
            note = check_live(echo, checker)
            if note:
                print("SKIP: " + note)
                return 77
            check_live_probe(echo, checker)
            print("live mode: one pty session with 2 receivers checked; the capabilities line with the probe "
                  "answered by the test and unanswered")
        else:
            root = args[2]
            shared_dir = args[3] if len(args) == 4 else ""
            check_names(schema, root)
            rejected, accepted = check_hand_written(validator)
            print("schema: names agree with lib/event/names.cpp; %d hand-written bad objects rejected, %d good "
                  "ones accepted" % (rejected, accepted))
            sample = os.path.join(root, "demo", "sample.input")
            corpus = sorted(glob.glob(os.path.join(root, "tests", "fuzz", "corpus", "*")))
            vectors = vector_inputs(shared_dir) if shared_dir else []
            groups = [("demo/sample.input", file_inputs([sample])),
                      ("tests/fuzz/corpus", file_inputs(corpus)),
                      ("conformance vectors", vectors),
                      ("long paste", [("a paste over DecoderOptions::paste_cap", LONG_PASTE)])]
            with tempfile.TemporaryDirectory() as tmp:
                check_inputs(echo, checker, groups, tmp, each)
            if not any(b'"continued":true' in line for line in checker.seen):
                raise Failure("no paste part with \"continued\":true from the long paste (paste_cap is not 4 MiB?)")
            print("replay: sample.input, %d corpus files, %d conformance vectors%s, a paste over paste_cap; "
                  "each %s, as read and with --chunk 1"
                  % (len(corpus), len(vectors), "" if vectors else " (none in '%s')" % shared_dir,
                     "on its own" if each else "group as one input"))
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    per_type = ", ".join("%s %d" % kv for kv in sorted(checker.per_type.items()))
    print("lines validated: %d (%d distinct), per type: %s" % (checker.lines, len(checker.seen), per_type))
    print("passed in %.1f s" % (time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
