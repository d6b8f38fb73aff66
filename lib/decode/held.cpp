// Linear feeding: the units the driver holds in `pending` that can take more bytes without
// being parsed again (impl.hpp's Held). Input that arrives a byte at a time (a slow link, a
// serial line, raw-bytes mode) would otherwise re-parse an incomplete unit from its start at
// every byte: quadratic in the unit's length (a 200-byte CSI fed bytewise cost 112 times the
// instructions per byte of a whole feed; measured with callgrind, tests/bench/peer_vtinput).
//
// feed_held (inline in impl.hpp: it runs once per byte; Decoder::feed goes to it, through
// feed_after_held, only while a unit is held) takes bytes for a held unit; held_kind, here,
// says what stash() holds. Invariant: for every byte
// feed_held takes, the general parser run on the whole unit would answer "need more" and keep
// exactly the bytes kept here, with the same wait; so the events, the deadlines and
// pending_bytes() are those of the general path. `held` is set by stash() alone and reset by everything else that
// empties or replaces `pending` (feed's general path, resolve_all, take_pending,
// set_options).
#include "decode/impl.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

// What feed_held may do with the unit [p, end): a CSI (7- or 8-bit introducer, no Alt ESC
// before it) whose bytes after the introducer are all parameter bytes, within csi_cap or cut
// at it; anything else is the parser's.
Decoder::Impl::Held Decoder::Impl::held_kind(const u8* p, const u8* end) const
{
    if (p[0] >= 0xc0) {
        return Held::utf8;  // parse_unit's for parse_utf8, which answered incomplete
    }
    if (end - p == 1 && p[0] == ESC) {
        return Held::esc;
    }
    std::size_t intro = p[0] == 0x9b ? 1 : (end - p >= 2 && p[0] == ESC && p[1] == '[') ? 2 : 0;
    if (intro == 0) {
        return Held::other;
    }
    const auto n = static_cast<std::size_t>(end - p);
    const u8 lo = n >= opt.csi_cap ? 0x20 : 0x30;
    for (const u8* s = p + intro; s < end; ++s) {
        if (*s < lo || *s > 0x3f) {
            return Held::other;
        }
    }
    if (n >= opt.csi_cap) {
        return n == std::max(opt.csi_cap, intro) ? Held::csi_overlong : Held::other;
    }
    return Held::csi_params;
}

// A byte after a partial UTF-8 character (held `pending`, at most 3 bytes): parse_utf8, the
// rule, parses the character so far with the byte in a buffer of its own, in place of the
// driver's copy into `work` and its run over it. Still incomplete, the byte is kept; complete,
// the character is emitted; anything else (a broken character, or more than one byte) goes the
// general way, which parses the same bytes again from the start.
[[gnu::noinline]] void Decoder::Impl::feed_held_utf8(std::string_view bytes, clock::time_point now)
{
    const std::size_t n = pending.size();
    if (bytes.size() == 1 && n < 4) {
        u8 unit[4];
        std::copy_n(reinterpret_cast<const u8*>(pending.data()), n, unit);
        unit[n] = static_cast<u8>(bytes[0]);
        Result r = parse_utf8(unit, unit + n + 1, false);
        if (r.status == Status::need_more) {
            pending.push_back(bytes[0]);
            last = now;
            return;
        }
        if (r.status == Status::event && r.len == n + 1) {
            pending.clear();
            held = Held::other;
            last = now;
            emit(std::move(ev));
            return;
        }
    }
    feed(bytes, now);
}

}  // namespace vtinput
