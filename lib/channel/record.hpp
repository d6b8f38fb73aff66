// Event <-> ring record (internal): how each event type travels through the channel, and what it
// costs the byte budget. The ring itself (slots, cursors, lag, waking) is state.hpp; the slot
// that keeps the latest resize is resize_slot.hpp.
//
// A record is a fixed number of plain words, so that the ring can copy it word by word through
// relaxed atomics (see the design notes in state.hpp). Small events (keys with up to 8 bytes of
// text, mouse, focus, cursor position, lag, end of input) are encoded into their record whole,
// and decoding them allocates nothing. The others (paste, clipboard, unknown bytes, reports, errors,
// raw bytes, longer key text) become a payload marker: the event itself is kept as a shared
// payload beside the ring, and its heap bytes count against ChannelOptions::max_bytes. A resize
// takes no ring record at all: its record words go to the resize slot, which keeps only the
// latest one (resizes collapse; state.hpp says why and where it is delivered). encode_record
// decides all of this, with one case per event type (an exhaustive std::visit): a new event
// type does not compile until it says how it travels and what it costs.
//
// Layouts (word 0 starts with the RecordTag byte; unused bytes are zero):
//   key      w0: tag, mods, kind, text length, key (high 32 bits)  w1: shifted, base  w2: text
//   mouse    w0: tag, action, button, mods, pixels                 w1: x, y
//   focus    w0: tag, gained
//   resize   w1: cols, rows  w2: width_px, height_px  (w1 and w2 are what the resize slot keeps)
//   cursor   w1: row, col
//   lagged   w1: missed
//   eof, payload: the tag alone
// Integers are stored as their 32-bit two's complement and read back the same way, so every
// value of the events' fields survives the round trip.
//
// Three words, so that a slot (with its sequence word) is 32 bytes: two to a cache line, and
// 128 KiB of ring at the default capacity (4,096), where eight words took 288 KiB. Eight bytes
// of key text hold any one character and most pairs; longer text (a kitty key's associated
// text, a composed sequence) is rare, and a payload.
//
// Defined here, and always inlined, rather than in a .cpp: both run once per event on the hot
// path (encode in the sender, decode in every receiver), and inlined into the ring's write and
// take they cost about 9 and 20 fewer instructions per event than as calls (callgrind, GCC 12,
// -O2; GCC does not inline decode_record on its own).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <variant>

#include "event/visit.hpp"
#include "vtinput/event.hpp"

