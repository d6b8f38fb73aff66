// vtinput-echo: prints every input event, human-readable or as JSON lines (SCHEMA.md).
//
// Live mode (the default) opens the InputDevice on the terminal, enables the input protocols
// the flags ask for, and prints each event as it arrives (live.cpp), or shows them on an
// ncurses screen (--tui, tui.cpp), until Ctrl+C is pressed twice, the input ends, or a signal
// comes; the terminal is restored on every one of those ways out.
//
// Offline mode (`--replay FILE|-`) decodes recorded input as if it had been typed with no
// time passing between chunks, then resolves whatever is pending as the ESC timeout would.
// It reads in blocks, so memory stays flat however large the recording is.
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "echo.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/keymap.hpp"

using demo::Options;

namespace {

constexpr std::string_view k_usage =
    "usage: vtinput-echo [--all] [--mouse[=MODE]] [--pixels] [--paste] [--focus] [--kitty[=FLAGS]]\n"
    "                    [--modify-other-keys[=1|2]] [--resize] [--raw] [--json] [--subscribers N]\n"
    "                    [--no-query] [--query-timeout MS] [--term NAME] [--tui]\n"
    "       vtinput-echo --replay FILE|- [--json] [--chunk N] [--term NAME] [--stats]\n"
    "Live mode reads the terminal (standard input, else /dev/tty) and prints every event as it\n"
    "arrives. Press Ctrl+C twice to quit.\n"
    "  --mouse[=MODE]   mouse reports in SGR form (1006); MODE is clicks (1000), drag (1002)\n"
    "                   or motion (1003, the default)\n"
    "  --pixels         SGR-pixels mouse positions (1016) instead of cells; implies --mouse\n"
    "  --paste          bracketed paste (2004)\n"
    "  --focus          focus in/out reports (1004)\n"
    "  --kitty[=FLAGS]  push kitty keyboard protocol flags (default 31: all five)\n"
    "  --modify-other-keys[=1|2]  xterm modifyOtherKeys level (default 2)\n"
    "  --resize         in-band resize reports (2048)\n"
    "  --all            --mouse --paste --focus --kitty --resize\n"
    "  --raw            also print the bytes read, before the events they produced\n"
    "  --subscribers N  N receivers of the events, each on its own thread; lines are tagged\n"
    "                   [rxN] (JSON: \"rx\":N)\n"
    "  --no-query       do not ask the terminal for its capabilities at start\n"
    "  --query-timeout MS  how long to wait for the terminal's answers (default 500)\n"
    "  --tui            an ncurses screen: event log, modifiers, mouse, capabilities\n"
    "Replay mode:\n"
    "  --replay FILE    decode recorded input from FILE ('-' for stdin) instead of a terminal\n"
    "  --chunk N        feed the decoder N bytes at a time (default: as read, 64 KiB)\n"
    "  --stats          print only a final line: events=N bytes=B\n"
    "Both modes:\n"
    "  --json           one JSON object per event (SCHEMA.md) instead of human-readable lines\n"
    "  --term NAME      terminfo entry for terminal-specific keys (default $TERM, else\n"
    "                   xterm-256color)\n";

[[noreturn]] void usage_error(const std::string& message)
{
    std::fprintf(stderr, "vtinput-echo: %s (try --help)\n", message.c_str());
    std::exit(2);
}

// A whole decimal number in [min, max], or a usage error naming `flag`.
template <class T>
T parse_number(const std::string& text, T min, T max, std::string_view flag)
{
    T n{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < min || n > max) {
        usage_error(std::string(flag) + " needs a number from " + std::to_string(min) + " to " +
                    std::to_string(max) + ", not '" + text + "'");
    }
    return n;
}

vtinput::MouseTracking parse_mouse(const std::string& mode)
{
    if (mode == "clicks") {
        return vtinput::MouseTracking::clicks;
    }
    if (mode == "drag") {
        return vtinput::MouseTracking::drag;
    }
    if (mode == "motion") {
        return vtinput::MouseTracking::motion;
    }
    usage_error("--mouse takes clicks, drag or motion, not '" + mode + "'");
}

Options parse_args(int argc, char** argv)
{
    Options o;
    // `--flag=VALUE` or `--flag VALUE`, for flags that need a value.
    auto value = [&](int& i, std::string_view flag) -> std::string {
        std::string_view arg = argv[i];
        if (auto eq = arg.find('='); eq != std::string_view::npos) {
            return std::string(arg.substr(eq + 1));
        }
        if (i + 1 >= argc) {
            usage_error(std::string(flag) + " needs a value");
        }
        return argv[++i];
    };
    bool have_replay = false;
    bool all = false;
    std::string live_flag;    // the first flag given that only live mode uses
    std::string replay_flag;  // the first flag given that only --replay uses
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::string_view name = arg.substr(0, arg.find('='));
        // Optional values only in the `--flag=VALUE` form, so `--mouse --paste` stays two flags.
        std::optional<std::string> optional;
        if (name.size() < arg.size()) {
            optional = std::string(arg.substr(name.size() + 1));
        }
        bool live_only = true;
        if (arg == "--help" || arg == "-h") {
            std::fwrite(k_usage.data(), 1, k_usage.size(), stdout);
            std::exit(0);
        } else if (name == "--replay") {
            o.replay = value(i, name);
            have_replay = true;
            live_only = false;
            if (o.replay.empty()) {
                usage_error("--replay needs a file name or '-'");
            }
        } else if (arg == "--json") {
            o.json = true;
            live_only = false;
        } else if (arg == "--stats") {
            o.stats = true;
            live_only = false;
            replay_flag = replay_flag.empty() ? "--stats" : replay_flag;
        } else if (name == "--chunk") {
            std::string v = value(i, name);
            std::size_t n = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || end != v.data() + v.size() || n == 0) {
                usage_error("--chunk needs a positive number, not '" + v + "'");
            }
            o.chunk = n;
            live_only = false;
            replay_flag = replay_flag.empty() ? "--chunk" : replay_flag;
        } else if (name == "--term") {
            o.term = value(i, name);
            live_only = false;
            if (o.term.empty()) {
                usage_error("--term needs a terminal name");
            }
        } else if (name == "--mouse") {
            o.modes.mouse = parse_mouse(optional.value_or("motion"));
        } else if (arg == "--pixels") {
            o.modes.mouse_pixels = true;
        } else if (arg == "--paste") {
            o.modes.bracketed_paste = true;
        } else if (arg == "--focus") {
            o.modes.focus = true;
        } else if (name == "--kitty") {
            o.modes.kitty_flags = optional ? parse_number(*optional, 1u, 31u, name) : 31u;
        } else if (name == "--modify-other-keys") {
            o.modes.modify_other_keys = optional ? parse_number(*optional, 1, 2, name) : 2;
        } else if (arg == "--resize") {
            o.modes.in_band_resize = true;
        } else if (arg == "--all") {
            all = true;
        } else if (arg == "--raw") {
            o.raw_bytes = true;
        } else if (name == "--subscribers") {
            o.subscribers = parse_number(value(i, name), 1, 64, name);
        } else if (arg == "--no-query") {
            o.query = false;
        } else if (name == "--query-timeout") {
            o.query_timeout = std::chrono::milliseconds(parse_number(value(i, name), 1, 60000, name));
        } else if (arg == "--tui") {
            o.tui = true;
        } else {
            usage_error("unknown argument '" + std::string(arg) + "'");
        }
        if (live_only && live_flag.empty()) {
            live_flag = std::string(name);
        }
    }
    if (have_replay && !live_flag.empty()) {
        usage_error(live_flag + " applies to live mode only, not to --replay");
    }
    if (!have_replay && !replay_flag.empty()) {
        usage_error(replay_flag + " applies to --replay only");
    }
    if (o.tui && o.subscribers > 1) {
        usage_error("--tui shows one receiver; --subscribers applies to the line output");
    }
    // --all fills in what was not asked for explicitly, whichever order the flags came in.
    if (all) {
        o.modes.bracketed_paste = o.modes.focus = o.modes.in_band_resize = true;
        o.modes.kitty_flags = o.modes.kitty_flags ? o.modes.kitty_flags : 31u;
    }
    if ((all || o.modes.mouse_pixels) && o.modes.mouse == vtinput::MouseTracking::none) {
        o.modes.mouse = vtinput::MouseTracking::motion;
    }
    o.term = vtinput::KeyMap::term_name(o.term);
    return o;
}

