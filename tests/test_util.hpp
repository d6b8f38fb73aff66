// Small helpers shared by the test suites, kept under this name for pty-tests/ (which include
// it from this directory): readable forms of bytes and events (hex, json), repeat, and expected
// events such as mouse(). They live in tests/support/events.hpp now; the decoder hand-over and
// the other decoding helpers in tests/support/decoding.hpp.
#pragma once

#include "support/events.hpp"
