// Live mode, shared by the line output (lines.cpp) and the screen (tui.cpp): opening the device
// on the terminal, the extra receivers, the capability query, and how a live session ends.
//
// It ends from inside the event stream when Ctrl+C is pressed twice (QuitKeys), or from outside
// through the stop pipe (Stop): SIGINT, SIGTERM and SIGHUP write it, and so does a receiver that
// decides the program is over. Every way out goes through the device's destructor, which
// restores the terminal; a signal that asked for the stop is then raised again, so that the
// parent sees the program end by it. Which terminal to read is the device's decision alone:
// when it cannot open one, the user is told what it tried and pointed at --replay (status 2).
//
// With --json the query's result is the first line on stdout, `{"type":"capabilities",...}`,
// before any event line; its summary in words is a notice, as in the human form.
//
// --record FILE creates the file before anything touches the terminal (a bad path costs
// nothing), asks the device for RawEvents, and records them from a receiver of its own that
// exists before the capability query, so keys typed during the query are recorded too.
#include "echo.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace demo {
namespace {

// What the signal handler needs, and nothing else: the write end of the stop pipe and the
// number of the signal that used it.
int g_stop_write_fd = -1;
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

// Async-signal-safe. The pipe is non-blocking: when it is full, a stop is pending already.
void write_stop_byte() { [[maybe_unused]] ssize_t written = ::write(g_stop_write_fd, "", 1); }

void on_stop_signal(int sig)
{
    int saved_errno = errno;
    g_stop_signal.store(sig);
    write_stop_byte();
    errno = saved_errno;
}

bool is_modifier_key(vtinput::Key key)
{
    using vtinput::Key;
    return (key >= Key::left_shift && key <= Key::iso_level5_shift) || key == Key::caps_lock || key == Key::num_lock;
}

bool is_ctrl_c(const vtinput::KeyEvent& key)
{
    // Lock modifiers are state, not part of the chord.
    using vtinput::Mod;
    constexpr unsigned locks = vtinput::Mods(Mod::capslock | Mod::numlock).bits();
    return key.key == vtinput::char_key(U'c') && (key.mods.bits() & ~locks) == vtinput::Mods(Mod::ctrl).bits();
}

// "mouse motion (SGR), bracketed paste, kitty flags 31": what the flags turned on.
std::string describe(const vtinput::TerminalModes& m)
{
    static constexpr const char* tracking[] = {"", "clicks", "drag", "motion"};
    std::vector<std::string> parts;
    if (m.mouse != vtinput::MouseTracking::none) {
        parts.push_back(std::string("mouse ") + tracking[static_cast<int>(m.mouse)] +
                        (m.mouse_pixels ? " (SGR-pixels)" : " (SGR)"));
    }
    if (m.bracketed_paste) {
        parts.emplace_back("bracketed paste");
    }
    if (m.focus) {
        parts.emplace_back("focus");
    }
    if (m.keyboard == vtinput::Keyboard::automatic) {
        parts.push_back("keyboard chosen for the terminal (kitty flags " + std::to_string(m.kitty_flags) +
                        " asked for)");
    } else {
        if (m.kitty_flags != 0) {
            parts.push_back("kitty flags " + std::to_string(m.kitty_flags));
        }
        if (m.modify_other_keys != 0) {
            parts.push_back("modifyOtherKeys " + std::to_string(m.modify_other_keys));
        }
    }
    if (m.win32_input) {
        parts.emplace_back("win32-input-mode");
    }
    if (m.in_band_resize) {
        parts.emplace_back("in-band resize");
    }
    std::string out = parts.empty() ? "no input protocols" : "";
    for (const std::string& p : parts) {
        out += (out.empty() ? "" : ", ") + p;
    }
    return out;
}

// The device on the terminal, with the modes the flags ask for; nullopt after telling the user
// why there is none. InputDevice::open decides which terminal to read and says what it tried
// when it fails; the hint about --replay is ours.
std::optional<vtinput::InputDevice> open_device(const Options& o)
{
    vtinput::DeviceOptions options;
    options.term = o.term;
    options.terminal = o.modes;
    options.raw_bytes = o.raw_bytes || !o.record.empty();  // a recording is made of RawEvents
    options.probe_timeout = o.query_timeout;               // --auto-keyboard: open() probes
    if (o.esc_timeout) {
        options.decoder.esc_timeout = *o.esc_timeout;
        options.esc_timeout = vtinput::DeviceOptions::EscTimeout::fixed;
    } else if (o.adaptive_esc) {
        options.esc_timeout = vtinput::DeviceOptions::EscTimeout::adaptive;
    }
    try {
        return vtinput::InputDevice::open(options);
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "vtinput-echo: %s; to decode recorded input, use --replay FILE (or - for stdin)\n",
                     e.what());
        return std::nullopt;
    }
}

