#!/usr/bin/env bash
# vtinput against the shared baselines (../shared/bench), in one run: throughput of
# peer_vtinput, floor_fsm, libtermkey, libtickit (and ncurses if asked) on every corpus, and
# callgrind instructions per byte of vtinput and floor_fsm on a prefix, as one Markdown table.
#
# The shared folder is only read: its sources are copied to a scratch dir and built there,
# and corpora are generated there unless the shared ones exist and match counts.json.
#
# Needs: valgrind, libtermkey-dev, libtickit-dev, ncurses-term (the xterm-1006 entry) for the
# peers; a missing peer shows as "failed" in the table.
#
# Knobs (env):
#   BUILD_DIR=<project>/build     meson build dir holding tests/bench/peer_vtinput (rebuilt)
#   SHARED_DIR=<project>/../shared
#   WORK_DIR=/tmp/vtinput-bench   scratch: peer sources + build, corpora, results
#   REPS=5                        timed repetitions per peer (plus one untimed warm-up)
#   NCURSES=1                     0 to leave out ncurses (end-to-end through a PTY, ~0.4 MB/s)
#   CALLGRIND=1                   0 to skip the Ir/B columns
#   CG_LIMIT=1048576              corpus prefix (bytes) for callgrind
#   CORPORA="paste_ascii utf8_text keys_legacy mouse_sgr kitty_keys"
#   NCURSES_LIMIT=262144          corpus prefix for ncurses (0: whole corpus, ~6 min)
#   LAT_ITERS=20000 LAT_PIN=cross round trips per latency case, and the pinning
#   SYSTEM=1                      0 to skip the latency, fan-out, lifecycle, allocation and RSS parts
#   PROGRAMS=1                    0 to skip the whole-program part (program_latency, below)
#   ONLY=                         "programs": the whole-program part and its table only
#   PROG_REPS=2                   runs of program_latency (the table gives their spread)
#   PROG_ITERS=5000               round trips per program and payload, per run
#   PROG_RATE=1000 PROG_SECONDS=3 the paced streams: events per second, seconds per stream
#   PROG_IDLE=20                  seconds the programs idle for the wake-up count
#   PROG_PINNED=1                 0 to skip the latency runs with writer and reader pinned apart
#
# The whole-program part: program_latency (tests/bench/program_latency_linux.cpp) runs each input
# library's minimal program (tests/bench/peers/: a raw read() loop and libuv as floors,
# libtermkey, ncurses, notcurses where libnotcurses-core-dev is installed, crossterm where cargo
# and Debian's librust-crossterm-dev are, vtinput with 1/4/16 subscribers, vtinput-echo --json)
# on a PTY: round-trip latency unpinned and pinned apart, CPU and context switches per key and
# per mouse report at PROG_RATE/s, idle wake-ups, peak RSS; and decoder_bench --bytewise gives
# the cost of feeding the decoder one byte at a time. Every figure is also given as a ratio to
# its floor in the same run (latency and CPU: the read() loop; one-byte feed: whole feeds).
#
# Beyond the decoder table it runs the project's own benchmark programs (latency_bench,
# channel_bench, lifecycle_bench, alloc_bench) and measures the peak RSS of
# `vtinput-echo --replay` on each corpus, and writes everything to one summary.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$project/build}
SHARED_DIR=${SHARED_DIR:-$project/../shared}
WORK_DIR=${WORK_DIR:-/tmp/vtinput-bench}
REPS=${REPS:-5}
NCURSES=${NCURSES:-1}
NCURSES_LIMIT=${NCURSES_LIMIT:-262144}
LAT_ITERS=${LAT_ITERS:-20000}
LAT_PIN=${LAT_PIN:-cross}
SYSTEM=${SYSTEM:-1}
PROGRAMS=${PROGRAMS:-1}
ONLY=${ONLY:-}
PROG_REPS=${PROG_REPS:-2}
PROG_ITERS=${PROG_ITERS:-5000}
PROG_RATE=${PROG_RATE:-1000}
PROG_SECONDS=${PROG_SECONDS:-3}
PROG_IDLE=${PROG_IDLE:-20}
PROG_PINNED=${PROG_PINNED:-1}
CALLGRIND=${CALLGRIND:-1}
CG_LIMIT=${CG_LIMIT:-1048576}
CORPORA=${CORPORA:-"paste_ascii utf8_text keys_legacy mouse_sgr kitty_keys"}

