// vtinput-echo's command line: the usage text, the flags of each mode, and the checks that
// keep them apart.
//
// Every usage error exits 2 with a message naming the flag and "(try --help)"; --help and --version
// exit 0.
// Flags of one mode given to the other are an error, not ignored, so a mistyped command never
// does something other than what was asked. Values must be whole numbers in range, and
// optional values attach with '=' only (`--mouse --paste` is two flags).
#include "arguments.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "vtinput/keymap.hpp"
#include "vtinput/version.hpp"

namespace demo {
namespace {

constexpr std::string_view k_usage =
    "usage: vtinput-echo [--all] [--mouse[=MODE]] [--pixels] [--paste] [--focus] [--kitty[=FLAGS]]\n"
    "                    [--modify-other-keys[=1|2]] [--auto-keyboard] [--win32-input] [--resize]\n"
    "                    [--raw] [--json]\n"
    "                    [--subscribers N] [--no-query] [--query-timeout MS] [--term NAME] [--tui]\n"
    "                    [--record FILE] [--ask NAME]... [--esc-timeout MS | --adaptive-esc]\n"
    "       vtinput-echo --replay FILE|- [--json] [--chunk N] [--no-timing] [--term NAME] [--stats]\n"
    "       vtinput-echo --help | --version\n"
    "Live mode reads the terminal (standard input, else /dev/tty) and prints every event as it\n"
    "arrives. Press Ctrl+C twice to quit.\n"
    "  --mouse[=MODE]   mouse reports in SGR form (1006); MODE is clicks (1000), drag (1002)\n"
    "                   or motion (1003, the default)\n"
    "  --pixels         SGR-pixels mouse positions (1016) instead of cells; implies --mouse\n"
    "  --paste          bracketed paste (2004)\n"
    "  --focus          focus in/out reports (1004)\n"
    "  --kitty[=FLAGS]  push kitty keyboard protocol flags (default 31: all five)\n"
    "  --modify-other-keys[=1|2]  xterm modifyOtherKeys level (default 2)\n"
    "  --auto-keyboard  choose the keyboard protocol for the terminal after probing it: the\n"
    "                   kitty flags (--kitty's, default 31) where it speaks kitty, else\n"
    "                   modifyOtherKeys 2 where it works, else legacy\n"
    "  --win32-input    Windows Terminal's win32-input-mode (9001): every key press and release\n"
    "  --resize         in-band resize reports (2048)\n"
    "  --all            --mouse --paste --focus --kitty --resize\n"
    "  --raw            also print the bytes read, before the events they produced\n"
    "  --subscribers N  N receivers of the events, each on its own thread; lines are tagged\n"
    "                   [rxN] (JSON: \"rx\":N)\n"
    "  --no-query       do not ask the terminal for its capabilities at start\n"
    "  --query-timeout MS  how long to wait for the terminal's answers (default 500)\n"
    "  --ask NAME       ask the terminal at start and print its answer: cursor, foreground,\n"
    "                   background, cursor-color, cell-pixels, window-pixels, mode=N,\n"
    "                   palette=N or termcap=NAME (repeatable; the answers of queries in flight)\n"
    "  --esc-timeout MS how long a lone ESC waits for the rest of a sequence (default: $ESCDELAY,\n"
    "                   else 50)\n"
    "  --adaptive-esc   derive the ESC timeout from the capability query's round trip\n"
    "  --tui            an ncurses screen: event log, modifiers, mouse, capabilities\n"
    "  --record FILE    also write the bytes read and when they came to FILE, a recording\n"
    "                   that --replay plays back with its timing (docs/record-format.md)\n"
    "Replay mode:\n"
    "  --replay FILE    decode recorded input from FILE ('-' for stdin) instead of a terminal:\n"
    "                   a recording made with --record, or plain bytes\n"
    "  --chunk N        feed the decoder N bytes at a time (default: as read, 64 KiB)\n"
    "  --no-timing      feed a recording's bytes as if they came all at once, as plain bytes\n"
    "                   always are (pending input then waits for no timeout)\n"
    "  --stats          print only a final line: events=N bytes=B\n"
    "Both modes:\n"
    "  --json           one JSON object per event (docs/json-schema.md) instead of\n"
    "                   human-readable lines; in live mode, unless --no-query, the first\n"
    "                   line is the capability query's result (\"type\":\"capabilities\")\n"
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
        usage_error(std::string(flag) + " needs a number from " + std::to_string(min) + " to " + std::to_string(max) +
                    ", not '" + text + "'");
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

}  // namespace

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
        } else if (arg == "--version") {
            // The library's version (vtinput-echo is built with it), then the JSON format's.
            std::printf("vtinput-echo %.*s (JSON event format %s)\n",
                        static_cast<int>(vtinput::version_string().size()), vtinput::version_string().data(),
                        vtinput::json_format_version.data());
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
        } else if (arg == "--no-timing") {
            o.no_timing = true;
            live_only = false;
            replay_flag = replay_flag.empty() ? "--no-timing" : replay_flag;
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
            o.term_given = true;
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
        } else if (arg == "--win32-input") {
            o.modes.win32_input = true;
        } else if (name == "--kitty") {
            o.modes.kitty_flags = optional ? parse_number(*optional, 1u, 31u, name) : 31u;
        } else if (name == "--modify-other-keys") {
            o.modes.modify_other_keys = optional ? parse_number(*optional, 1, 2, name) : 2;
        } else if (arg == "--auto-keyboard") {
            o.modes.keyboard = vtinput::Keyboard::automatic;
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
        } else if (name == "--ask") {
            std::string what = value(i, name);
            static constexpr std::string_view k_names[] = {"cursor",       "foreground",  "background",
                                                           "cursor-color", "cell-pixels", "window-pixels"};
            bool known = std::find(std::begin(k_names), std::end(k_names), what) != std::end(k_names);
            if (what.starts_with("mode=") || what.starts_with("palette=")) {
                parse_number(what.substr(what.find('=') + 1), 0, 65535, name);
                known = true;
            }
            known = known || (what.starts_with("termcap=") && what.size() > 8);
            if (!known) {
                usage_error("--ask: unknown query '" + what + "'");
            }
            o.asks.push_back(std::move(what));
        } else if (name == "--esc-timeout") {
            o.esc_timeout = std::chrono::milliseconds(parse_number(value(i, name), 0, 10000, name));
        } else if (arg == "--adaptive-esc") {
            o.adaptive_esc = true;
        } else if (arg == "--tui") {
            o.tui = true;
        } else if (name == "--record") {
            o.record = value(i, name);
            if (o.record.empty() || o.record == "-") {
                usage_error("--record needs a file name (standard output carries the events)");
            }
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
    if (o.modes.keyboard == vtinput::Keyboard::automatic) {
        if (!o.query) {
            usage_error("--auto-keyboard probes the terminal; it cannot go with --no-query");
        }
        o.modes.kitty_flags = o.modes.kitty_flags ? o.modes.kitty_flags : 31u;
    }
    if ((all || o.modes.mouse_pixels) && o.modes.mouse == vtinput::MouseTracking::none) {
        o.modes.mouse = vtinput::MouseTracking::motion;
    }
    o.term = vtinput::KeyMap::term_name(o.term);
    return o;
}

}  // namespace demo