// Ends the recording, if any, before the device closes: on every way out of live_session.
struct FinishRecording {
    std::optional<Recorder>& recorder;
    ~FinishRecording()
    {
        if (recorder) {
            recorder->finish();
        }
    }
};

// The answer to `--ask what` (arguments.cpp checked the name), one line.
std::string ask(vtinput::InputDevice& device, const std::string& what, std::chrono::milliseconds timeout)
{
    using vtinput::TerminalColor;
    auto color = [](const std::optional<vtinput::Rgb>& c) { return c ? c->hex() : std::string("no answer"); };
    auto pixels = [](const std::optional<vtinput::PixelSize>& p) {
        return p ? std::to_string(p->width) + "x" + std::to_string(p->height) + " px" : std::string("no answer");
    };
    auto number = [&](std::size_t skip) { return std::stoi(what.substr(skip)); };
    try {
        if (what == "cursor") {
            auto p = device.cursor_position(timeout);
            return p ? "row " + std::to_string(p->row) + ", column " + std::to_string(p->col) : "no answer";
        }
        if (what == "foreground" || what == "background" || what == "cursor-color") {
            auto which = what == "foreground"   ? TerminalColor::foreground
                         : what == "background" ? TerminalColor::background
                                                : TerminalColor::cursor;
            return color(device.query_color(which, timeout));
        }
        if (what == "cell-pixels") {
            return pixels(device.query_cell_pixels(timeout));
        }
        if (what == "window-pixels") {
            return pixels(device.query_window_pixels(timeout));
        }
        if (what.starts_with("mode=")) {
            return std::string(vtinput::to_string(device.query_mode(number(5), timeout)));
        }
        if (what.starts_with("palette=")) {
            return color(device.query_palette(number(8), timeout));
        }
        auto reply = device.query_termcap({what.substr(8)}, timeout);
        if (!reply) {
            return "no answer";
        }
        if (!reply->valid) {
            return "unknown to the terminal";
        }
        auto value = reply->value(what.substr(8));
        return value ? "\"" + *value + "\"" : "no answer";
    } catch (const std::system_error& e) {
        return e.what();
    }
}

int live_session(const Options& o, const Stop& stop)
{
    std::optional<Recorder> recorder;
    if (!o.record.empty()) {
        try {
            recorder.emplace(o.record, o);
        } catch (const std::system_error& e) {
            std::fprintf(stderr, "vtinput-echo: %s\n", e.what());
            return 2;
        }
    }
    std::optional<vtinput::InputDevice> opened = open_device(o);
    if (!opened) {
        return 2;
    }
    vtinput::InputDevice& device = *opened;
    FinishRecording finish_recording{recorder};
    if (recorder) {
        recorder->start(device.subscribe(), stop, o);
    }
    // Every receiver exists before the query, so keys typed meanwhile reach all of them.
    std::vector<vtinput::Receiver> extra;
    for (int i = 1; i < o.subscribers; ++i) {
        extra.push_back(device.subscribe());
    }
    if (!o.tui) {
        notice(o, describe(o.modes) + "; " + std::string(k_quit_hint));
    }
    vtinput::Capabilities caps;
    if (o.query) {
        // With --auto-keyboard, open() has probed already.
        caps = o.modes.keyboard == vtinput::Keyboard::automatic ? device.capabilities()
                                                                : device.query_capabilities(o.query_timeout);
        if (!o.tui) {
            notice(o, "terminal: " + vtinput::to_string(caps));
        }
        if (o.json && !o.tui) {
            // The first line on stdout (docs/json-schema.md, "Capabilities"): no receiver
            // thread prints yet. A write that fails shows at run_lines' first write.
            std::printf("%s\n", vtinput::to_json(caps).c_str());
            std::fflush(stdout);
        }
    }
    if (!o.tui && o.modes.keyboard == vtinput::Keyboard::automatic) {
        notice(o, "keyboard: " + vtinput::to_string(device.keyboard()));
    }
    if (!o.tui && (o.adaptive_esc || o.esc_timeout)) {
        notice(o, "ESC timeout " + std::to_string(device.esc_timeout().count()) + " ms");
    }
    for (const std::string& what : o.asks) {
        notice(o, what + ": " + ask(device, what, o.query_timeout));
    }
    if (!o.tui) {
        // Which path the events take to the output: the fastest for one receiver is the input
        // thread itself (lines.cpp).
        notice(o, extra.empty() ? "events printed by the input thread (an inline handler: no hand-off)"
                                : "events printed by " + std::to_string(extra.size() + 1) + " receiver threads");
    }
    return o.tui ? run_tui(o, device, caps, stop) : run_lines(o, device, std::move(extra), stop);
}

}  // namespace

