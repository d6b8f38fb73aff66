// The PTY suite's main: skip (exit 77, which Meson counts as skipped) when the system cannot
// open a pseudo-terminal, else run doctest. Nothing here needs a terminal on stdin.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "harness.hpp"

int main(int argc, char** argv)
{
    std::string why;
    if (!pty::pty_available(why)) {
        std::fprintf(stderr, "pty tests skipped: no pseudo-terminal available (%s)\n", why.c_str());
        return 77;
    }
    doctest::Context context(argc, argv);
    return context.run();
}
