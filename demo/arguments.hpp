// vtinput-echo's command line: what it asks for (Options), and the parser that reads it.
#pragma once

#include <chrono>
#include <vector>
#include <optional>
#include <cstddef>
#include <string>

#include "vtinput/terminal.hpp"

namespace demo {

struct Options {
    // Replay mode (--replay): decode a recording instead of the terminal.
    std::string replay;  // empty: live mode
    std::size_t chunk = 0;
    bool stats = false;
    bool no_timing = false;  // --no-timing: a recording's bytes as if they came all at once
    // Both modes.
    bool json = false;
    std::string term;  // terminfo entry; resolved to $TERM or xterm-256color
    // --term was given: it wins over the entry a recording names (replay.cpp).
    bool term_given = false;
    // Live mode. `modes` is what the protocol flags enable; raw mode and the signal handlers
    // of the device's TerminalGuard keep their defaults (on).
    vtinput::TerminalModes modes;
    bool raw_bytes = false;  // --raw
    int subscribers = 1;
    bool query = true;
    std::chrono::milliseconds query_timeout{500};
    std::vector<std::string> asks;                         // --ask NAME, in order
    std::optional<std::chrono::milliseconds> esc_timeout;  // --esc-timeout MS
    bool adaptive_esc = false;                             // --adaptive-esc
    bool tui = false;
    std::string record;  // --record FILE: empty, no recording (record.cpp)
};

// The options argv asks for. --help prints the usage and exits 0; a usage error (an unknown
// flag, a bad value, flags of the other mode) prints what is wrong and exits 2.
Options parse_args(int argc, char** argv);

}  // namespace demo
