#!/usr/bin/env bash
# The install test: vtinput as its users get it. Builds the library alone from SRC_DIR, installs
# it into SCRATCH_DIR/prefix, checks that the prefix holds exactly the headers, libvtinput.a,
# vtinput.pc and the CMake package (nothing of libuv), then builds and runs consumer.cpp five
# ways: Meson with vtinput as a subproject, Meson through pkg-config, CMake find_package (also
# from a moved copy of the prefix: the package is relocatable), CMake pkg_check_modules, and a
# Makefile with pkg-config --static. Each consumer is compiled with -std=c++20 -Wall -Wextra
# -Wpedantic -Werror and must turn the bytes of the Up key on its stdin into one "up" key JSON
# line. Last, a consumer compiled with -std=c++17 must stop at "vtinput needs C++20".
#
# Usage: tests/install/run.sh SRC_DIR SCRATCH_DIR [--bundled-libuv]
#   --bundled-libuv  build vtinput with the bundled libuv (--force-fallback-for=libuv
#                    -Dwrap_mode=nodownload, the Meson subproject consumer too); the tarball
#                    comes from $LIBUV_TARBALL (exit 77, skipped, when it is not set or absent).
#                    Also checks that vtinput.pc requires no libuv and that the archive holds it.
#
# Writes nothing outside SCRATCH_DIR: SRC_DIR is copied into SCRATCH_DIR/src first (without its
# build directories, .git, extracted subprojects and package cache; the Meson subproject consumer
# gets a copy of its own), so the bundled libuv's tarball goes into the copies'
# subprojects/packagecache and Meson extracts it there, afresh, with this tree's Meson port laid
# over it. Reruns start over in the same SCRATCH_DIR.
# Output: one line per step; a failing step prints its command's whole log and exits 1.
set -euo pipefail