// Formats events into a buffer written out in large blocks.
class Printer final : public vtinput::EventSink {
public:
    explicit Printer(const Options& o) : json_(o.json), stats_(o.stats) { buf_.reserve(1 << 16); }
    ~Printer() { flush(); }

    void on_event(vtinput::Event&& e) override
    {
        ++events_;
        if (stats_) {
            return;
        }
        if (json_) {
            vtinput::append_json(buf_, e);
        } else {
            vtinput::append_human(buf_, e);
        }
        buf_ += '\n';
        if (buf_.size() >= (1 << 16)) {
            flush();
        }
    }

    void flush()
    {
        if (!buf_.empty()) {
            std::fwrite(buf_.data(), 1, buf_.size(), stdout);
            buf_.clear();
        }
        std::fflush(stdout);
    }

    std::size_t events() const { return events_; }

private:
    bool json_;
    bool stats_;
    std::size_t events_ = 0;
    std::string buf_;
};

int replay(const Options& o)
{
    int fd = o.replay == "-" ? STDIN_FILENO : ::open(o.replay.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        std::fprintf(stderr, "vtinput-echo: cannot open '%s': %s\n", o.replay.c_str(), std::strerror(errno));
        return 2;
    }
    auto keymap = std::make_shared<const vtinput::KeyMap>();
    try {
        keymap = std::make_shared<const vtinput::KeyMap>(vtinput::KeyMap::from_terminfo(o.term));
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "vtinput-echo: %s; using the built-in grammar only\n", e.what());
    }
    vtinput::Decoder decoder({}, keymap);
    Printer printer(o);
    // No time passes between chunks: every feed happens "now".
    const auto now = vtinput::Decoder::clock::time_point{};
    std::string block(1 << 16, '\0');
    std::size_t total = 0;
    for (;;) {
        ssize_t n = ::read(fd, block.data(), block.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            std::fprintf(stderr, "vtinput-echo: cannot read '%s': %s\n", o.replay.c_str(), std::strerror(errno));
            return 2;
        }
        if (n == 0) {
            break;
        }
        std::string_view data(block.data(), static_cast<std::size_t>(n));
        total += data.size();
        std::size_t step = o.chunk ? o.chunk : data.size();
        for (std::size_t off = 0; off < data.size(); off += step) {
            decoder.feed(data.substr(off, step), now, printer);
        }
    }
    decoder.finish(printer);
    if (fd != STDIN_FILENO) {
        ::close(fd);
    }
    if (o.stats) {
        std::printf("events=%zu bytes=%zu\n", printer.events(), total);
    }
    printer.flush();
    return 0;
}

