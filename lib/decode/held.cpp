// Linear feeding: the units the driver holds in `pending` that can take more bytes without
// being parsed again (impl.hpp's Held). Input that arrives a byte at a time (a slow link, a
// serial line, raw-bytes mode) would otherwise re-parse an incomplete unit from its start at
// every byte: quadratic in the unit's length (a 200-byte CSI fed bytewise cost 112 times the
// instructions per byte of a whole feed; measured with callgrind, tests/bench/peer_vtinput).
//
// Invariant: for every byte feed_held (or Decoder::feed's one-byte shortcut) takes, the
// general parser run on the whole unit would answer "need more" and keep exactly the bytes
// kept here, with the same wait; so the events, the deadlines and pending_bytes() are those
// of the general path. `held` is set by stash() alone and reset by everything else that
// empties or replaces `pending` (feed's general path, resolve_all, take_pending,
// set_options).
#include "decode/impl.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

// The two units that grow long are handled without parsing: a CSI still in its
// parameters takes bytes that can only be more parameters (0x30..0x3f: digits, `;`, `:`,
// `<=>?`) by appending them, and a CSI past csi_cap drops the bytes that continue it (0x20..0x3f),
// which the parser would skip. Either way the parser, run on the whole unit, would answer
// exactly "need more" with the same bytes kept, so the events are the same; every other byte
// goes to the parser as before. (A lone ESC followed by `[` alone becomes such a CSI the same
// way: the commonest first two bytes of a key sent a byte at a time.)
bool Decoder::Impl::feed_held(std::string_view bytes)
{
    // `held` is other unless the last stash made it so, in ground mode, with pending bytes.
    if (held == Held::other || mode != Mode::ground) {
        return false;
    }
    if (held == Held::esc) {
        // ESC, then `[`: a CSI introducer, which still waits only the ESC timeout
        // (needs_only_esc_wait), now with nothing but parameters to come.
        if (bytes.size() != 1 || bytes[0] != '[') {
            return false;
        }
        pending.push_back('[');
        held = Held::csi_params;
        return true;
    }
    const u8 lo = held == Held::csi_params ? 0x30 : 0x20;
    for (char ch : bytes) {
        auto b = static_cast<u8>(ch);
        if (b < lo || b > 0x3f) {
            return false;
        }
    }
    if (held == Held::csi_params) {
        // Within the cap, with a byte to spare: the parser decides at the cap itself.
        if (pending.size() + bytes.size() + 1 >= opt.csi_cap) {
            return false;
        }
        if (bytes.size() == 1) {
            pending.push_back(bytes[0]);  // the byte-at-a-time case: no general append
        } else {
            pending.append(bytes);
        }
    }
    wait = Wait::stale;  // a parameter byte makes it known to be a sequence (needs_only_esc_wait)
    return true;
}

// What feed_held may do with the unit [p, end): a CSI (7- or 8-bit introducer, no Alt ESC
// before it) whose bytes after the introducer are all parameter bytes, within csi_cap or cut
// at it; anything else is the parser's.
Decoder::Impl::Held Decoder::Impl::held_kind(const u8* p, const u8* end) const
{
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

}  // namespace vtinput
