#!/usr/bin/env python3
# The whole-program table of compare.sh: reads its raw results (the `programs rep=R ...` lines of
# program_latency, the `decoder-bytewise rep=R ...` lines of decoder_bench --bytewise) and
# prints Markdown: one row per program with latency, CPU per event under a paced stream,
# context switches, idle wake-ups and peak RSS, then the one-byte feed cost per corpus.
#
#   programs_table.py RAW RATE IDLE_SECONDS
#
# Each cell is the median over the runs (reps), with its ratio to the floor of the same run
# (the `read` peer; for the one-byte feed, whole feeds) and the min-max of that ratio over the
# runs; a program that was not built or failed says so.
import statistics
import sys

ORDER = [
    ("read", "raw read() loop (floor)"),
    ("libuv", "libuv uv_tty read (floor)"),
    ("libtermkey", "libtermkey (caller's thread)"),
    ("ncurses", "ncurses getch (caller's thread)"),
    ("crossterm", "crossterm (caller's thread)"),
    ("notcurses", "notcurses (input thread + hand-off)"),
    ("vtinput", "vtinput, 1 subscriber"),
    ("vtinput-sub4", "vtinput, 4 subscribers"),
    ("vtinput-sub16", "vtinput, 16 subscribers"),
    ("vtinput-inline", "vtinput, inline handler"),
    ("vtinput-lean", "vtinput, 1 subscriber, linked lean"),
    ("vtinput-echo", "vtinput-echo --json"),
]


def parse(path):
    rows, byte = [], []
    for line in open(path):
        words = line.split()
        if not words:
            continue
        kv = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        if words[0] == "programs" and "name" in kv:
            rows.append(kv)
        elif words[0] == "decoder-bytewise":
            byte.append(kv)
    return rows, byte


def spread(values, fmt):
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    return fmt % lo if fmt % lo == fmt % hi else (fmt + "–" + fmt) % (lo, hi)


def cell(rows, name, value_key, ratio_key=None, unit="", fmt="%.1f", **match):
    sel = [r for r in rows if r["name"] == name and all(r.get(k) == v for k, v in match.items())]
    if not sel:
        return None
    vals = [float(r[value_key]) for r in sel]
    text = (fmt % statistics.median(vals)) + unit
    if ratio_key:
        ratios = [float(r[ratio_key]) for r in sel if r.get(ratio_key)]
        if ratios:
            text += " ×%.2f (%s)" % (statistics.median(ratios), spread(ratios, "%.2f"))
    else:
        text += " (%s)" % spread(vals, fmt)
    return text


def rss_cell(rows, name):
    sel = [r for r in rows if r["name"] == name and r["what"] == "rss"]
    floor = {r["rep"]: float(r["hwm_kib"]) for r in rows if r["name"] == "read" and r["what"] == "rss"}
    if not sel:
        return None
    mb = [float(r["hwm_kib"]) / 1024 for r in sel]
    ratios = [float(r["hwm_kib"]) / floor[r["rep"]] for r in sel if floor.get(r["rep"])]
    text = "%.1f MB" % statistics.median(mb)
    if ratios:
        text += " ×%.1f (%s)" % (statistics.median(ratios), spread(ratios, "%.1f"))
    return text