namespace vtinput::detail {

inline constexpr std::size_t k_record_words = 3;
using Record = std::uint64_t[k_record_words];

// The first byte of a record's first word: what kind of event it holds.
enum class RecordTag : std::uint8_t { key, mouse, focus, resize, cursor, eof, lagged, payload };

inline RecordTag record_tag(const Record& r) { return static_cast<RecordTag>(r[0] & 0xff); }

// Where an event travels: whole in its ring record, as a payload beside the ring (the record is
// a payload marker), or, a resize, in the resize slot (its record words, no ring record).
enum class Route : std::uint8_t { record, payload, resize_slot };

struct Encoding {
    Route route = Route::record;
    std::size_t payload_bytes = 0;  // for a payload, the heap bytes it keeps alive
};

namespace record_layout {

inline constexpr std::size_t k_inline_text = (k_record_words - 2) * 8;  // 8 bytes of key text fit

inline std::uint64_t pack32(std::uint32_t lo, std::uint32_t hi) { return lo | (std::uint64_t{hi} << 32); }
inline std::uint64_t pack32(int lo, int hi)
{
    return pack32(static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(hi));
}
inline std::uint32_t lo32(std::uint64_t w) { return static_cast<std::uint32_t>(w); }
inline std::uint32_t hi32(std::uint64_t w) { return static_cast<std::uint32_t>(w >> 32); }
inline std::uint8_t byte_at(std::uint64_t w, int i) { return static_cast<std::uint8_t>(w >> (8 * i)); }
inline std::uint64_t tag_word(RecordTag tag) { return static_cast<std::uint64_t>(tag); }

// The event stays whole in the record.
inline constexpr Encoding in_record{Route::record, 0};

// The event travels as a payload keeping `bytes` heap bytes alive.
inline Encoding payload(Record& r, std::size_t bytes)
{
    r[0] = tag_word(RecordTag::payload);
    return {Route::payload, bytes};
}

}  // namespace record_layout

// Writes `e` into `r`: the event, or a payload marker (then the caller keeps `e` as a payload);
// says which, or that `r` is a resize for the resize slot. Never allocates.
[[gnu::always_inline]] inline Encoding encode_record(const Event& e, Record& r)
{
    using namespace record_layout;
    std::memset(r, 0, sizeof r);
    return std::visit(
        overloaded{
            [&](const KeyEvent& k) {
                if (k.text.size() > k_inline_text) {
                    return payload(r, k.text.size());
                }
                r[0] = tag_word(RecordTag::key) | (std::uint64_t{k.mods.bits()} << 8) |
                       (std::uint64_t{static_cast<std::uint8_t>(k.kind)} << 16) | (std::uint64_t{k.text.size()} << 24) |
                       (std::uint64_t{static_cast<std::uint32_t>(k.key)} << 32);
                r[1] = pack32(static_cast<std::uint32_t>(k.shifted), static_cast<std::uint32_t>(k.base));
                std::memcpy(&r[2], k.text.data(), k.text.size());
                return in_record;
            },
            [&](const MouseEvent& m) {
                r[0] = tag_word(RecordTag::mouse) | (std::uint64_t{static_cast<std::uint8_t>(m.action)} << 8) |
                       (std::uint64_t{static_cast<std::uint8_t>(m.button)} << 16) |
                       (std::uint64_t{m.mods.bits()} << 24) | (std::uint64_t{m.pixels} << 32);
                r[1] = pack32(m.x, m.y);
                return in_record;
            },
            [&](const PasteEvent& p) { return payload(r, p.text.size()); },
            [&](const ClipboardEvent& c) { return payload(r, c.selection.size() + c.data.size()); },
            [&](const FocusEvent& f) {
                r[0] = tag_word(RecordTag::focus) | (std::uint64_t{f.gained} << 8);
                return in_record;
            },
            [&](const ResizeEvent& z) {
                r[0] = tag_word(RecordTag::resize);
                r[1] = pack32(z.cols, z.rows);
                r[2] = pack32(z.width_px, z.height_px);
                return Encoding{Route::resize_slot, 0};
            },
            [&](const CursorPositionEvent& c) {
                r[0] = tag_word(RecordTag::cursor);
                r[1] = pack32(c.row, c.col);
                return in_record;
            },
            [&](const ReportEvent& x) { return payload(r, x.text.size() + x.params.size() * sizeof(int)); },
            [&](const UnknownEvent& u) { return payload(r, u.bytes.size()); },
            [&](const LaggedEvent& l) {
                r[0] = tag_word(RecordTag::lagged);
                r[1] = l.missed;
                return in_record;
            },
            [&](const EofEvent&) {
                r[0] = tag_word(RecordTag::eof);
                return in_record;
            },
            [&](const ErrorEvent& x) { return payload(r, x.message.size()); },
            [&](const RawEvent& b) { return payload(r, b.bytes.size()); },
        },
        e);
}

// The event in `r`, which is not a payload marker. Reuses `out`'s storage where it can (a key's
// text buffer), so decoding a key into a key allocates nothing.
[[gnu::always_inline]] inline void decode_record(const Record& r, Event& out)
{
    using namespace record_layout;
    switch (record_tag(r)) {
    case RecordTag::key: {
        auto* k = std::get_if<KeyEvent>(&out);
        if (k == nullptr) {
            k = &out.emplace<KeyEvent>();
        }
        k->mods = Mods::from_bits(byte_at(r[0], 1));
        k->kind = static_cast<KeyKind>(byte_at(r[0], 2));
        k->key = static_cast<Key>(hi32(r[0]));
        k->shifted = lo32(r[1]);
        k->base = hi32(r[1]);
        k->text.assign(reinterpret_cast<const char*>(&r[2]), byte_at(r[0], 3));
        return;
    }
    case RecordTag::mouse: {
        MouseEvent m;
        m.action = static_cast<MouseAction>(byte_at(r[0], 1));
        m.button = static_cast<MouseButton>(byte_at(r[0], 2));
        m.mods = Mods::from_bits(byte_at(r[0], 3));
        m.pixels = byte_at(r[0], 4) != 0;
        m.x = static_cast<int>(lo32(r[1]));
        m.y = static_cast<int>(hi32(r[1]));
        out = m;
        return;
    }
    case RecordTag::focus: out = FocusEvent{byte_at(r[0], 1) != 0}; return;
    case RecordTag::resize:
        out = ResizeEvent{static_cast<int>(lo32(r[1])), static_cast<int>(hi32(r[1])), static_cast<int>(lo32(r[2])),
                          static_cast<int>(hi32(r[2]))};
        return;
    case RecordTag::cursor:
        out = CursorPositionEvent{static_cast<int>(lo32(r[1])), static_cast<int>(hi32(r[1]))};
        return;
    case RecordTag::lagged: out = LaggedEvent{r[1]}; return;
    case RecordTag::eof:
    case RecordTag::payload:  // not for decode_record: the caller takes the payload instead
        break;
    }
    out = EofEvent{};
}

}  // namespace vtinput::detail
