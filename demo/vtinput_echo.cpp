// vtinput-echo: prints every input event, human-readable or as JSON lines (SCHEMA.md).
//
// Offline mode (`--replay FILE|-`) decodes recorded input as if it had been typed with no
// time passing between chunks, then resolves whatever is pending as the ESC timeout would.
// It reads in blocks, so memory stays flat however large the recording is.
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/keymap.hpp"

namespace {

constexpr std::string_view k_usage =
    "usage: vtinput-echo --replay FILE|- [--json] [--chunk N] [--term NAME] [--stats]\n"
    "  --replay FILE  decode recorded input from FILE ('-' for stdin) instead of a terminal\n"
    "  --json         one JSON object per event (SCHEMA.md) instead of human-readable lines\n"
    "  --chunk N      feed the decoder N bytes at a time (default: as read, 64 KiB)\n"
    "  --term NAME    terminfo entry for terminal-specific keys (default $TERM, else xterm-256color)\n"
    "  --stats        print only a final line: events=N bytes=B\n";

struct Options {
    std::string replay;  // empty: live mode
    bool json = false;
    bool stats = false;
    std::size_t chunk = 0;
    std::string term;
};

[[noreturn]] void usage_error(const std::string& message)
{
    std::fprintf(stderr, "vtinput-echo: %s (try --help)\n", message.c_str());
    std::exit(2);
}

Options parse_args(int argc, char** argv)
{
    Options o;
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
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::string_view name = arg.substr(0, arg.find('='));
        if (arg == "--help" || arg == "-h") {
            std::fwrite(k_usage.data(), 1, k_usage.size(), stdout);
            std::exit(0);
        } else if (name == "--replay") {
            o.replay = value(i, name);
            have_replay = true;
            if (o.replay.empty()) {
                usage_error("--replay needs a file name or '-'");
            }
        } else if (arg == "--json") {
            o.json = true;
        } else if (arg == "--stats") {
            o.stats = true;
        } else if (name == "--chunk") {
            std::string v = value(i, name);
            std::size_t n = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || end != v.data() + v.size() || n == 0) {
                usage_error("--chunk needs a positive number, not '" + v + "'");
            }
            o.chunk = n;
        } else if (name == "--term") {
            o.term = value(i, name);
            if (o.term.empty()) {
                usage_error("--term needs a terminal name");
            }
        } else {
            usage_error("unknown argument '" + std::string(arg) + "'");
        }
    }
    if (!have_replay) {
        usage_error("live mode is not available yet; use --replay FILE");
    }
    if (o.term.empty()) {
        const char* t = std::getenv("TERM");
        o.term = t && *t ? t : "xterm-256color";
    }
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
    std::string diagnostic;
    auto keymap = std::make_shared<const vtinput::KeyMap>(vtinput::KeyMap::from_terminfo(o.term, &diagnostic));
    if (!diagnostic.empty()) {
        std::fprintf(stderr, "vtinput-echo: %s\n", diagnostic.c_str());
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

}  // namespace

int main(int argc, char** argv)
{
    Options o = parse_args(argc, argv);
    return replay(o);
}
