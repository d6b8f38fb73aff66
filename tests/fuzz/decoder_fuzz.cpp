// libFuzzer target for the decoder, and (through replay_main.cpp) a regression test that
// replays the seed corpus under any compiler.
//
// The whole input is one terminal byte stream. It is decoded in two configurations, each with
// caps far below the defaults so that the fuzzer reaches them: the built-in grammar with tiny
// caps (a short input already overflows them), and mouse_utf8 + mouse_pixels + a small KeyMap
// with caps that still fit every real sequence. Each is decoded in four ways:
//
//   whole     one feed at one time point, then finish();
//   split     the same bytes in chunks (byte by byte for short inputs, otherwise chunk sizes
//             read from the input's first bytes), all at the same time point, then finish();
//   handover  the same chunks, but every chunk goes to a fresh decoder that first receives
//             the previous decoder's take_pending();
//   timed     the same chunks at increasing time points with flush() between them, so that
//             deadlines pass (its events legitimately differ; only the bounds are checked).
//
// Invariants, each a hard abort with a message on stderr when breached:
//   (a) no crash, no sanitizer report (the libFuzzer build has ASan and UBSan);
//   (b) after every feed and flush, pending_bytes() <= csi_cap + string_cap + paste_cap + slack
//       (only one of the three buffers is in use at a time, so the sum is generous);
//   (c) whole, split and handover give equal event sequences (Event has operator==);
//   (d) bytes are conserved: the bytes carried raw by events (paste text, unknown bytes,
//       report strings) never exceed the input size, and paste text alone never does;
//   (e) handover equals whole (part of (c));
//   (f) finish() leaves nothing pending, and flush() at or after the deadline resolves
//       everything (deadline() is nullopt afterwards).
// Every event is also formatted in its human and JSON forms, so event.cpp is exercised too.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/keymap.hpp"

