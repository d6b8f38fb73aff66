#!/usr/bin/env bash
# CI: the pure core on Windows. vtinput_core and its unit tests (suite unit) cross-built with
# MinGW-w64 (.ci/mingw-w64.ini) into build-mingw and run under Wine; meson.build builds nothing
# else for Windows (core_only). Needs Debian's g++-mingw-w64-x86-64-posix, wine64 and doctest-dev,
# which CI installs; run from anywhere, it works in the repository root.
#
# Never passes vacuously: it fails when Wine ran no test, when a test it expects did not run
# and pass, or when a doctest binary ran no test case (the decoder's among them).
# Wine runs quiet and headless (the cross file's exe_wrapper) in a fresh prefix in a temporary
# directory, removed at exit (its first start takes ~12 s), unless WINEPREFIX is set: that
# prefix is then used and kept. VTINPUT_JOBS: ninja and test processes (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${VTINPUT_JOBS:-$(nproc)}
build='build-mingw'
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver
step() { printf '\n=== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
die() { printf 'windows-core: FAIL: %s\n' "$*" >&2; exit 1; }

command -v x86_64-w64-mingw32-g++-posix >/dev/null || die "no MinGW-w64 C++ compiler: apt-get install g++-mingw-w64-x86-64-posix"
[ -x "$wine" ] || die "no $wine: apt-get install wine64"
[ -f /usr/include/doctest/doctest.h ] || die "no doctest header: apt-get install doctest-dev"

export WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
unset DISPLAY
if [ -z "${WINEPREFIX:-}" ]; then
  WINEPREFIX=$(mktemp -d)/wine
  export WINEPREFIX
  trap '"$wineserver" -k 2>/dev/null || true; rm -rf "$(dirname "$WINEPREFIX")"' EXIT
fi

# Before meson setup, which already runs a test program under Wine (its exe_wrapper check).
step "Wine prefix ($WINEPREFIX)"
SECONDS=0
# Its chatter (a missing syswow64\rundll32.exe: wine64 alone has no 32-bit part) is shown only
# when it fails.
if ! out=$("$wine" wineboot --init 2>&1); then
  printf '%s\n' "$out" >&2
  die "Wine cannot start: $wine wineboot --init"
fi
"$wineserver" -w
echo "ready in ${SECONDS} s"

step "configure and build $build"
SECONDS=0
# -Dwerror=true: a warning only MinGW gives (a format, a narrowing) is a portability bug.
[ -d "$build" ] || meson setup "$build" --cross-file .ci/mingw-w64.ini -Dwerror=true
ninja -C "$build" -j "$jobs"
echo "built in ${SECONDS} s"

step "unit tests under Wine"
SECONDS=0
meson test -C "$build" --suite unit --print-errorlogs --num-processes "$jobs"
echo "ran in ${SECONDS} s"

step "the tests really ran"
# testlog.json: one JSON object a test, from the run above. Every name below must have run and
# passed, each doctest binary with at least one test case passed and none failed, the corpus
# replay with at least one input; a new core test is added here when it is added to the build.
python3 - "$build/meson-logs/testlog.json" <<'EOF'
import json, re, sys
expected = ["binding", "capabilities", "decoder", "event", "hostile", "keymap", "replies", "fuzz-corpus"]
runs = {}
with open(sys.argv[1]) as log:
    for line in log:
        if line.strip():
            t = json.loads(line)
            runs[t["name"]] = t
problems = []
if not runs:
    problems.append("no test ran")
for name in expected:
    t = runs.get(name)
    if t is None:
        problems.append(f"{name}: did not run")
        continue
    if t["result"] != "OK":
        problems.append(f"{name}: {t['result']}")
    out = t.get("stdout") or ""
    if name == "fuzz-corpus":
        m = re.search(r"replayed (\d+) inputs", out)
        ok = m is not None and int(m.group(1)) > 0
        what = m.group(0) if m else "no 'replayed N inputs' line"
    else:
        m = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed", out)
        ok = m is not None and int(m.group(2)) > 0 and int(m.group(3)) == 0
        what = f"{m.group(2)} test cases passed, {m.group(3)} failed" if m else "no doctest summary"
    print(f"  {name:<13} {t['result']:<4} {what}")
    if not ok:
        problems.append(f"{name}: {what}")
for p in problems:
    print("windows-core: FAIL:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
echo "windows-core: every unit test of the core ran and passed under Wine"
