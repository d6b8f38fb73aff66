// <doctest/doctest.h> for cross builds to Windows (the root meson.build's doctest_dep there):
// the build machine's doctest, one self-contained header, by the full path the cross file's
// doctest_header property gives (VTINPUT_DOCTEST_HEADER). Putting the build machine's
// /usr/include on the include path instead would let its POSIX headers stand in for ones
// MinGW lacks; this way nothing else of it is seen.
#pragma once

#ifndef VTINPUT_DOCTEST_HEADER
#error "VTINPUT_DOCTEST_HEADER (the path of doctest.h) is set by meson.build in cross builds only"
#endif
#include VTINPUT_DOCTEST_HEADER
