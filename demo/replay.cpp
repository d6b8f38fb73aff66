// --replay: decodes recorded input and prints every event (or, with --stats, only how many
// there were). The input is either a recording made with --record (record.cpp; it starts with
// its header line) or plain bytes.
//
// Plain bytes are decoded as if typed with no time passing between chunks; then whatever is
// pending is resolved as the ESC timeout would. A recording is replayed in the decoder's
// virtual time: each record is fed at its recorded time point, and before it every deadline the
// decoder names at or before that point is honoured with flush(deadline), so an ESC timeout or
// a sequence split across reads comes out as it did live. Nothing sleeps: the time points are
// arguments. --no-timing feeds a recording's bytes as plain bytes are fed.
//
// A recording that goes wrong (a bad line, a cut last line) is decoded up to the bad line, the
// pending input resolved, and then reported with its line number: exit 2, nothing lost that
// could be decoded.
//
// It reads in blocks of 64 KiB and prints through one buffer written out in blocks, so memory
// stays flat however large the input is (a recording: however large each record is). With
// --chunk N the decoder is fed N bytes at a time, which must not change the events: the
// conformance vectors check that with --chunk 1.
#include "echo.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include <fcntl.h>
#include <unistd.h>

#include "vtinput/decoder.hpp"

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

// The input, read in blocks; prints what went wrong when it cannot be read.
class Input {
public:
    explicit Input(const Options& o) : name_(o.replay == "-" ? "standard input" : o.replay)
    {
        fd_ = o.replay == "-" ? STDIN_FILENO : ::open(o.replay.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) {
            std::fprintf(stderr, "vtinput-echo: cannot open '%s': %s\n", o.replay.c_str(), std::strerror(errno));
        }
    }
    ~Input()
    {
        if (fd_ > STDIN_FILENO) {
            ::close(fd_);
        }
    }
    Input(const Input&) = delete;
    Input& operator=(const Input&) = delete;

    bool is_open() const { return fd_ >= 0; }
    const std::string& name() const { return name_; }

    // Appends up to 64 KiB to `buf`. Returns how many bytes (0: the end of the input), or
    // nullopt after telling the user why the input cannot be read.
    std::optional<std::size_t> read_more(std::string& buf)
    {
        constexpr std::size_t block = 1 << 16;
        std::size_t old = buf.size();
        buf.resize(old + block);
        for (;;) {
            ssize_t n = ::read(fd_, buf.data() + old, block);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            buf.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
            if (n < 0) {
                std::fprintf(stderr, "vtinput-echo: cannot read '%s': %s\n", name_.c_str(), std::strerror(errno));
                return std::nullopt;
            }
            return static_cast<std::size_t>(n);
        }
    }

private:
    std::string name_;
    int fd_ = -1;
};

// Feeds `bytes` at `now`, --chunk bytes at a time.
void feed(vtinput::Decoder& decoder, std::string_view bytes, vtinput::Decoder::clock::time_point now, std::size_t chunk,
          Printer& printer)
{
    std::size_t step = chunk ? chunk : bytes.size();
    for (std::size_t off = 0; off < bytes.size(); off += step) {
        decoder.feed(bytes.substr(off, step), now, printer);
    }
}

// Plain bytes: no time passes between chunks, every feed happens "now". `buf` holds what was
// read already. Returns the exit status.
int replay_plain(const Options& o, Input& in, std::string buf, Printer& printer, std::size_t& total)
{
    vtinput::Decoder decoder({}, load_keymap(o.term, true));
    const auto now = vtinput::Decoder::clock::time_point{};
    for (;;) {
        total += buf.size();
        feed(decoder, buf, now, o.chunk, printer);
        buf.clear();
        std::optional<std::size_t> n = in.read_more(buf);
        if (!n) {
            return 2;
        }
        if (*n == 0) {
            break;
        }
    }
    decoder.finish(printer);
    return 0;
}

// A recording (record.cpp): its header, then one record per line. `buf` holds what was read
// already. Returns the exit status.
int replay_recording(const Options& o, Input& in, std::string buf, Printer& printer, std::size_t& total)
{
    std::optional<vtinput::Decoder> decoder;
    std::optional<LineProblem> problem;  // what ended the replay early, to be told
    bool unreadable = false;             // the input could not be read (told already)
    std::size_t line_number = 0;
    std::size_t pos = 0;   // start of the next line in buf
    std::size_t scan = 0;  // where to look for its newline: a long record is scanned once
    std::chrono::microseconds previous{0};
    while (!problem && !unreadable) {
        std::size_t newline = buf.find('\n', scan);
        if (newline == std::string::npos) {
            buf.erase(0, pos);
            pos = 0;
            scan = buf.size();
            std::optional<std::size_t> n = in.read_more(buf);
            if (!n) {
                unreadable = true;
            } else if (*n == 0) {
                if (!buf.empty()) {
                    line_number += 1;
                    problem = LineProblem{0, "the last line has no newline: a record cut short (" +
                                                 std::to_string(buf.size()) + " bytes not replayed)"};
                }
                break;
            }
            continue;
        }
        std::string_view line(buf.data() + pos, newline - pos);
        pos = scan = newline + 1;
        line_number += 1;
        if (line_number == 1) {
            RecordHeader header;
            if (std::string error = parse_record_header(line, header); !error.empty()) {
                problem = LineProblem{0, std::move(error)};
                continue;
            }
            // --term wins; else the entry the live session used.
            decoder.emplace(header.decoder,
                            load_keymap(o.term_given || header.term.empty() ? o.term : header.term, true));
            continue;
        }
        auto parsed = parse_record_line(line, previous);
        if (auto* wrong = std::get_if<LineProblem>(&parsed)) {
            problem = std::move(*wrong);
            continue;
        }
        const auto* record = std::get_if<Record>(&parsed);
        if (!record) {
            continue;  // a comment
        }
        previous = record->time;
        total += record->bytes.size();
        auto now = vtinput::Decoder::clock::time_point{};
        if (!o.no_timing) {
            now += record->time;
            flush_until(*decoder, now, printer);
        }
        feed(*decoder, record->bytes, now, o.chunk, printer);
    }
    // What was decoded before a bad line is kept: the pending input resolved, the events out.
    if (decoder) {
        decoder->finish(printer);
    }
    if (problem) {
        printer.flush();
        std::string where = in.name() + ":" + std::to_string(line_number);
        if (problem->column != 0) {
            where += ":" + std::to_string(problem->column);
        }
        std::fprintf(stderr, "vtinput-echo: %s: %s\n", where.c_str(), problem->message.c_str());
    }
    return problem || unreadable ? 2 : 0;
}

}  // namespace

int run_replay(const Options& o)
{
    Input in(o);
    if (!in.is_open()) {
        return 2;
    }
    Printer printer(o);
    std::size_t total = 0;
    // Enough of the start to tell a recording by its header; a pipe may give it in pieces.
    std::string buf;
    while (buf.size() <= k_record_magic.size() && k_record_magic.starts_with(buf)) {
        std::optional<std::size_t> n = in.read_more(buf);
        if (!n) {
            return 2;
        }
        if (*n == 0) {
            break;
        }
    }
    int status = looks_like_recording(buf) ? replay_recording(o, in, std::move(buf), printer, total)
                                           : replay_plain(o, in, std::move(buf), printer, total);
    if (o.stats) {  // also after a bad recording: what was decoded before it
        printer.flush();
        std::printf("events=%zu bytes=%zu\n", printer.events(), total);
    }
    printer.flush();
    return status;
}

}  // namespace demo
