// notcurses as a peer of tests/bench/program_latency: notcurses_core_init on the controlling
// terminal (no alternate screen, no banners), mouse events on, and notcurses_get_blocking on
// the caller's thread, which waits on notcurses' own input thread (it reads and decodes, then
// hands each event over): one line per key press or mouse event.
// notcurses asks the terminal for its capabilities at start and waits for the answer; the
// harness answers DA1 and cursor-position queries as a terminal would.
//
//   peer_notcurses     (protocol: peer.hpp; built only where notcurses-core is installed)
#include <cstdio>

#include <notcurses/notcurses.h>

#include "peer.hpp"

int main()
{
    notcurses_options opts{};
    opts.flags = NCOPTION_SUPPRESS_BANNERS | NCOPTION_NO_ALTERNATE_SCREEN | NCOPTION_NO_CLEAR_BITMAPS |
                 NCOPTION_PRESERVE_CURSOR | NCOPTION_NO_FONT_CHANGES;
    notcurses* nc = notcurses_core_init(&opts, nullptr);
    if (nc == nullptr) {
        std::fprintf(stderr, "peer_notcurses: notcurses_core_init failed\n");
        return 1;
    }
    notcurses_mice_enable(nc, NCMICE_ALL_EVENTS);
    peer::line("ready");
    for (;;) {
        ncinput ni{};
        std::uint32_t id = notcurses_get_blocking(nc, &ni);
        if (id == static_cast<std::uint32_t>(-1) || id == NCKEY_EOF) {
            break;
        }
        // A key's release (the kitty protocol only); notcurses gives a pure mouse motion report
        // (SGR 35, no button) as NCKEY_MOTION of type release, so mouse events all count.
        if (ni.evtype == NCTYPE_RELEASE && !nckey_mouse_p(id)) {
            continue;
        }
        if (id == 'q' && ni.modifiers == 0) {
            break;
        }
        char text[64];
        std::snprintf(text, sizeof text, "ev %s %u %d %d", nckey_mouse_p(id) ? "mouse" : "key", id, ni.y, ni.x);
        peer::line(text);
    }
    notcurses_stop(nc);
    return 0;
}
