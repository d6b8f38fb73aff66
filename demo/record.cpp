// --record: the recording format (docs/record-format.md), written in live mode and read by
// --replay.
//
// A recording is text: a header line naming the format and its version, then one line per
// RawEvent the device delivered, "MICROSECONDS HEX". Text so that it can be read, grepped,
// diffed, pasted into a bug report and written by hand for a test; one record per line so that
// what a crash or a full disk cuts short is the last line only, and a reader can tell (it has
// no newline, or an odd number of hex digits). Times are offsets from the start, not gaps, so a
// line deleted by hand shifts nothing after it.
//
// The writer runs on a thread of its own with a receiver of its own, so the time it stamps is
// the time the poller delivered the bytes (plus a thread wake-up), whatever the line output or
// the screen is doing, and also during the capability query. It writes each batch with
// write(2) as it arrives: nothing waits in a user-space buffer.
//
// The device gives the bytes no time of their own, and delivers the bytes a timeout resolved
// when the timeout ran out, not when they came. Stamped then, a lone ESC followed 60 ms later
// by '[' would replay as ESC [ with 10 ms between them: the start of a sequence, not Escape
// and '['. So the recorder runs the replay's decoder alongside (Recorder::stamp): when it
// still waits on bytes the device has already resolved, only the timeout can have resolved
// them, and they are stamped early enough for the replay's timeout to run out by the time they
// were received, which is when the device's did.
#include "echo.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <system_error>
#include <utility>
#include <variant>

#include <fcntl.h>
#include <unistd.h>

#include "vtinput/keymap.hpp"

namespace demo {
namespace {

constexpr char k_hex_digits[] = "0123456789abcdef";

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Counts events, for the recorder's decoder, whose events are not printed.
class Counter final : public vtinput::EventSink {
public:
    void on_event(vtinput::Event&&) override { ++count; }
    std::size_t count = 0;
};

vtinput::Decoder::clock::time_point at(std::chrono::microseconds offset)
{
    return vtinput::Decoder::clock::time_point{} + offset;
}

// What is wrong with a line, at the byte `index` of it.
LineProblem bad(std::size_t index, std::string message) { return {index + 1, std::move(message)}; }

}  // namespace

bool looks_like_recording(std::string_view start)
{
    return start.size() > k_record_magic.size() && start.starts_with(k_record_magic) &&
           start[k_record_magic.size()] == ' ';
}

std::string parse_record_header(std::string_view line, RecordHeader& header)
{
    line.remove_prefix(k_record_magic.size() + 1);
    std::string_view version = line.substr(0, line.find(' '));
    auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), header.version);
    if (ec != std::errc() || end != version.data() + version.size() || header.version < 1) {
        return "the header has no version number: '" + std::string(version) + "'";
    }
    if (header.version != k_record_version) {
        return "unsupported recording version " + std::to_string(header.version) +
               " (this vtinput-echo reads version " + std::to_string(k_record_version) + ")";
    }
    // Then fields, "key=value" separated by spaces; unknown keys are for newer writers.
    line.remove_prefix(version.size());
    while (!line.empty()) {
        line.remove_prefix(1);  // the space
        std::string_view field = line.substr(0, line.find(' '));
        line.remove_prefix(field.size());
        if (field.starts_with("term=")) {
            header.term = std::string(field.substr(5));
        } else if (field == "mouse-pixels=1") {
            header.decoder.mouse_pixels = true;
        }
    }
    return {};
}

std::variant<Record, Comment, LineProblem> parse_record_line(std::string_view line, std::chrono::microseconds previous)
{
    if (line.empty() || line.front() == '#') {
        return Comment{};
    }
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos) {
        return LineProblem{0, "a record is 'MICROSECONDS HEX', this line has no space"};
    }
    std::string_view time = line.substr(0, space);
    std::int64_t us = 0;
    auto [end, ec] = std::from_chars(time.data(), time.data() + time.size(), us);
    if (ec != std::errc() || end != time.data() + time.size() || us < 0) {
        return bad(0, "bad time '" + std::string(time) + "' (microseconds since the start, a whole number)");
    }
    Record record;
    record.time = std::chrono::microseconds(us);
    if (record.time < previous) {
        return bad(0, "the time goes back (" + std::to_string(us) + " after " + std::to_string(previous.count()) + ")");
    }
    std::string_view hex = line.substr(space + 1);
    if (hex.empty()) {
        return bad(space + 1, "a record without bytes");
    }
    record.bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int high = hex_value(hex[i]);
        int low = i + 1 < hex.size() ? hex_value(hex[i + 1]) : -2;
        std::size_t wrong = high < 0 ? i : i + 1;
        if (high < 0 || low == -1) {
            return bad(space + 1 + wrong, "bad hex digit '" + std::string(1, hex[wrong]) + "'");
        }
        if (low == -2) {
            return bad(space + 1 + i, "an odd number of hex digits (a record cut short?)");
        }
        record.bytes += static_cast<char>(high * 16 + low);
    }
    return record;
}

std::shared_ptr<const vtinput::KeyMap> load_keymap(const std::string& term, bool tell)
{
    try {
        return std::make_shared<const vtinput::KeyMap>(vtinput::KeyMap::from_terminfo(term));
    } catch (const std::system_error& e) {
        if (tell) {
            std::fprintf(stderr, "vtinput-echo: %s; using the built-in grammar only\n", e.what());
        }
        return std::make_shared<const vtinput::KeyMap>();
    }
}