QuitKeys::Step QuitKeys::offer(const vtinput::Event& event)
{
    const auto* key = std::get_if<vtinput::KeyEvent>(&event);
    if (!key || key->kind != vtinput::KeyKind::press || is_modifier_key(key->key)) {
        return Step::other;
    }
    if (!is_ctrl_c(*key)) {
        armed_ = false;
        return Step::other;
    }
    if (armed_) {
        return Step::quit;
    }
    armed_ = true;
    return Step::first;
}

Stop::Stop()
{
    int fds[2];
    if (::pipe(fds) != 0) {
        throw std::system_error(errno, std::generic_category(), "cannot create a pipe");
    }
    // Close-on-exec and non-blocking flag by flag (pipe2 is Linux's and the BSDs', not macOS's):
    // nothing has forked from here meanwhile, and the signal handlers are installed below.
    for (int fd : fds) {
        if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
            int err = errno;
            ::close(fds[0]);
            ::close(fds[1]);
            throw std::system_error(err, std::generic_category(), "cannot set up a pipe");
        }
    }
    read_fd_ = fds[0];
    g_stop_write_fd = fds[1];
    g_stop_signal.store(0);
    for (std::size_t i = 0; i < std::size(k_signals); ++i) {
        ::sigaction(k_signals[i], nullptr, &previous_[i]);
        if (!(previous_[i].sa_flags & SA_SIGINFO) && previous_[i].sa_handler == SIG_IGN) {
            continue;  // nohup and the like: the user asked for this signal to be ignored
        }
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sa.sa_flags = SA_RESTART;  // stdio on other threads must not see EINTR
        sigemptyset(&sa.sa_mask);
        installed_[i] = ::sigaction(k_signals[i], &sa, nullptr) == 0;
    }
}

Stop::~Stop()
{
    for (std::size_t i = 0; i < std::size(k_signals); ++i) {
        if (installed_[i]) {
            ::sigaction(k_signals[i], &previous_[i], nullptr);
        }
    }
    ::close(g_stop_write_fd);
    g_stop_write_fd = -1;
    ::close(read_fd_);
}

void Stop::request() const { write_stop_byte(); }

bool Stop::requested() const
{
    pollfd p{read_fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

int Stop::signal() const { return g_stop_signal.load(); }

void wait_for_events(vtinput::Receiver& receiver, const Stop& stop)
{
    pollfd fds[] = {{receiver.fd(), POLLIN, 0}, {stop.fd(), POLLIN, 0}};
    while (::poll(fds, std::size(fds), -1) < 0) {
        if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "poll");
        }
    }
}

void wait_for_stop(const Stop& stop)
{
    pollfd p{stop.fd(), POLLIN, 0};
    while (::poll(&p, 1, -1) < 0) {
        if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "poll");
        }
    }
}

void notice(const Options& o, std::string_view text)
{
    std::FILE* f = o.json ? stderr : stdout;
    std::fprintf(f, "vtinput-echo: %.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(f);
}

int run_live(const Options& o)
{
    // A closed standard output (`vtinput-echo | head`) must end the program through the
    // normal path, which restores the terminal, not through SIGPIPE's default action.
    std::signal(SIGPIPE, SIG_IGN);
    int status = 0;
    int stop_signal = 0;
    {
        Stop stop;  // before the device, whose TerminalGuard then chains to its handlers
        status = live_session(o, stop);
        stop_signal = stop.signal();
    }
    if (stop_signal != 0) {
        // The terminal is restored and the handlers are as they were: end the way the signal
        // asks, so that the parent sees it.
        std::raise(stop_signal);
    }
    return status;
}

}  // namespace demo