src=$SHARED_DIR/bench
[ -f "$src/common.h" ] || { echo "compare.sh: no shared bench sources in $src" >&2; exit 2; }

# 1. Build: vtinput's peer in the meson build dir, the shared peers in a scratch copy.
echo "== building" >&2
vt_bin=$BUILD_DIR/tests/bench/peer_vtinput
peers_src=$WORK_DIR/src
mkdir -p "$peers_src"
cp "$src"/*.c "$src"/*.h "$src"/Makefile "$src"/gen_corpora.py "$peers_src"/
if [ "$ONLY" != programs ]; then
    ninja -C "$BUILD_DIR" tests/bench/peer_vtinput tests/bench/latency_bench tests/bench/channel_bench \
        tests/bench/lifecycle_bench tests/bench/alloc_bench demo/vtinput-echo >&2
    targets=(build/floor_fsm build/peer_termkey build/peer_tickit)
    [ "$NCURSES" = 1 ] && targets+=(build/peer_ncurses)
    make -s -C "$peers_src" "${targets[@]}" >&2
fi

# 2. Corpora: the shared ones if present and intact, else generated in the scratch dir.
corpora_ok() {
    python3 - "$1" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
try:
    c = json.load(open(os.path.join(d, "counts.json")))
    for k, v in c.items():
        if k != "_meta" and hashlib.sha256(open(os.path.join(d, v["file"]), "rb").read()).hexdigest() != v["sha256"]:
            sys.exit(1)
except Exception:
    sys.exit(1)
EOF
}
if corpora_ok "$src/corpora"; then
    corpora=$src/corpora
else
    corpora=$WORK_DIR/corpora
    if ! corpora_ok "$corpora"; then
        echo "== generating corpora in $corpora" >&2
        python3 "$peers_src/gen_corpora.py" --out "$corpora" >&2
    fi
fi

out=$WORK_DIR/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
raw=$out/raw.txt
: >"$raw"

bin_of() {
    case $1 in
        vtinput) echo "$vt_bin" ;;
        floor_fsm) echo "$peers_src/build/floor_fsm" ;;
        libtermkey) echo "$peers_src/build/peer_termkey" ;;
        libtickit) echo "$peers_src/build/peer_tickit" ;;
        ncurses) echo "$peers_src/build/peer_ncurses" ;;
    esac
}

peers="vtinput floor_fsm libtermkey libtickit"
if [ "$NCURSES" = 1 ] && ! infocmp "${BENCH_NCURSES_TERM:-xterm-1006}" >/dev/null 2>&1; then
    echo "compare.sh: no terminfo entry ${BENCH_NCURSES_TERM:-xterm-1006} (Debian: ncurses-term); leaving out ncurses" >&2
    NCURSES=0
fi
[ "$NCURSES" = 1 ] && peers="$peers ncurses"

# 3. Throughput: one result line per peer and corpus (common.h's format).
if [ "$ONLY" != programs ]; then
    echo "== throughput (REPS=$REPS)" >&2
    for corpus in $CORPORA; do
        for peer in $peers; do
            echo "  $peer on $corpus" >&2
            args=(--reps "$REPS")
            if [ "$peer" = ncurses ]; then
                args=(--reps 1)
                [ "$NCURSES_LIMIT" != 0 ] && args+=(--limit "$NCURSES_LIMIT")
            fi
            timeout 3600 "$(bin_of "$peer")" "$corpora/$corpus.bin" "${args[@]}" >>"$raw" 2>>"$out/stderr.txt" ||
                echo "fail peer=$peer corpus=$corpus rc=$?" >>"$raw"
        done
    done
fi

# 4. Instructions per byte inside bench_parse, as run_all.sh measures them.
if [ "$CALLGRIND" = 1 ] && [ "$ONLY" != programs ] && command -v valgrind >/dev/null; then
    echo "== callgrind (prefix $CG_LIMIT bytes)" >&2
    for corpus in $CORPORA; do
        for peer in vtinput floor_fsm; do
            echo "  callgrind $peer on $corpus" >&2
            cg=$out/callgrind.$peer.$corpus.out
            if line=$(BENCH_NO_WARMUP=1 valgrind --tool=callgrind --callgrind-out-file="$cg" \
                      --toggle-collect=bench_parse "$(bin_of "$peer")" "$corpora/$corpus.bin" \
                      --reps 1 --limit "$CG_LIMIT" 2>>"$out/stderr.txt"); then
                ir=$(awk '/^totals:/ {print $2}' "$cg")
                bytes=$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' <<<"$line")
                echo "cg peer=$peer corpus=$corpus bytes=$bytes ir=$ir" >>"$raw"
            else
                echo "fail peer=cg-$peer corpus=$corpus rc=$?" >>"$raw"
            fi
        done
    done
fi

# 5. The rest of the system: latency, fan-out, lifecycle, allocations, peak RSS of replay.
if [ "$SYSTEM" = 1 ] && [ "$ONLY" != programs ]; then
    bench=$BUILD_DIR/tests/bench
    echo "== latency ($LAT_ITERS round trips per case, --pin $LAT_PIN)" >&2
    "$bench/latency_bench" --iters "$LAT_ITERS" --pin "$LAT_PIN" >>"$raw" 2>>"$out/stderr.txt" || echo "fail peer=latency" >>"$raw"
    echo "== fan-out" >&2
    "$bench/channel_bench" >>"$raw" 2>>"$out/stderr.txt" || echo "fail peer=channel" >>"$raw"
    echo "== lifecycle" >&2
    "$bench/lifecycle_bench" >>"$raw" 2>>"$out/stderr.txt" || echo "fail peer=lifecycle" >>"$raw"
    echo "== allocations" >&2
    "$bench/alloc_bench" >>"$raw" 2>>"$out/stderr.txt" || echo "fail peer=alloc" >>"$raw"
    echo "== peak RSS of vtinput-echo --replay" >&2
    for corpus in $CORPORA; do
        python3 - "$BUILD_DIR/demo/vtinput-echo" "$corpora/$corpus.bin" "$corpus" >>"$raw" <<'PY'
import resource, subprocess, sys
exe, path, name = sys.argv[1:]
r = subprocess.run([exe, "--replay", path, "--stats"], capture_output=True, text=True)
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, but bytes on macOS
if sys.platform == "darwin":
    rss_kib //= 1024
print("rss corpus=%s kib=%d rc=%d %s" % (name, rss_kib, r.returncode, r.stdout.strip()))
PY
    done
fi

# 5b. Whole programs on a PTY (program_latency and tests/bench/peers/), and the one-byte feed.
if [ "$PROGRAMS" = 1 ] && [ "$(uname -s)" = Linux ]; then
    bench=$BUILD_DIR/tests/bench
    echo "== whole programs: building the peers" >&2
    prog_targets=(tests/bench/program_latency tests/bench/peer_read tests/bench/peer_uv tests/bench/peer_device
                  tests/bench/peer_device_lean tests/bench/decoder_bench demo/vtinput-echo)
    # The optional peers exist as targets only where their library is installed.
    for t in peer_termkey peer_ncurses peer_notcurses; do
        ninja -C "$BUILD_DIR" -t query "tests/bench/$t" >/dev/null 2>&1 && prog_targets+=("tests/bench/$t")
    done
    ninja -C "$BUILD_DIR" "${prog_targets[@]}" >&2
    # crossterm: only offline, from Debian's packaged crates, in a copy of the crate.
    crossterm_bin=
    if command -v cargo >/dev/null && compgen -G "/usr/share/cargo/registry/crossterm-*" >/dev/null; then
        rm -rf "$WORK_DIR/crossterm" && cp -r "$here/peers/crossterm" "$WORK_DIR/crossterm"
        if (cd "$WORK_DIR/crossterm" && cargo build --offline --release --quiet) >>"$out/stderr.txt" 2>&1; then
            crossterm_bin=$WORK_DIR/crossterm/target/release/peer_crossterm
        else
            echo "compare.sh: the crossterm peer did not build (see $out/stderr.txt)" >&2
        fi
    else
        echo "compare.sh: no crossterm peer (needs cargo and Debian's librust-crossterm-dev)" >&2
    fi
    nc_term=xterm-256color
    infocmp xterm-1006 >/dev/null 2>&1 && nc_term=xterm-1006
    prog_args=(--peers "$bench" --echo "$BUILD_DIR/demo/vtinput-echo" --crossterm "$crossterm_bin"
               --ncurses-term "$nc_term" --iters "$PROG_ITERS")
    for rep in $(seq 1 "$PROG_REPS"); do
        echo "== whole programs, run $rep of $PROG_REPS (latency, streams at $PROG_RATE/s, ${PROG_IDLE}s idle)" >&2
        "$bench/program_latency" "${prog_args[@]}" --rate "$PROG_RATE" --seconds "$PROG_SECONDS" \
            --idle "$PROG_IDLE" 2>>"$out/stderr.txt" | sed "s/^programs /programs rep=$rep /" >>"$raw" ||
            echo "fail peer=programs rep=$rep" >>"$raw"
        if [ "$PROG_PINNED" = 1 ]; then
            echo "== whole programs, run $rep: latency with writer and reader pinned apart" >&2
            "$bench/program_latency" "${prog_args[@]}" --phases latency --pin cross 2>>"$out/stderr.txt" |
                sed "s/^programs /programs rep=$rep /" >>"$raw" || echo "fail peer=programs-pinned rep=$rep" >>"$raw"
        fi
        echo "== one-byte feed, run $rep" >&2
        # shellcheck disable=SC2086 # CORPORA is a list of names
        "$bench/decoder_bench" "$corpora" --bytewise --reps 3 $CORPORA 2>>"$out/stderr.txt" |
            sed "s/^decoder-bytewise /decoder-bytewise rep=$rep /" >>"$raw" || echo "fail peer=bytewise rep=$rep" >>"$raw"
    done
fi

# 6. The tables.
{
# The CPU's name: lscpu (util-linux) where there is one, else sysctl (macOS, the BSDs).
cpu_model=$( (lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p';
              sysctl -n machdep.cpu.brand_string hw.model 2>/dev/null || true) | head -n 1)
echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(getconf _NPROCESSORS_ONLN) CPUs (${cpu_model:-unknown CPU}),"
echo "kernel $(uname -r), $(c++ --version | head -n 1); vtinput $(git -C "$project" rev-parse --short HEAD 2>/dev/null || echo '?')."
echo "Command: \`tests/bench/compare.sh\` (REPS=$REPS NCURSES=$NCURSES NCURSES_LIMIT=$NCURSES_LIMIT LAT_ITERS=$LAT_ITERS LAT_PIN=$LAT_PIN CG_LIMIT=$CG_LIMIT ONLY=$ONLY PROG_REPS=$PROG_REPS PROG_ITERS=$PROG_ITERS PROG_RATE=$PROG_RATE PROG_SECONDS=$PROG_SECONDS PROG_IDLE=$PROG_IDLE)."
echo
} | tee "$out/summary.md"
if [ "$ONLY" != programs ]; then
python3 - "$raw" "$corpora/counts.json" "$CORPORA" "$peers" <<'EOF' | tee -a "$out/summary.md"
import json, sys

raw, counts_path, corpora, peers = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
counts = json.load(open(counts_path))
thr, cg = {}, {}
for line in open(raw):
    kv = dict(t.split("=", 1) for t in line.split() if "=" in t)
    if line.startswith("peer="):
        # common.h prints the peer's own name; vtinput's is "vtinput".
        thr[(kv["corpus"], kv["peer"])] = kv
    elif line.startswith("cg "):
        cg[(kv["corpus"], kv["peer"])] = kv

def mbs(corpus, peer):
    r = thr.get((corpus, peer))
    return "%.1f" % (int(r["bytes"]) * 1e3 / int(r["median_ns"])) if r else "-"

def irb(corpus, peer):
    g = cg.get((corpus, peer))
    return int(g["ir"]) / int(g["bytes"]) if g else None

def check(corpus, peer):
    r, exp = thr.get((corpus, peer)), counts.get(corpus)
    if not r or not exp:
        return "-"
    ev = int(r["events"])
    if int(r["bytes"]) < exp["bytes"]:
        return "n/a (prefix of %s bytes)" % r["bytes"]
    return "ok" if ev == exp["events"] else "MISMATCH %+d (%d vs %d)" % (ev - exp["events"], ev, exp["events"])

print("| corpus | vtinput MB/s | floor_fsm MB/s | libtermkey MB/s | vtinput Ir/B | floor_fsm Ir/B | ratio | events match |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for c in corpora:
    v, f = irb(c, "vtinput"), irb(c, "floor_fsm")
    ratio = "%.2f%s" % (v / f, "" if v <= 2 * f else " (> 2x)") if v and f else "-"
    print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
        c, mbs(c, "vtinput"), mbs(c, "floor_fsm"), mbs(c, "libtermkey"),
        "%.1f" % v if v else "-", "%.1f" % f if f else "-", ratio, check(c, "vtinput")))

print()
print("All peers (MB/s = median of repetitions; events checked against counts.json):")
print()
print("| corpus | peer | MB/s | events | check |")
print("|---|---|---:|---:|---|")
for c in corpora:
    for p in peers:
        r = thr.get((c, p)) or next((v for (cc, pp), v in thr.items() if cc == c and pp.startswith(p)), None)
        if r:
            print("| %s | %s | %s | %s | %s |" % (c, r["peer"], mbs(c, r["peer"]), r["events"], check(c, r["peer"])))
        else:
            print("| %s | %s | - | - | failed (see raw) |" % (c, p))

rows = [dict(t.split("=", 1) for t in l.split()[1:] if "=" in t) | {"_": l.split()[0]}
        for l in open(raw) if l.split() and l.split()[0] in ("latency", "channel_idle", "channel", "channel_rate", "lifecycle", "alloc", "rss")]
def table(kind, cols, head):
    sel = [r for r in rows if r["_"] == kind and all(c in r for c in cols)]
    if not sel:
        return
    print()
    print(head)
    print()
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in sel:
        print("| " + " | ".join(r[c] for c in cols) + " |")

table("latency", ["variant", "payload", "pin", "n", "p50_us", "p90_us", "p99_us", "p50_vs_read", "p99_vs_read"],
      "End-to-end latency (PTY master -> event in a subscriber; floors: blocking read(), libuv uv_poll):")
table("channel_idle", ["receivers", "events", "send_cpu_ns_per_event"],
      "Fan-out, sender CPU per event with idle receivers:")
table("channel", ["receivers", "events", "send_cpu_ns_per_event", "delivered_per_s", "lagged"],
      "Fan-out, receivers consuming as fast as they can:")
table("channel_rate", ["receivers", "capacity", "target_per_s", "achieved_per_s", "lagged"],
      "16 receivers at a paced 1M events/s:")
table("lifecycle", ["what", "iterations", "p50_us", "p90_us", "p99_us", "max_us"], "Lifecycle:")
table("alloc", ["path", "input", "events", "allocs", "per_event"], "Heap allocations per event (steady state):")
table("rss", ["corpus", "kib", "events", "bytes"], "Peak RSS of `vtinput-echo --replay FILE --stats`:")
EOF
fi
if [ "$PROGRAMS" = 1 ]; then
    python3 "$here/programs_table.py" "$raw" "$PROG_RATE" "$PROG_IDLE" | tee -a "$out/summary.md"
fi
echo "(raw results and callgrind files: $out)" >&2