namespace {

using vtinput::Decoder;
using vtinput::DecoderOptions;
using vtinput::Event;
using vtinput::KeyMap;

// Room for what sits in `pending` beside a full buffer: a possible terminator, an ESC prefix.
constexpr std::size_t k_slack = 16;
// Inputs up to this size are also split byte by byte.
constexpr std::size_t k_bytewise_max = 128;

[[noreturn]] void breach(const char* what, std::string_view input)
{
    std::fprintf(stderr, "decoder_fuzz: invariant breached: %s (input %zu bytes:", what, input.size());
    for (std::size_t i = 0; i < input.size() && i < 256; ++i) {
        std::fprintf(stderr, " %02x", static_cast<unsigned>(static_cast<unsigned char>(input[i])));
    }
    std::fprintf(stderr, "%s)\n", input.size() > 256 ? " ..." : "");
    std::abort();
}

void dump(const char* label, const std::vector<Event>& events)
{
    std::fprintf(stderr, "%s: %zu events\n", label, events.size());
    for (const Event& e : events) {
        std::fprintf(stderr, "  %s\n", vtinput::to_json(e).c_str());
    }
}

// Terminal-specific entries of the kind terminfo adds: sequences the built-in grammar gives
// no meaning to (so the KeyMap is consulted), one that is a prefix of a longer one (so a
// partial match waits for more), and single C0 bytes.
std::shared_ptr<const KeyMap> fuzz_keymap()
{
    using vtinput::Key;
    using vtinput::Mod;
    static const auto map = std::make_shared<const KeyMap>(std::vector<KeyMap::Entry>{
        {"\x1b[[F", vtinput::function_key(6), {}},
        {"\x1b[[F1", vtinput::function_key(7), {}},
        {"\x1b[[1;2;3;4;5Z", vtinput::function_key(8), Mod::shift},
        {"\x1b[Y", Key::home, Mod::ctrl},
        {"\x1bOz", Key::end, Mod::ctrl},
        {"\x1b[2$x", Key::insert, Mod::alt},
        {"\x9b" "9z", Key::del, Mod::alt},
        {"\x08", Key::backspace, {}},
        {"\x7f", Key::del, {}},
    });
    return map;
}

struct Config {
    DecoderOptions options;
    std::shared_ptr<const KeyMap> keymap;
    std::size_t pending_bound = 0;
};

Config make_config(bool variant)
{
    Config c;
    c.options.csi_cap = variant ? 64 : 16;
    c.options.string_cap = variant ? 256 : 32;
    c.options.paste_cap = variant ? 512 : 64;
    c.pending_bound = c.options.csi_cap + c.options.string_cap + c.options.paste_cap + k_slack;
    if (variant) {
        c.options.mouse_utf8 = true;
        c.options.mouse_pixels = true;
        c.keymap = fuzz_keymap();
    }
    return c;
}

// Chunk boundaries (exclusive ends, the last one == size).
std::vector<std::size_t> chunk_ends(std::string_view in, bool bytewise)
{
    std::vector<std::size_t> ends;
    if (bytewise) {
        for (std::size_t i = 1; i <= in.size(); ++i) {
            ends.push_back(i);
        }
        return ends;
    }
    // Chunk sizes 1..40 taken in turn from the first (up to) eight bytes: short enough to
    // cut inside any CSI, string terminator or paste marker.
    std::size_t seeds = in.size() < 8 ? in.size() : 8;
    std::size_t pos = 0;
    for (std::size_t i = 0; pos < in.size(); ++i) {
        auto b = static_cast<unsigned char>(in[i % seeds]);
        pos += 1 + (b + i) % 40;
        ends.push_back(pos < in.size() ? pos : in.size());
    }
    return ends;
}

struct Sink final : vtinput::EventSink {
    void on_event(Event&& e) override { events.push_back(std::move(e)); }
    std::vector<Event> events;
};

void check_bound(const Config& c, const Decoder& d, std::string_view input)
{
    if (d.pending_bytes() > c.pending_bound) {
        std::fprintf(stderr, "pending_bytes() = %zu > %zu\n", d.pending_bytes(), c.pending_bound);
        breach("(b) pending memory bounded", input);
    }
}

void check_finished(const Decoder& d, std::string_view input)
{
    if (d.pending_bytes() != 0 || d.deadline().has_value()) {
        std::fprintf(stderr, "after finish/flush: pending_bytes() = %zu, deadline %s\n", d.pending_bytes(),
                     d.deadline() ? "set" : "none");
        breach("(f) finish/flush resolves everything", input);
    }
}

void check_conservation(const std::vector<Event>& events, std::string_view input)
{
    std::size_t paste = 0;
    std::size_t raw = 0;
    for (const Event& e : events) {
        if (const auto* p = std::get_if<vtinput::PasteEvent>(&e)) {
            paste += p->text.size();
        } else if (const auto* u = std::get_if<vtinput::UnknownEvent>(&e)) {
            raw += u->bytes.size();
        } else if (const auto* r = std::get_if<vtinput::ReportEvent>(&e)) {
            raw += r->text.size();
        }
    }
    if (paste > input.size()) {
        std::fprintf(stderr, "paste bytes %zu > input %zu\n", paste, input.size());
        breach("(d) paste bytes conserved", input);
    }
    if (paste + raw > input.size()) {
        std::fprintf(stderr, "raw bytes in events %zu > input %zu\n", paste + raw, input.size());
        breach("(d) raw bytes conserved", input);
    }
}

void check_equal(const char* what, const std::vector<Event>& whole, const std::vector<Event>& other,
                 std::string_view input)
{
    if (whole != other) {
        dump("whole", whole);
        dump(what, other);
        breach("(c/e) split-invariance", input);
    }
}

const Decoder::clock::time_point t0{};

std::vector<Event> decode_whole(const Config& c, std::string_view in)
{
    Sink sink;
    Decoder d(c.options, c.keymap);
    d.feed(in, t0, sink);
    check_bound(c, d, in);
    d.finish(sink);
    check_finished(d, in);
    return std::move(sink.events);
}

std::vector<Event> decode_split(const Config& c, std::string_view in, const std::vector<std::size_t>& ends)
{
    Sink sink;
    Decoder d(c.options, c.keymap);
    std::size_t from = 0;
    for (std::size_t to : ends) {
        d.feed(in.substr(from, to - from), t0, sink);
        check_bound(c, d, in);
        from = to;
    }
    d.finish(sink);
    check_finished(d, in);
    return std::move(sink.events);
}

std::vector<Event> decode_handover(const Config& c, std::string_view in, const std::vector<std::size_t>& ends)
{
    Sink sink;
    std::string carried;
    std::size_t from = 0;
    std::unique_ptr<Decoder> d;
    for (std::size_t to : ends) {
        d = std::make_unique<Decoder>(c.options, c.keymap);
        // The carried bytes are fed on their own: a second split point inside the hand-over.
        d->feed(carried, t0, sink);
        check_bound(c, *d, in);
        d->feed(in.substr(from, to - from), t0, sink);
        check_bound(c, *d, in);
        carried = d->take_pending();
        if (d->pending_bytes() != 0) {
            breach("(e) take_pending() leaves the decoder empty", in);
        }
        from = to;
    }
    Decoder last(c.options, c.keymap);
    last.feed(carried, t0, sink);
    last.finish(sink);
    check_finished(last, in);
    return std::move(sink.events);
}

// Time passes between chunks (0..255 ms, from the input), and flush() runs before each feed.
void decode_timed(const Config& c, std::string_view in, const std::vector<std::size_t>& ends)
{
    Sink sink;
    Decoder d(c.options, c.keymap);
    auto now = t0;
    std::size_t from = 0;
    for (std::size_t to : ends) {
        now += std::chrono::milliseconds(static_cast<unsigned char>(in[from]));
        auto due = d.deadline();
        d.flush(now, sink);
        check_bound(c, d, in);
        if (due && *due <= now) {
            check_finished(d, in);
        }
        d.feed(in.substr(from, to - from), now, sink);
        check_bound(c, d, in);
        from = to;
    }
    if (auto due = d.deadline()) {
        d.flush(*due, sink);
        check_finished(d, in);
    }
    d.finish(sink);
    check_finished(d, in);
    check_conservation(sink.events, in);
}

void run_config(const Config& c, std::string_view in)
{
    std::vector<Event> whole = decode_whole(c, in);
    check_conservation(whole, in);

    std::string text;
    for (const Event& e : whole) {
        text.clear();
        vtinput::append_human(text, e);
        vtinput::append_json(text, e);
    }

    bool short_input = in.size() <= k_bytewise_max;
    if (short_input) {
        std::vector<std::size_t> bytewise = chunk_ends(in, true);
        check_equal("split byte by byte", whole, decode_split(c, in, bytewise), in);
        check_equal("handover byte by byte", whole, decode_handover(c, in, bytewise), in);
    }
    std::vector<std::size_t> ends = chunk_ends(in, false);
    check_equal("split", whole, decode_split(c, in, ends), in);
    if (!short_input) {
        check_equal("handover", whole, decode_handover(c, in, ends), in);
    }
    decode_timed(c, in, ends);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) {
        return 0;
    }
    std::string_view in(reinterpret_cast<const char*>(data), size);
    static const Config plain = make_config(false);
    static const Config variant = make_config(true);
    run_config(plain, in);
    run_config(variant, in);
    return 0;
}
