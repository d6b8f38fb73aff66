#!/usr/bin/env python3
"""A live round trip of vtinput-echo --record (suite 'pty', test 'record-live').

vtinput-echo --record F --json --no-query runs on a pseudo-terminal (standard input, and its
controlling terminal); its JSON lines go to a file. The test types:
  - ESC, then, after a deliberate pause of 300 ms, "[A": live, the ESC timeout (50 ms) makes
    that Escape, '[', 'A', not Up;
  - ESC [ B in one write: Down;
  - the first byte of a two-byte UTF-8 character, a pause, the second byte: two unknown events;
  - ESC, and "[B" as soon as Escape is printed: the recorder must stamp the ESC as early as it
    came, not when the timeout resolved it, or the replay would join it with the "[B";
  - the whole character at once;
  - Ctrl+C twice, which ends the session.
Then `--replay F --json` must print exactly the events the live session printed, and
`--replay F --json --no-timing` must not (it reads the ESC [ A as Up): the timing in the
recording is what reproduces the live events.

No sleep is a synchronisation. Every wait polls for a marker (a notice, an event line, a record
in the file) until a deadline that only expires on failure. The two pauses are the point of the
test, and each is long enough whatever the load: the next bytes are written no sooner than
300 ms after the first and 100 ms after the recorder wrote the record of the first (it stamps
records when it receives them, so the recorded gap is then longer than the 50 ms timeout).

Usage: record_pty_test.py VTINPUT_ECHO. Exit 0 pass, 1 fail, 77 skipped (no PTY).
"""

import fcntl
import os
import pty
import select
import subprocess
import sys
import tempfile
import termios
import time

DEADLINE = 20.0  # seconds; only a failure waits this long
GAP = 0.3  # the deliberate pause inside a sequence, in seconds
MARGIN = 0.1  # after the recorder wrote the record before the pause


def fail(message, work=None):
    print(f"record-live: FAIL: {message}")
    if work:
        for name in ("live.jsonl", "stderr", "session.rec"):
            path = os.path.join(work, name)
            if os.path.exists(path):
                print(f"--- {name}:")
                with open(path, "rb") as f:
                    print(f.read().decode("utf-8", "replace"))
    sys.exit(1)


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


class Session:
    def __init__(self, echo, work):
        self.work = work
        self.out = os.path.join(work, "live.jsonl")
        self.err = os.path.join(work, "stderr")
        self.rec = os.path.join(work, "session.rec")
        self.master, slave = pty.openpty()
        # Cells for the terminal's size; the program does not need them, but a zero size is odd.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x18\x00\x50\x00\x00\x00\x00\x00")

        def controlling_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(
                [echo, "--record", self.rec, "--json", "--no-query"],
                stdin=slave,
                stdout=out,
                stderr=err,
                preexec_fn=controlling_terminal,
            )
        os.close(slave)

    def drain(self):
        """Reads what the program wrote to the terminal (mode sequences), so it never blocks."""
        while select.select([self.master], [], [], 0)[0]:
            try:
                if not os.read(self.master, 4096):
                    return
            except OSError:  # EIO once the program has closed the terminal
                return

    def wait_for(self, what, test):
        end = time.monotonic() + DEADLINE
        while True:
            self.drain()
            if test():
                return time.monotonic()
            if self.proc.poll() is not None:
                fail(f"the program ended (status {self.proc.returncode}) before {what}", self.work)
            if time.monotonic() > end:
                fail(f"missing {what}", self.work)
            time.sleep(0.01)  # the polling interval, not a synchronisation

    def events(self):
        return [line for line in read_text(self.out).splitlines() if line.strip()]

    def wait_events(self, count, what):
        return self.wait_for(what, lambda: len(self.events()) >= count)

    def records(self):
        return [line for line in read_text(self.rec).splitlines()[1:] if line and not line.startswith("#")]

    def wait_records(self, count, what):
        return self.wait_for(what, lambda: os.path.exists(self.rec) and len(self.records()) >= count)

    def type(self, data):
        os.write(self.master, data)

    def pause_after(self, first_written, record_seen):
        """The deliberate pause: GAP after the first bytes, MARGIN after their record."""
        until = max(first_written + GAP, record_seen + MARGIN)
        time.sleep(max(0.0, until - time.monotonic()))