std::optional<vtinput::Decoder::clock::time_point>
flush_until(vtinput::Decoder& decoder, vtinput::Decoder::clock::time_point now, vtinput::EventSink& sink)
{
    std::optional<vtinput::Decoder::clock::time_point> honoured;
    while (auto deadline = decoder.deadline()) {
        if (*deadline > now) {
            break;
        }
        decoder.flush(*deadline, sink);
        honoured = deadline;
        if (decoder.deadline() == deadline) {
            break;  // no progress: a deadline that flush does not resolve (not expected)
        }
    }
    return honoured;
}

Recorder::Recorder(const std::string& path, const Options& o) : path_(path), term_(o.term)
{
    // What the device's decoder is given besides the key table (InputDevice::open).
    options_.mouse_pixels = o.modes.mouse_pixels;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) {
        throw std::system_error(errno, std::generic_category(), "cannot create the recording '" + path + "'");
    }
    std::string header = std::string(k_record_magic) + " " + std::to_string(k_record_version);
    if (!term_.empty()) {
        header += " term=" + term_;
    }
    if (options_.mouse_pixels) {
        header += " mouse-pixels=1";
    }
    header += '\n';
    if (!write_all(header)) {
        int err = errno;
        ::close(fd_);
        throw std::system_error(err, std::generic_category(), "cannot write the recording '" + path + "'");
    }
}

Recorder::~Recorder()
{
    finish();
    ::close(fd_);
}

void Recorder::start(vtinput::Receiver receiver, const Stop& stop, const Options& o)
{
    // Quietly: the device falls back to the built-in grammar as quietly, and the terminal is
    // in raw mode now.
    keymap_ = load_keymap(term_, false);
    shadow_.emplace(options_, keymap_);
    start_ = std::chrono::steady_clock::now();
    stop_ = &stop;
    thread_ = std::thread([this, r = std::move(receiver), &stop, &o]() mutable {
        try {
            run(r, stop, o);
        } catch (const std::exception& ex) {
            notice(o, "the recording stopped: " + std::string(ex.what()));
        }
    });
}

void Recorder::finish()
{
    if (thread_.joinable()) {
        stop_->request();
        thread_.join();
    }
}

void Recorder::run(vtinput::Receiver& receiver, const Stop& stop, const Options& o)
{
    std::vector<vtinput::Event> batch;
    std::string lines;
    for (;;) {
        // As the line output does: once a stop is seen, what is pending is the last batch. The
        // poller delivers to every receiver at once, so the bytes of the key that ended the
        // session are pending here by the time the stop is requested.
        const bool stopping = stop.requested();
        batch.clear();
        receiver.try_receive_all(batch);
        if (batch.empty()) {
            if (stopping || receiver.closed()) {
                return;
            }
            wait_for_events(receiver, stop);
            continue;
        }
        // The receive time stands for the arrival time of every record in the batch (stamp).
        const auto received =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_);
        lines.clear();
        for (const vtinput::Event& event : batch) {
            if (const auto* raw = std::get_if<vtinput::RawEvent>(&event)) {
                lines += std::to_string(stamp(raw->bytes, received).count());
                lines += ' ';
                for (char byte : raw->bytes) {
                    auto c = static_cast<unsigned char>(byte);
                    lines += k_hex_digits[c >> 4];
                    lines += k_hex_digits[c & 15];
                }
                lines += '\n';
            } else if (const auto* lag = std::get_if<vtinput::LaggedEvent>(&event)) {
                // Not expected (the recorder only writes a file), but a gap must be visible.
                lines += "# at " + std::to_string(received.count()) + " us: " + std::to_string(lag->missed) +
                         " events lost to the recording\n";
                notice(o, "the recording lost " + std::to_string(lag->missed) + " events");
            }
        }
        if (!lines.empty() && !write_all(lines)) {
            notice(o, "cannot write the recording '" + path_ + "': " + std::generic_category().message(errno) +
                          "; the recording stops here");
            return;
        }
        if (stopping) {
            return;
        }
    }
}

// The time to record `bytes` at, received at `received`: that time, unless only a timeout can
// have resolved them. The device delivers a RawEvent only with the events its bytes produced;
// if the replay's decoder, fed them at `received`, produces no event but waits (deadline D),
// the device's timeout ran out by `received`, so they came at least D - received earlier. They
// are then stamped that much earlier (never before the previous record, nor before a deadline
// already honoured), and the replay honours the timeout before the next record, as the device
// did. Exact when the replay's decoder had nothing pending before them; otherwise the receive
// time is kept.
std::chrono::microseconds Recorder::stamp(std::string_view bytes, std::chrono::microseconds received)
{
    Counter counter;
    std::chrono::microseconds earliest = last_;
    if (auto honoured = flush_until(*shadow_, at(received), counter)) {
        earliest = std::max(earliest, std::chrono::ceil<std::chrono::microseconds>(*honoured - at({})));
    }
    const bool was_empty = shadow_->pending_bytes() == 0;
    counter.count = 0;
    shadow_->feed(bytes, at(received), counter);
    std::chrono::microseconds time = received;
    if (auto deadline = shadow_->deadline(); counter.count == 0 && was_empty && deadline) {
        auto wait = std::chrono::ceil<std::chrono::microseconds>(*deadline - at(received));
        time = std::max(earliest, received - wait);
        // Fed again at that time: it had nothing pending, so a fresh decoder is the same one.
        shadow_.emplace(options_, keymap_);
        shadow_->feed(bytes, at(time), counter);
    }
    last_ = time;
    return time;
}

bool Recorder::write_all(std::string_view text)
{
    while (!text.empty()) {
        ssize_t n = ::write(fd_, text.data(), text.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = EIO;
            }
            return false;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace demo
