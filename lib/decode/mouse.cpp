// Mouse reports: SGR (1006) and SGR-pixels (1016), urxvt (1015), X10/normal (1000-1003) and
// its UTF-8 extension (1005).
//
// All of them carry xterm's button byte (mouse.hpp) and 1-based coordinates, delivered
// 0-based. X10 is not a parameter sequence: `CSI M` is followed by three raw bytes, so it is
// parsed here from the bytes, before csi.cpp's parameter parser; its bytes are coordinates,
// never keys, so a report cut short is one unknown event. csi_short.hpp decodes SGR reports
// inline and must agree with sgr_mouse.
#include "decode/impl.hpp"
#include "decode/mouse.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

// `CSI < Cb ; Cx ; Cy M/m`: SGR mode 1006, and 1016 with pixel coordinates [ctlseqs].
Result Decoder::Impl::sgr_mouse(const Csi& c, std::size_t len)
{
    int cb = c.get(0), x = c.get(1), y = c.get(2);
    if (c.nparams != 3 || c.has_subparams() || cb == k_missing || x == k_missing || y == k_missing || cb > 255) {
        return {Status::skip, len};
    }
    MouseEvent m = mouse_from_cb(cb, c.final == 'm');
    m.x = zero_based(x);
    m.y = zero_based(y);
    m.pixels = opt.mouse_pixels;
    ev = m;
    return {Status::event, len};
}

// `CSI Cb ; Cx ; Cy M`: urxvt's mode 1015, the button byte still offset by 32 [rxvt].
Result Decoder::Impl::urxvt_mouse(const Csi& c, std::size_t len)
{
    int cb = c.get(0), x = c.get(1), y = c.get(2);
    if (c.nparams != 3 || c.has_subparams() || cb == k_missing || x == k_missing || y == k_missing || cb < 32 ||
        cb > 255 + 32) {
        return {Status::skip, len};
    }
    MouseEvent m = mouse_from_cb(cb - 32, false);
    m.x = zero_based(x);
    m.y = zero_based(y);
    ev = m;
    return {Status::event, len};
}

// `CSI M Cb Cx Cy`: X10/normal mouse, each value + 32 in one byte, or UTF-8 encoded
// (mode 1005) when configured.
//
// A bare `CSI M` is also a key: st sends it for Ctrl+Delete (and Ctrl+KP_Delete) when
// keypad-transmit mode is off (st's config.def.h; its terminfo has no key capability for
// it: `\E[M` is its kmous and dl1). The rule that tells them apart: a report's first byte
// follows `CSI M` in the same write, and is never below 32. So `CSI M` followed by a control
// byte (the ESC of the next key, say) is the key, and `CSI M` with nothing after it waits
// only the ESC timeout (decoder.cpp's needs_only_esc_wait), as a lone ESC does, and is
// then the key. Once a report's first byte has arrived it is a report, cut short or not.
Result Decoder::Impl::parse_x10(const u8* p, const u8* q, const u8* end, bool final)
{
    if (q == end) {
        return final ? bare_csi_m(p, static_cast<std::size_t>(q - p)) : Result{Status::need_more, 0};
    }
    if (*q < 0x20) {
        return bare_csi_m(p, static_cast<std::size_t>(q - p));
    }
    int v[3];
    const u8* s = q;
    for (int& out : v) {
        if (s == end) {
            return final ? unknown(p, static_cast<std::size_t>(s - p)) : Result{Status::need_more, 0};
        }
        u8 b = *s;
        if (opt.mouse_utf8 && b >= 0xc2 && b <= 0xdf) {
            if (s + 1 == end) {
                return final ? unknown(p, static_cast<std::size_t>(s + 1 - p)) : Result{Status::need_more, 0};
            }
            if ((s[1] & 0xc0) != 0x80) {
                return unknown(p, static_cast<std::size_t>(s - p));
            }
            out = ((b & 0x1f) << 6) | (s[1] & 0x3f);
            s += 2;
        } else {
            if (b < 0x20) {
                // No terminal sends a value below 32 here: a control byte cuts the report
                // short. The report so far is one unknown event (its bytes are coordinates,
                // not keys to type) and the control byte is decoded on its own.
                return unknown(p, static_cast<std::size_t>(s - p));
            }
            out = b;
            ++s;
        }
    }
    MouseEvent m = mouse_from_cb(v[0] - 32, false);
    m.x = std::max(0, v[1] - 33);
    m.y = std::max(0, v[2] - 33);
    ev = m;
    return {Status::event, static_cast<std::size_t>(s - p)};
}

// The `len` bytes at p are a bare `CSI M` (see parse_x10): the key the terminal's KeyMap
// gives exactly these bytes (SCO's kf1, TERM=scoansi), else Ctrl+Delete, st's meaning.
Result Decoder::Impl::bare_csi_m(const u8* p, std::size_t len)
{
    if (keymap && !keymap->empty()) {
        auto m = keymap->match(std::string_view(reinterpret_cast<const char*>(p), len));
        if (m.entry != nullptr && m.entry->sequence.size() == len) {
            return key(m.entry->key, len, m.entry->mods);
        }
    }
    return key(Key::del, len, Mod::ctrl);
}

}  // namespace vtinput