def main():
    echo = sys.argv[1]
    try:
        master, slave = pty.openpty()
        os.close(master)
        os.close(slave)
    except OSError as e:
        print(f"record-live: no pseudo-terminal ({e}): skipped")
        return 77

    with tempfile.TemporaryDirectory() as work:
        s = Session(echo, work)
        s.wait_for("the start-up notice", lambda: "press Ctrl+C twice to quit" in read_text(s.err))

        # ESC, then [A after a pause longer than the ESC timeout: live, Escape '[' 'A'.
        written = time.monotonic()
        s.type(b"\x1b")
        s.wait_events(1, "Escape (the ESC timeout, live)")
        seen = s.wait_records(1, "the record of ESC")
        s.pause_after(written, seen)
        s.type(b"[A")
        s.wait_events(3, "'[' and 'A'")
        # A whole sequence in one write.
        s.type(b"\x1b[B")
        s.wait_events(4, "Down")
        # One record per RawEvent: ESC, '[', 'A', ESC [ B.
        s.wait_records(4, "the records of '[', 'A' and ESC [ B")
        # A UTF-8 character split by a pause: two unknown events.
        written = time.monotonic()
        s.type(b"\xc3")
        s.wait_events(5, "the first half of the character (unknown)")
        seen = s.wait_records(5, "the record of the first half")
        s.pause_after(written, seen)
        s.type(b"\xa9")
        s.wait_events(6, "the second half of the character (unknown)")
        # ESC, and [B as soon as the timeout has resolved it: no pause but the polling interval.
        # The recorder first catches up (the record of the a9), so that the ESC is the only
        # input it has not stamped yet when the timeout resolves it.
        s.wait_records(6, "the record of the second half")
        s.type(b"\x1b")
        s.wait_events(7, "Escape (the ESC timeout, live), again")
        s.type(b"[B")
        s.wait_events(9, "'[' and 'B'")
        # The whole character at once, then Ctrl+C twice.
        s.type("é".encode())
        s.wait_events(10, "é")
        s.type(b"\x03")
        s.wait_for("the Ctrl+C notice", lambda: "press Ctrl+C again to quit" in read_text(s.err))
        s.type(b"\x03")
        end = time.monotonic() + DEADLINE
        while s.proc.poll() is None:
            s.drain()
            if time.monotonic() > end:
                s.proc.kill()
                fail("the program did not end after Ctrl+C twice", work)
            time.sleep(0.01)
        os.close(s.master)
        if s.proc.returncode != 0:
            fail(f"exit status {s.proc.returncode}", work)

        live = s.events()
        expected_keys = ["escape", "[", "A", "down", None, None, "escape", "[", "B", "é", "c", "c"]
        if len(live) != len(expected_keys):
            fail(f"{len(live)} live events, expected {len(expected_keys)}", work)
        for line, key in zip(live, expected_keys):
            want = '"type":"unknown"' if key is None else f'"key":"{key}"'
            if want not in line:
                fail(f"live event {line} is not {want}", work)

        header = read_text(s.rec).splitlines()[0]
        if not header.startswith("vtinput-record 1"):
            fail(f"the recording's header is '{header}'", work)
        times = [int(r.split(" ")[0]) for r in s.records()]
        if times != sorted(times):
            fail("the recorded times go back", work)

        replay = subprocess.run([echo, "--replay", s.rec, "--json"], capture_output=True, check=False)
        replayed = replay.stdout.decode().splitlines()
        if replay.returncode != 0 or replayed != live:
            print("--- replayed:\n" + "\n".join(replayed) + "\n" + replay.stderr.decode())
            fail(f"--replay (status {replay.returncode}) does not print the live events", work)

        untimed = subprocess.run([echo, "--replay", s.rec, "--json", "--no-timing"], capture_output=True, check=False)
        first = untimed.stdout.decode().splitlines()[:1]
        if untimed.returncode != 0 or first != ['{"type":"key","key":"up","mods":[]}']:
            fail(f"--no-timing starts with {first}, not Up", work)

        gap_us = times[1] - times[0] if len(times) > 1 else 0
        print(f"record-live: {len(live)} events live and replayed alike; "
              f"{len(times)} records, ESC to '[' {gap_us / 1000:.0f} ms apart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