usage() { echo "usage: $0 SRC_DIR SCRATCH_DIR [--bundled-libuv]" >&2; exit 2; }
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    usage
fi
bundled=false
if [ $# = 3 ]; then
    [ "$3" = --bundled-libuv ] || usage
    bundled=true
fi
if [ ! -f "$1/meson.build" ] || [ ! -f "$1/tests/install/consumer.cpp" ]; then
    echo "install test: $1 is not vtinput's source (no meson.build, tests/install/consumer.cpp)" >&2
    exit 2
fi
src_dir=$(cd "$1" && pwd)
mkdir -p "$2"
scratch=$(cd "$2" && pwd)
case $scratch/ in "$src_dir"/*)
    echo "install test: SCRATCH_DIR must be outside SRC_DIR" >&2
    exit 2
    ;;
esac

tarball=${LIBUV_TARBALL:-}
if $bundled && { [ -z "$tarball" ] || [ ! -f "$tarball" ]; }; then
    echo "install test: skipped: --bundled-libuv needs LIBUV_TARBALL, the path of" \
        "libuv1_1.44.2.orig.tar.gz (see subprojects/libuv.wrap)${tarball:+; $tarball does not exist}"
    exit 77
fi

src=$scratch/src             # the copy of SRC_DIR that every build reads
prefix=$scratch/prefix       # where vtinput is installed
logs=$scratch/logs           # one log per step
consumer=$scratch/consumer   # consumer sources, shared by the builds that need no subprojects/
for dir in src build prefix prefix.moved logs consumer meson-sub meson-sub-build meson-pc \
    cmake-config cmake-moved cmake-pc make cxx17; do
    rm -rf "${scratch:?}/$dir"
done
mkdir -p "$logs"
mode=$($bundled && echo "bundled libuv" || echo "system libuv")
started=$SECONDS

# step NAME COMMAND...: runs COMMAND (a function, under set -e) with its output in a log; one
# line when it passes, the whole log when it fails.
steps=0
step() {
    local name=$1 log t0=$SECONDS rc
    shift
    steps=$((steps + 1))
    log=$logs/$(printf '%02d-%s' $steps "$name" | tr -c 'A-Za-z0-9+-' '_').log
    set +e
    (set -euo pipefail; "$@") >"$log" 2>&1
    rc=$?
    set -e
    if [ $rc != 0 ]; then
        echo "install test ($mode): FAILED: $name (exit $rc); its log, $log:" >&2
        sed 's/^/    /' "$log" >&2
        exit 1
    fi
    printf 'install test (%s): %-52s ok (%d s)\n' "$mode" "$name" $((SECONDS - t0))
}

die() { echo "$*" >&2; exit 1; }

# The consumer's run: the bytes of the Up key on a pipe must come out as one "up" key line.
check_run() {
    local exe=$1 out
    out=$(printf '\033[A' | "$exe")
    echo "$exe: $out"
    [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || die "expected one event line, got: $out"
    case $out in *'"type":"key"'*'"key":"up"'*) ;; *) die "expected an up key event, got: $out" ;; esac
}

# Build targets Meson configured in BUILD_DIR, one per line.
target_names() {
    meson introspect --targets "$1" | python3 -c \
        'import json, sys; print("\n".join(sorted(t["name"] for t in json.load(sys.stdin))))'
}

# copy_tree DEST: SRC_DIR's sources, as a fresh checkout has them.
copy_tree() {
    mkdir -p "$1/subprojects"
    tar -C "$src_dir" --exclude=./.git --exclude='./build*' --exclude=./subprojects -cf - . |
        tar -C "$1" -xf -
    cp "$src_dir"/subprojects/*.wrap "$1/subprojects/"
    if [ -d "$src_dir/subprojects/packagefiles" ]; then
        cp -R "$src_dir/subprojects/packagefiles" "$1/subprojects/"
    fi
}

# wrap_field NAME: a field of subprojects/libuv.wrap.
wrap_field() { sed -n "s/^$1 *= *//p" "$src_dir/subprojects/libuv.wrap"; }

# Offline, a wrap's tarball is taken from the top-level project's subprojects/packagecache,
# under the wrap's source_filename.
add_tarball() {
    mkdir -p "$1/subprojects/packagecache"
    cp "$tarball" "$1/subprojects/packagecache/$(wrap_field source_filename)"
}

copy_source() {
    copy_tree "$src"
    if $bundled; then
        add_tarball "$src"
    fi
    mkdir -p "$consumer"
    cp "$src"/tests/install/{consumer.cpp,meson.build,CMakeLists.txt,Makefile} "$consumer/"
}

libuv_setup=()
$bundled && libuv_setup=(--force-fallback-for=libuv -Dwrap_mode=nodownload)

build_library() {
    # A unity build: what is installed is the same, and it builds in about half the time
    # (28 s against 50 s on 2 cores); the file-by-file build is the README test command's.
    meson setup "$scratch/build" "$src" --prefix="$prefix" --unity on \
        -Dtests=disabled -Ddemo=disabled -Dbenchmarks=disabled -Dexamples=disabled \
        "${libuv_setup[@]}"
    local expected=$'vtinput\nvtinput_core'
    $bundled && expected=$'uv\n'$expected
    [ "$(target_names "$scratch/build")" = "$expected" ] ||
        die "targets configured: $(target_names "$scratch/build" | tr '\n' ' '), expected only the library"
    meson compile -C "$scratch/build"
    meson install -C "$scratch/build"
}

# Set by check_prefix: the installed libdir, relative to the prefix.
libdir=
find_libdir() {
    local archive
    archive=$(cd "$prefix" && find . -name libvtinput.a)
    [ -n "$archive" ] || die "no libvtinput.a in $prefix"
    libdir=$(dirname "${archive#./}")
}

check_prefix() {
    find_libdir
    local expected actual
    expected=$(
        for h in "$src"/include/vtinput/*.hpp "$src"/include/vtinput/version.hpp.in; do
            h=$(basename "$h" .in)
            echo "include/vtinput/$h"
        done
        echo "$libdir/libvtinput.a"
        echo "$libdir/pkgconfig/vtinput.pc"
        echo "$libdir/cmake/vtinput/vtinputConfig.cmake"
        echo "$libdir/cmake/vtinput/vtinputConfigVersion.cmake"
        echo "share/doc/vtinput/LICENSE"
        echo "share/doc/vtinput/CHANGELOG.md"
    )
    expected=$(sort <<<"$expected")
    actual=$(cd "$prefix" && find . -type f -o -type l | sed 's|^\./||' | sort)
    echo "installed:"
    echo "$actual"
    [ "$actual" = "$expected" ] || die "the prefix differs from what it should hold:" \
        "$(diff <(echo "$expected") <(echo "$actual") || true)"
    if find "$prefix" -iname '*uv*' | grep .; then
        die "libuv files installed (above)"
    fi

    export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
    local cflags libs static_libs requires
    cflags=$(pkg-config --cflags vtinput | sed "s/ *$//")
    libs=$(pkg-config --libs vtinput)
    static_libs=$(pkg-config --static --libs vtinput)
    requires=$(pkg-config --print-requires vtinput)
    printf 'cflags: %s\nlibs: %s\nstatic libs: %s\nrequires: %s\n' "$cflags" "$libs" "$static_libs" "$requires"
    [ "$cflags" = "-I$prefix/include" ] || die "vtinput.pc's Cflags should be -I\${includedir} alone: $cflags"
    [ -z "$(pkg-config --print-requires-private vtinput)" ] || die "vtinput.pc has Requires.private (a static-only library has no link that could leave them out)"
    # The plain and the --static forms both link libvtinput.a: the archive's needs are public.
    for form in "$libs" "$static_libs"; do
        for lib in -lvtinput -pthread; do
            [[ " $form " == *" $lib "* ]] || die "pkg-config lacks $lib: $form"
        done
        [[ " $form " == *" -ltinfo "* || " $form " == *" -lncursesw "* ]] ||
            die "pkg-config lacks the terminfo library: $form"
    done
    local uv_symbol
    uv_symbol=$(nm -g --defined-only "$prefix/$libdir/libvtinput.a" 2>/dev/null | grep -c ' T uv_loop_init$' || true)
    if $bundled; then
        [[ "$requires" != *libuv* ]] || die "vtinput.pc requires libuv although libuv is bundled"
        [[ " $libs " != *" -luv "* ]] || die "vtinput.pc links -luv although libuv is bundled"
        [ "$uv_symbol" = 1 ] || die "libvtinput.a does not hold the bundled libuv (uv_loop_init)"
    else
        [[ "$requires" == libuv* ]] || die "vtinput.pc's Requires should be libuv"
        [[ " $libs " == *" -luv "* ]] || die "pkg-config --libs vtinput lacks -luv"
        [ "$uv_symbol" = 0 ] || die "libvtinput.a holds libuv although the system's is used"
    fi
}

# subprojects/vtinput is a fresh copy, as a wrap would check it out: with --bundled-libuv, Meson
# then finds libuv.wrap in it, takes the tarball from the consumer's packagecache, extracts it
# into the consumer's subprojects/ and lays vtinput's packagefiles/libuv over it.
meson_subproject() {
    mkdir -p "$scratch/meson-sub/subprojects"
    cp "$consumer"/{consumer.cpp,meson.build} "$scratch/meson-sub/"
    copy_tree "$scratch/meson-sub/subprojects/vtinput"
    unset PKG_CONFIG_PATH
    local fallback=vtinput
    if $bundled; then
        fallback=vtinput,libuv
        add_tarball "$scratch/meson-sub"
    fi
    meson setup "$scratch/meson-sub-build" "$scratch/meson-sub" --force-fallback-for=$fallback \
        -Dwrap_mode=nodownload --unity subprojects
    local expected=$'consumer\nvtinput\nvtinput_core'
    $bundled && expected=$'consumer\nuv\nvtinput\nvtinput_core'
    [ "$(target_names "$scratch/meson-sub-build")" = "$expected" ] ||
        die "targets configured: $(target_names "$scratch/meson-sub-build" | tr '\n' ' ')," \
            "expected the consumer and the library only"
    if $bundled; then
        [ -f "$scratch/meson-sub/subprojects/$(wrap_field directory)/meson.build" ] ||
            die "the bundled libuv was not extracted with its Meson port into the consumer's subprojects/"
    fi
    meson compile -C "$scratch/meson-sub-build"
    check_run "$scratch/meson-sub-build/consumer"
}

meson_pkgconfig() {
    export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
    meson setup "$scratch/meson-pc" "$consumer" -Dwrap_mode=nofallback
    [ "$(target_names "$scratch/meson-pc")" = consumer ] || die "the consumer did not use the installed vtinput"
    grep -q "Run-time dependency vtinput found: YES" "$scratch/meson-pc/meson-logs/meson-log.txt" ||
        die "pkg-config did not find vtinput"
    meson compile -C "$scratch/meson-pc"
    check_run "$scratch/meson-pc/consumer"
}

# cmake_consumer BUILD_DIR PREFIX VTINPUT_FROM
cmake_consumer() {
    local build=$1 from=$3
    export PKG_CONFIG_PATH=$2/$libdir/pkgconfig
    cmake -S "$consumer" -B "$build" -DCMAKE_PREFIX_PATH="$2" -DVTINPUT_FROM="$from" \
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_BUILD_TYPE=Release
    if [ "$from" = config ]; then
        grep -qx "vtinput_DIR:PATH=$2/$libdir/cmake/vtinput" "$build/CMakeCache.txt" ||
            die "find_package found another vtinput: $(grep vtinput_DIR "$build/CMakeCache.txt")"
    fi
    cmake --build "$build" --verbose
    check_run "$build/consumer"
}

# The CMake package from elsewhere: the prefix moved, the original gone meanwhile.
cmake_moved() {
    mv "$prefix" "$scratch/prefix.moved"
    local rc
    set +e
    (set -e; cmake_consumer "$scratch/cmake-moved" "$scratch/prefix.moved" config)
    rc=$?
    set -e
    mv "$scratch/prefix.moved" "$prefix"
    return $rc
}

make_consumer() {
    mkdir -p "$scratch/make"
    cp "$consumer"/{consumer.cpp,Makefile} "$scratch/make/"
    export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
    make -C "$scratch/make"
    check_run "$scratch/make/consumer"
}

cxx17_refused() {
    mkdir -p "$scratch/cxx17"
    printf '#include <vtinput/decoder.hpp>\nint main() { return 0; }\n' >"$scratch/cxx17/old.cpp"
    local out rc=0
    out=$(${CXX:-c++} -std=c++17 -fsyntax-only -I"$prefix/include" "$scratch/cxx17/old.cpp" 2>&1) || rc=$?
    echo "$out"
    [ $rc != 0 ] || die "a C++17 compilation of a vtinput header succeeded"
    [[ $out == *"vtinput needs C++20"* ]] || die "no 'vtinput needs C++20' in the compiler's output"
    [ "$(grep -c 'error:' <<<"$out")" -le 2 ] || die "more than vtinput's message and its stop"
}

step "copy the source" copy_source
step "build and install the library alone" build_library
step "the prefix holds what it should" check_prefix
find_libdir
step "Meson, vtinput as a subproject" meson_subproject
step "Meson, installed vtinput through pkg-config" meson_pkgconfig
step "CMake, find_package(vtinput CONFIG)" cmake_consumer "$scratch/cmake-config" "$prefix" config
step "CMake, find_package from a moved prefix" cmake_moved
step "CMake, pkg_check_modules(IMPORTED_TARGET)" cmake_consumer "$scratch/cmake-pc" "$prefix" pkgconfig
step "Makefile, pkg-config --static" make_consumer
step "-std=c++17 stops at 'vtinput needs C++20'" cxx17_refused
echo "install test ($mode): all passed in $((SECONDS - started)) s"
