// ncurses as a peer of tests/bench/program_latency: initscr, raw, noecho, keypad, every mouse
// event with positions (mouseinterval 0: no click resolution), and getch() on the caller's
// thread; one line per key or mouse event. The lines go straight to standard output with
// write() (curses' own screen is left as it is, so getch's refresh has nothing to draw).
// SGR mouse reports decode only with a terminfo entry whose kmous is `ESC [ <` (xterm-1006,
// in Debian's ncurses-term): the harness runs this peer with TERM set to it when it exists.
//
//   peer_ncurses       (protocol: peer.hpp)
#include <cstdio>

#include <curses.h>
#include <unistd.h>

#include "peer.hpp"

int main()
{
    if (initscr() == nullptr) {
        return 1;
    }
    raw();
    noecho();
    keypad(stdscr, TRUE);
    mouseinterval(0);
    mousemask(ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION, nullptr);
    peer::line("ready");
    for (;;) {
        int c = getch();
        if (c == ERR || c == 'q') {
            break;
        }
        char text[64];
        if (c == KEY_MOUSE) {
            MEVENT me{};
            getmouse(&me);
            std::snprintf(text, sizeof text, "ev mouse %d %d %lx", me.x, me.y, static_cast<unsigned long>(me.bstate));
        } else {
            std::snprintf(text, sizeof text, "ev key %d", c);
        }
        peer::line(text);
    }
    endwin();
    return 0;
}
