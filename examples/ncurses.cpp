// ncurses: a curses application that draws with ncurses and takes its input from vtinput. The
// one rule: ncurses never reads the terminal (no getch()), vtinput does. The order matters:
//   1. open the InputDevice first (raw mode, and the signal handlers that restore the terminal;
//      ncurses then leaves those signals alone, SIGWINCH included),
//   2. start ncurses on the device's terminal with newterm(), then raw() and typeahead(-1),
//   3. on a ResizeEvent, resizeterm() and redraw,
//   4. endwin() before the device closes, so the device restores the terminal last.
// q quits.
//
//   build-dir/examples/ncurses
#include <vtinput/input_device.hpp>

#include <clocale>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <variant>

#include <unistd.h>

#define NCURSES_NOMACROS  // else move(), erase(), timeout() ... are macros that break C++ code
#include <curses.h>

namespace {

void draw(int events, const std::string& last)
{
    erase();
    box(stdscr, 0, 0);
    mvprintw(1, 2, "vtinput + ncurses: press keys, q quits");
    mvprintw(3, 2, "Window: %dx%d", COLS, LINES);
    mvprintw(4, 2, "Events: %d", events);
    mvprintw(5, 2, "Last:   %s", last.c_str());
    refresh();  // ncurses sends only what changed
}

}  // namespace

int main()
try {
    std::setlocale(LC_ALL, "");  // ncursesw draws UTF-8 only in a UTF-8 locale
    vtinput::InputDevice device = vtinput::InputDevice::open();

    // ncurses gets a stream of its own on the terminal the device reads (standard output may be
    // redirected). terminal() is that terminal's guard: with the default options, never null.
    // newterm(nullptr, ...) takes the terminal type from $TERM.
    std::FILE* tty = ::fdopen(::dup(device.terminal()->fd()), "r+");
    SCREEN* screen = tty ? newterm(nullptr, tty, tty) : nullptr;
    if (!screen) {
        std::fprintf(stderr, "ncurses example: cannot start ncurses on this terminal\n");
        return 1;
    }
    raw();          // newterm() turned ISIG back on; raw() keeps Ctrl+C a key for vtinput
    noecho();       // vtinput's raw mode has no echo either
    curs_set(0);    // no cursor
    typeahead(-1);  // ncurses must not even look at the input: it would find vtinput's keys

    int events = 0;
    std::string last = "(none yet)";
    draw(events, last);
    while (std::optional<vtinput::Event> event = device.receive()) {
        if (const auto* key = std::get_if<vtinput::KeyEvent>(&*event)) {
            if (key->key == vtinput::char_key(U'q') && key->mods.empty()) {
                break;
            }
        }
        if (const auto* size = std::get_if<vtinput::ResizeEvent>(&*event)) {
            resizeterm(size->rows, size->cols);
            clearok(curscr, TRUE);  // repaint all of it: the terminal may have reflowed
        }
        ++events;
        last = vtinput::to_string(*event);
        draw(events, last);
    }

    endwin();  // the screen as it was (the alternate screen left), before the device closes
    delscreen(screen);
    std::fclose(tty);
    return 0;
} catch (const std::system_error& e) {
    std::fprintf(stderr, "ncurses example: %s\n", e.what());
    return 1;
}
