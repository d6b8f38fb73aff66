// Linear feeding: the units the driver holds in `pending` that can take more bytes without
// being parsed again (impl.hpp's Held). Input that arrives a byte at a time (a slow link, a
// serial line, raw-bytes mode) would otherwise re-parse an incomplete unit from its start at
// every byte: quadratic in the unit's length (a 200-byte CSI fed bytewise cost 112 times the
// instructions per byte of a whole feed; measured with callgrind, tests/bench/peer_vtinput).
//
// Here: stash(), which keeps an incomplete unit in `pending` and says how long it waits
// (needs_only_esc_wait) and what it is (held_kind); and feed_held_utf8, which takes a byte
// after a partial UTF-8 character. feed_held (inline in impl.hpp: it runs once per byte;
// Decoder::feed goes to it, through feed_after_held, only while a unit is held) takes bytes
// for a held CSI or a lone ESC. Invariant: for every byte a shortcut takes, the general path
// run on the whole unit would do what it does: keep exactly the bytes kept here, with the same
// wait (the CSI and ESC shortcuts take only bytes for which it would answer "need more"), or,
// for a UTF-8 character, emit the event parse_utf8 (the same rule) gives for it; so the
// events, the deadlines and pending_bytes() are those of the general path. `held` is set by
// stash() alone (so only in ground mode) and reset by everything else that empties or
// replaces `pending` (feed's general path, feed_held_utf8's event, resolve_all,
// take_pending, set_options).
#include <cstring>

#include "decode/impl.hpp"
#include "support/text.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

namespace {

// An incomplete unit waits only the short ESC timeout while it may still be a key typed
// by hand (a lone ESC, ESC + an introducer, a partial UTF-8 character, a bare `CSI M`: st's
// Ctrl+Delete, see mouse.cpp's parse_x10); once it is known to be a sequence it waits the
// stale timeout.
bool needs_only_esc_wait(const u8* p, const u8* end)
{
    auto n = end - p;
    if (p[0] >= 0x80) {
        // A partial UTF-8 character, a lone C1 introducer, or 8-bit CSI M.
        return n == 1 || p[0] >= 0xc0 || (n == 2 && p[0] == 0x9b && p[1] == 'M');
    }
    if (p[0] != ESC) {
        return false;
    }
    if (n >= 2 && p[1] == ESC) {
        // ESC ESC + an introducer, or ESC ESC [ M: Alt + a pending unit that waits so.
        ++p;
        --n;
        if (n == 2) {
            return true;
        }
    }
    return n <= 2 || (n == 3 && p[1] == '[' && p[2] == 'M');
}

}  // namespace

// What feed_held may do with the unit [p, end): a CSI (7- or 8-bit introducer, no Alt ESC
// before it) whose bytes after the introducer are all parameter bytes, within csi_cap or cut
// at it; anything else is the parser's.
[[gnu::always_inline]] inline Decoder::Impl::Held Decoder::Impl::held_kind(const u8* p, const u8* end) const
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

// Keeps the incomplete unit [p, end) for the next feed. A lone ESC or UTF-8 lead byte (the
// commonest, fed a byte at a time) is stored with no call, so stash needs no stack frame.
void Decoder::Impl::stash(const u8* p, const u8* end)
{
    wait = needs_only_esc_wait(p, end) ? Wait::esc : Wait::stale;
    held = held_kind(p, end);
    if (end - p == 1 && pending.empty() && pending.size() < pending.capacity()) {
        if (held == Held::csi_params) {
            held_room = csi_room();  // a lone 0x9b
        }
        if (pending.size() + 1 > pending.capacity()) {
            __builtin_unreachable();  // tested just above: push_back cannot allocate
        }
        pending.push_back(static_cast<char>(*p));
        return;
    }
    stash_copy(p, end);
}

[[gnu::noinline]] void Decoder::Impl::stash_copy(const u8* p, const u8* end)
{
    pending.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p));
    if (held == Held::csi_params) {
        // feed_held's appends then never allocate (past this, they go the general way).
        pending.reserve(std::min<std::size_t>(opt.csi_cap, 4096));
        held_room = csi_room();
    }
}

// A byte after a partial UTF-8 character (held `pending`, at most 3 bytes): decode_utf8 and
// parse_utf8, the rule, read the character so far with the byte in a buffer of its own, in
// place of the driver's copy into `work` and its run over it. Still incomplete, the byte is kept; complete,
// the character is emitted; anything else (a broken character, or more than one byte) goes the
// general way, which parses the same bytes again from the start.
[[gnu::noinline]] void Decoder::Impl::feed_held_utf8(std::string_view bytes, clock::time_point now)
{
    const std::size_t n = pending.size();
    if (bytes.size() == 1 && n < 4) {
        u8 unit[4];
        // Four bytes whatever n: pending's buffer has room for them (its capacity is at least
        // k_unit_reserve and never shrinks), and the bytes past n are not read.
        std::memcpy(unit, pending.data(), sizeof unit);
        unit[n] = static_cast<u8>(bytes[0]);
        if (decode_utf8(unit, unit + n + 1).status == Utf8Status::incomplete) {
            // parse_utf8's need_more (it answers so exactly when decode_utf8 does), without
            // its call.
            pending.push_back(bytes[0]);
            last = now;
            return;
        }
        Result r = parse_utf8(unit, unit + n + 1, false);
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