// ---- live mode ----------------------------------------------------------------------------

// Live mode needs a terminal to read: standard input, or /dev/tty when standard input is
// redirected (where InputDevice reads by default).
bool have_terminal()
{
    if (::isatty(STDIN_FILENO)) {
        return true;
    }
    int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    ::close(fd);
    return true;
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
    if (m.kitty_flags != 0) {
        parts.push_back("kitty flags " + std::to_string(m.kitty_flags));
    }
    if (m.modify_other_keys != 0) {
        parts.push_back("modifyOtherKeys " + std::to_string(m.modify_other_keys));
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

int live_session(const Options& o, const demo::Stop& stop)
{
    vtinput::DeviceOptions options;
    options.term = o.term;
    options.terminal = o.modes;
    options.raw_bytes = o.raw_bytes;
    vtinput::InputDevice device = vtinput::InputDevice::open(options);
    // Every receiver exists before the query, so keys typed meanwhile reach all of them.
    std::vector<vtinput::Receiver> extra;
    for (int i = 1; i < o.subscribers; ++i) {
        extra.push_back(device.subscribe());
    }
    if (!o.tui) {
        demo::notice(o, describe(o.modes) + "; " + std::string(demo::k_quit_hint));
    }
    vtinput::Capabilities caps;
    if (o.query) {
        caps = device.query_capabilities(o.query_timeout);
        if (!o.tui) {
            demo::notice(o, "terminal: " + vtinput::to_string(caps));
        }
    }
    return o.tui ? demo::run_tui(o, device, caps, stop) : demo::run_lines(o, device, std::move(extra), stop);
}

int live(const Options& o)
{
    if (!have_terminal()) {
        std::fputs("vtinput-echo: no terminal to read: standard input is not a terminal and /dev/tty "
                   "cannot be opened; to decode recorded input, use --replay FILE (or - for stdin)\n",
                   stderr);
        return 2;
    }
    // A closed standard output (`vtinput-echo | head`) must end the program through the
    // normal path, which restores the terminal, not through SIGPIPE's default action.
    std::signal(SIGPIPE, SIG_IGN);
    int status = 0;
    int stop_signal = 0;
    {
        demo::Stop stop;  // before the device, whose TerminalGuard then chains to its handlers
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

}  // namespace

int main(int argc, char** argv)
{
    Options o = parse_args(argc, argv);
    if (!o.replay.empty()) {
        return replay(o);
    }
    int status = 1;
    try {
        status = live(o);
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "vtinput-echo: %s\n", ex.what());
    }
    return status;
}
