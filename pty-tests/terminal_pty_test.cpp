// Terminal modes restored on every way out, and capability queries, inside a real PTY.
#include <doctest/doctest.h>

#include "harness.hpp"