def main():
    raw, rate, idle = sys.argv[1], sys.argv[2], sys.argv[3]
    rows, byte = parse(raw)
    reps = sorted({r["rep"] for r in rows})
    print()
    print("Whole programs on a PTY (`program_latency`, %d run(s)): a key written to the master until the"
          " program prints its line; CPU and context switches of all the program's threads per event at"
          " %s events/s; idle for %s s. Each cell: the median over the runs, ×ratio to the raw read()"
          " loop of the same run, and (min–max of that ratio); idle cells give the min–max of the value."
          % (len(reps), rate, idle))
    print()
    print("| program | p50 key, unpinned | p90 key, unpinned | p50 Ctrl+Up, unpinned | p50 key, pinned apart"
          " | CPU per key | CPU per mouse report | ctx switches per key | of them, the application's | of those, wake-ups | idle wake-ups in %s s | idle CPU | RSS (VmHWM) |"
          % idle)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, label in ORDER:
        cells = [
            cell(rows, name, "p50_us", "p50_vs_read", " µs", what="latency", payload="1", pin="none"),
            cell(rows, name, "p90_us", "p90_vs_read", " µs", what="latency", payload="1", pin="none"),
            cell(rows, name, "p50_us", "p50_vs_read", " µs", what="latency", payload="6", pin="none"),
            cell(rows, name, "p50_us", "p50_vs_read", " µs", what="latency", payload="1", pin="cross"),
            cell(rows, name, "cpu_us_per_event", "cpu_vs_read", " µs", what="stream", kind="key"),
            cell(rows, name, "cpu_us_per_event", "cpu_vs_read", " µs", what="stream", kind="mouse"),
            cell(rows, name, "ctx_per_event", None, "", "%.2f", what="stream", kind="key"),
            cell(rows, name, "app_ctx_per_event", None, "", "%.2f", what="stream", kind="key"),
            cell(rows, name, "app_wakes_per_event", None, "", "%.2f", what="stream", kind="key"),
            cell(rows, name, "wakeups", None, "", "%.0f", what="idle"),
            cell(rows, name, "cpu_us", None, " µs", "%.0f", what="idle"),
            rss_cell(rows, name),
        ]
        if not any(cells):
            status = [r for r in rows if r["name"] == name and r["what"] == "status"]
            why = status[0]["status"].replace("-", " ") if status else "not run"
            if status and status[0]["status"] == "failed":
                why += ": " + status[0].get("why", "").replace("_", " ")
            print("| %s | %s |%s" % (label, why, " |" * (len(cells) - 1)))
            continue
        print("| %s | %s |" % (label, " | ".join(c or "-" for c in cells)))
    # The floors print a line per read(), and two events can arrive in one read: only the
    # decoding programs must print every event.
    lost = [r for r in rows if r["what"] == "stream" and r["sent"] != r["got"] and r["name"] not in ("read", "libuv")]
    for r in lost:
        print()
        print("Note: run %s, %s stream of %s: %s events sent, %s lines seen." % (
            r["rep"], r["kind"], r["name"], r["sent"], r["got"]))
    if byte:
        print()
        print("One-byte feed (`decoder_bench --bytewise`): the decoder fed one byte at a time, against"
              " 64 KiB feeds of the same input in the same run (ratio: median, and min–max over the runs).")
        print()
        print("| corpus | ns/byte, whole feeds | ns/byte, one byte at a time | ratio | events match |")
        print("|---|---:|---:|---:|---|")
        for corpus in dict.fromkeys(b["corpus"] for b in byte):
            sel = [b for b in byte if b["corpus"] == corpus]
            whole = statistics.median(float(b["whole_ns"]) / float(b["bytes"]) for b in sel)
            one = statistics.median(float(b["byte_ns"]) / float(b["bytes"]) for b in sel)
            ratios = [float(b["ratio"]) for b in sel]
            print("| %s | %.2f | %.2f | ×%.2f (%s) | %s |" % (
                corpus, whole, one, statistics.median(ratios), spread(ratios, "%.2f"),
                "ok" if all(b["match"] == "ok" for b in sel) else "MISMATCH"))
    print()
    print("What limits each figure: latency is bounded below by the PTY (the line discipline's work"
          " item, and a cross-CPU wake-up of the reader: see the pinned column) and is one wake-up"
          " more for a library that reads on its own thread (vtinput, notcurses) than for one read on"
          " the caller's thread; CPU per event counts the kernel's read and write paths and the"
          " program's one-line output as well as decoding, so the floor is far from zero; context"
          " switches count every thread, so they grow with the subscribers; idle wake-ups show timers"
          " and polling; RSS includes the C++ runtime, libuv's and the threads' stacks (touched pages"
          " only).")


main()
