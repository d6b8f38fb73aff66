// --tui: vtinput-echo as an ncurses application. ncurses draws; vtinput reads. This is the
// shape of any curses program that takes its input from vtinput instead of getch():
//   1. Open the InputDevice first. Its TerminalGuard sets raw mode and installs the signal
//      handlers that restore the terminal, and its poller watches SIGWINCH; ncurses installs
//      handlers only where it finds the default action, so it leaves signals alone.
//   2. Start ncurses on the same terminal (newterm), put its terminal mode back to raw, and
//      never call getch().
//   3. On a ResizeEvent, resizeterm() and redraw.
//   4. endwin() before the device closes, so the device restores the terminal last.
// The screen is a function of a model (View), redrawn after each batch of events; ncurses
// sends only what changed.
#include "echo.hpp"

#include <clocale>
#include <cstdio>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

// ncurses defines move(), erase(), timeout() ... as macros unless told not to; they would
// rewrite std::move and friends. The functions exist either way.
#define NCURSES_NOMACROS
#include <curses.h>

namespace demo {
namespace {

constexpr std::size_t k_log_lines = 1000;  // history kept for redrawing after a resize
constexpr int k_label_width = 11;          // "Modifiers  "

// What the screen shows, updated from events.
struct View {
    std::deque<std::string> log;
    vtinput::Mods mods;  // held right now, as far as the terminal tells
    std::string mouse = "no event yet";
    vtinput::MouseButton last_button = vtinput::MouseButton::none;
    std::string terminal;  // the capabilities, one line
    bool quit_armed = false;
};

// The modifier a kitty "report all keys" modifier key event is about; none for other keys.
vtinput::Mods modifier_of(vtinput::Key key)
{
    using vtinput::Key;
    using vtinput::Mod;
    switch (key) {
    case Key::left_shift:
    case Key::right_shift: return Mod::shift;
    case Key::left_ctrl:
    case Key::right_ctrl: return Mod::ctrl;
    case Key::left_alt:
    case Key::right_alt: return Mod::alt;
    case Key::left_super:
    case Key::right_super: return Mod::super;
    case Key::left_hyper:
    case Key::right_hyper: return Mod::hyper;
    case Key::left_meta:
    case Key::right_meta: return Mod::meta;
    default: return {};
    }
}

void track_key(View& view, const vtinput::KeyEvent& key)
{
    unsigned bits = key.mods.bits();
    // Terminals differ on whether a modifier key's own event includes its bit; what is held
    // after a press or a release is not in doubt.
    unsigned own = modifier_of(key.key).bits();
    bits = key.kind == vtinput::KeyKind::release ? bits & ~own : bits | own;
    view.mods = vtinput::Mods::from_bits(bits);
}

void track_mouse(View& view, const vtinput::MouseEvent& mouse)
{
    view.mods = mouse.mods;
    if (mouse.action == vtinput::MouseAction::press) {
        view.last_button = mouse.button;
    }
    std::string text = vtinput::to_string(vtinput::Event(mouse));
    view.mouse = text.substr(text.find(' ') + 1);  // without "Mouse "
}

void add_to_log(View& view, std::string line)
{
    view.log.push_back(std::move(line));
    if (view.log.size() > k_log_lines) {
        view.log.pop_front();
    }
}

// Draws `text` at (y, x), cut at the right edge. Counts code points as cells, which is exact
// for everything the event formats produce but wide characters in pastes and keys.
void put(int y, int x, std::string_view text)
{
    std::size_t room = x < COLS ? static_cast<std::size_t>(COLS - x) : 0;
    std::size_t end = 0;
    for (std::size_t cells = 0; end < text.size(); ++end) {
        bool starts_character = (static_cast<unsigned char>(text[end]) & 0xc0) != 0x80;
        if (starts_character && cells++ == room) {
            break;
        }
    }
    mvaddnstr(y, x, text.data(), static_cast<int>(end));
}

// Splits the capabilities line ("answered in 1 ms; version ...; modes ...") at its "; "
// separators into lines of at most `width` cells, as many as fit in `max_lines`.
std::vector<std::string> wrap(const std::string& text, std::size_t width, std::size_t max_lines)
{
    std::vector<std::string> lines(1);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t sep = text.find("; ", start);
        std::string part = text.substr(start, sep == std::string::npos ? std::string::npos : sep - start);
        start = sep == std::string::npos ? text.size() : sep + 2;
        std::string& line = lines.back();
        if (!line.empty() && line.size() + 2 + part.size() > width) {
            if (lines.size() == max_lines) {
                break;
            }
            lines.push_back(part);
        } else {
            line += (line.empty() ? "" : "; ") + part;
        }
    }
    return lines;
}

void draw_modifiers(int y, vtinput::Mods held)
{
    using vtinput::Mod;
    put(y, 0, "Modifiers");
    int x = k_label_width;
    for (Mod m : {Mod::shift, Mod::alt, Mod::ctrl, Mod::super, Mod::hyper, Mod::meta, Mod::capslock, Mod::numlock}) {
        std::string_view name = vtinput::mod_name(m);
        attrset(held.has(m) ? A_REVERSE | A_BOLD : A_DIM);
        put(y, x, name);
        attrset(A_NORMAL);
        x += static_cast<int>(name.size()) + 1;
    }
}

void draw(const View& view)
{
    erase();
    attrset(A_REVERSE);
    mvhline(0, 0, ' ', COLS);
    put(0, 1, "vtinput-echo --tui: " + std::string(k_quit_hint));
    attrset(A_NORMAL);
    draw_modifiers(1, view.mods);
    put(2, 0, "Mouse");
    put(2, k_label_width, view.mouse + "; last button " + std::string(vtinput::to_string(view.last_button)));
    int y = 3;
    put(y, 0, "Terminal");
    std::size_t width = COLS > k_label_width ? static_cast<std::size_t>(COLS - k_label_width) : 1;
    for (const std::string& line : wrap(view.terminal, width, 3)) {
        put(y++, k_label_width, line);
    }
    mvhline(y, 0, ACS_HLINE, COLS);
    if (view.quit_armed) {
        attrset(A_BOLD);
        put(y, 2, " " + std::string(k_quit_again) + " ");
        attrset(A_NORMAL);
    }
    ++y;
    // The log fills the rest, newest line at the bottom.
    std::size_t rows = LINES > y ? static_cast<std::size_t>(LINES - y) : 0;
    std::size_t first = view.log.size() > rows ? view.log.size() - rows : 0;
    for (std::size_t i = first; i < view.log.size(); ++i) {
        put(y++, 0, view.log[i]);
    }
    refresh();
}

// The ncurses session, on the device's terminal.
class Screen {
public:
    Screen(int tty_fd, const std::string& term)
    {
        // ncurses gets its own stream on the terminal the device reads, so the screen is drawn
        // there even when standard output is redirected.
        int fd = ::fcntl(tty_fd, F_DUPFD_CLOEXEC, 0);
        tty_ = fd >= 0 ? ::fdopen(fd, "r+") : nullptr;
        if (!tty_) {
            if (fd >= 0) {
                ::close(fd);
            }
            throw std::runtime_error("--tui: cannot open a stream on the terminal");
        }
        screen_ = newterm(term.c_str(), tty_, tty_);
        if (!screen_) {
            std::fclose(tty_);
            throw std::runtime_error("--tui: ncurses cannot drive terminal type '" + term + "'");
        }
        // newterm() called cbreak(), which turns ISIG back on: raw() turns it off again, so
        // Ctrl+C reaches vtinput as a key instead of raising SIGINT.
        raw();
        noecho();
        nonl();
        curs_set(0);
        // ncurses cuts a refresh short when input is pending on its input fd, which here is
        // the terminal vtinput reads: ncurses never reads, so it must not look either.
        typeahead(-1);
    }
    ~Screen()
    {
        endwin();
        delscreen(screen_);
        std::fclose(tty_);
    }
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    void resize(const vtinput::ResizeEvent& size)
    {
        // A ResizeEvent also follows SIGCONT, after the device's guard re-applied its own raw
        // mode and the shell may have drawn over the screen: put ncurses' terminal mode back
        // and repaint everything, not only what changed.
        reset_prog_mode();
        if (size.rows > 0 && size.cols > 0) {
            resizeterm(size.rows, size.cols);
        }
        clearok(curscr, TRUE);
    }

private:
    std::FILE* tty_ = nullptr;
    SCREEN* screen_ = nullptr;
};

// Updates the view, and the screen's size, from one event.
void update(View& view, Screen& screen, const vtinput::Event& event, const Options& o)
{
    if (shown(o, event)) {
        std::string line;
        append_line(line, event, o.json);
        add_to_log(view, std::move(line));
    }
    if (const auto* key = std::get_if<vtinput::KeyEvent>(&event)) {
        track_key(view, *key);
    } else if (const auto* mouse = std::get_if<vtinput::MouseEvent>(&event)) {
        track_mouse(view, *mouse);
    } else if (const auto* size = std::get_if<vtinput::ResizeEvent>(&event)) {
        screen.resize(*size);
    }
}

// Draws, waits, takes what arrived, until Ctrl+C twice, the end of input or a stop. Returns the
// ErrorEvent that ended it, if one did.
std::optional<vtinput::ErrorEvent> event_loop(const Options& o, vtinput::Receiver& events, Screen& screen, View& view,
                                              const Stop& stop)
{
    QuitKeys quit;
    std::vector<vtinput::Event> batch;
    for (;;) {
        draw(view);
        batch.clear();
        events.try_receive_all(batch);
        if (batch.empty()) {
            if (stop.requested() || events.closed()) {
                return std::nullopt;
            }
            wait_for_events(events, stop);
            continue;
        }
        for (const vtinput::Event& event : batch) {
            update(view, screen, event, o);
            bool quitting = quit.offer(event) == QuitKeys::Step::quit;
            view.quit_armed = quit.armed();
            if (quitting || std::holds_alternative<vtinput::EofEvent>(event)) {
                return std::nullopt;
            }
            if (const auto* failure = std::get_if<vtinput::ErrorEvent>(&event)) {
                return *failure;
            }
        }
    }
}

}  // namespace

int run_tui(const Options& o, vtinput::InputDevice& device, const vtinput::Capabilities& caps, const Stop& stop)
{
    if (!device.terminal()) {
        throw std::runtime_error("--tui needs a terminal");
    }
    std::setlocale(LC_ALL, "");  // ncursesw draws UTF-8 only in a UTF-8 locale
    std::optional<vtinput::ErrorEvent> error;
    {
        Screen screen(device.terminal()->fd(), o.term);
        View view;
        view.terminal = caps.status == vtinput::Capabilities::Status::not_queried ? "not queried (--no-query)"
                                                                                  : vtinput::to_string(caps);
        error = event_loop(o, device.events(), screen, view, stop);
    }  // endwin() here, before the device restores the terminal
    if (error) {
        std::fprintf(stderr, "vtinput-echo: %s\n", error->message.c_str());
        return 1;
    }
    return 0;
}

}  // namespace demo
