// --replay: decodes recorded input as if it had been typed with no time passing between chunks,
// then resolves whatever is pending as the ESC timeout would, and prints every event (or, with
// --stats, only how many there were).
//
// It reads in blocks of 64 KiB and prints through one buffer written out in blocks, so memory
// stays flat however large the recording is. With --chunk N the decoder is fed N bytes at a
// time, which must not change the events: the conformance vectors check that with --chunk 1.
#include "echo.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "vtinput/decoder.hpp"
#include "vtinput/keymap.hpp"

namespace demo {
namespace {

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
        append_line(buf_, e, json_);
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

}  // namespace

int run_replay(const Options& o)
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

}  // namespace demo
