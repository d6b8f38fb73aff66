// vtinput-echo: prints every input event, human-readable or as JSON lines (docs/json-schema.md).
//
// Live mode (the default) opens the InputDevice on the terminal, enables the input protocols
// the flags ask for, and prints each event as it arrives (lines.cpp), or shows them on an
// ncurses screen (--tui, tui.cpp), until Ctrl+C is pressed twice, the input ends, or a signal
// comes; the terminal is restored on every one of those ways out (session.cpp).
//
// Offline mode (`--replay FILE|-`, replay.cpp) decodes recorded input: a recording made with
// --record (record.cpp) in the decoder's virtual time, with the gaps it recorded, or plain
// bytes as if they had been typed with no time passing between chunks.
//
// Exit status: 0; 1 after an error event or a failure; 2 for a usage error, an unreadable or
// damaged recording, a --record file that cannot be created, or no terminal to read; or the
// signal that ended a live session.
#include <cstdio>
#include <exception>

#include "echo.hpp"

int main(int argc, char** argv)
{
    demo::Options o = demo::parse_args(argc, argv);
    if (!o.replay.empty()) {
        return demo::run_replay(o);
    }
    int status = 1;
    try {
        status = demo::run_live(o);
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "vtinput-echo: %s\n", ex.what());
    }
    return status;
}
