// Legacy keyboard sequences: cursor, function and editing keys in CSI and SS3 form (xterm,
// VT220, rxvt, the Linux console), and the policy that tells modified F3 from a cursor
// position report.
//
// What each parameter and final byte means as a key is in keys.hpp, row by row with its
// source; this file is the grammar around them: which parameter counts and values make a
// key, where the modifiers sit, what is left to the KeyMap (terminfo) when nothing here
// applies. csi_short.hpp decodes the commonest of these forms inline and must agree with
// csi_key, cpr_or_f3 and tilde.
#include "decode/impl.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

// `CSI [1 ; m[:e]] X` for the cursor keys, Begin, Home/End and F1/F2/F4 [ctlseqs]; `CSI Z`
// back-tab [ctlseqs]; rxvt's Shift+arrows `CSI a..d` [rxvt].
Result Decoder::Impl::csi_key(const Csi& c, std::size_t len)
{
    u8 f = c.final;
    if (f >= 'a' && f <= 'd') {
        return c.nparams == 0 ? key(rxvt_arrow(f), len, Mod::shift) : Result{Status::skip, len};
    }
    if (c.nparams > 2 || c.get_or(0, 1) != 1 || !valid_mod_param(c.get(1, 0))) {
        return {Status::skip, len};
    }
    if (f == 'Z') {
        return key(Key::tab, len, mods_from_param(c.get(1, 0)) | Mod::shift, kind_from_param(c.get(1, 1)));
    }
    if (c.count(0) > 1) {
        return {Status::skip, len};
    }
    return key(letter_key(f), len, mods_from_param(c.get(1, 0)), kind_from_param(c.get(1, 1)));
}

// `CSI r ; c R`: a cursor position report, or xterm's modified F3 (`CSI 1 ; m R`).
// Policy: a bare `CSI R` and a form with a kitty event type are F3; an outstanding
// request (expect_cursor_position) makes it a report; otherwise `1 ; m` is F3 with modifiers
// when m - 1 holds a modifier of xterm's range (shift, alt, ctrl, meta: m = 2..16) or a lock
// bit, and no other bit, and anything else is a report. The lock bits (capslock 64, numlock
// 128) are ignored in deciding because kitty adds them to F3 (`CSI 1 ; 193 R` is F3 with
// CapsLock and NumLock on): m = 2..16, 65..80, 129..144 and 193..208 are F3, with the lock
// bits kept in its modifiers.
Result Decoder::Impl::cpr_or_f3(const Csi& c, std::size_t len)
{
    if (c.nparams == 0 || (c.get(0) == 1 && c.count(1) == 2 && c.nparams == 2 && valid_mod_param(c.get(1, 0)))) {
        return key(function_key(3), len, mods_from_param(c.get(1, 0)), kind_from_param(c.get(1, 1)));
    }
    if (c.nparams != 2 || c.has_subparams()) {
        return {Status::skip, len};
    }
    int row = c.get_or(0, 1), col = c.get_or(1, 1);
    if (expect_cpr > 0) {
        --expect_cpr;
    } else if (row == 1 && col >= 2 && col <= 256 && ((col - 1) & ~k_lock_bits) <= 15) {
        return key(function_key(3), len, mods_from_param(col));
    }
    ev = CursorPositionEvent{row, col};
    return {Status::event, len};
}

// `CSI n ; m ~` [vt220, ctlseqs] and rxvt's `CSI n $ / ^ / @` [rxvt]; hands on
// `CSI 27 ; m ; k ~` (modifyOtherKeys, kitty.cpp) and `CSI 200 ~` (paste start).
Result Decoder::Impl::tilde(const Csi& c, std::size_t len)
{
    int n = c.get(0);
    Mods mods;
    switch (c.final) {
    case '$': mods = Mod::shift; break;
    case '^': mods = Mod::ctrl; break;
    case '@': mods = Mod::ctrl | Mod::shift; break;
    default: break;
    }
    if (c.final == '~') {
        if (n == 200 && c.nparams == 1) {
            return {Status::paste, len};
        }
        if (n == 27 && c.nparams == 3 && !c.has_subparams()) {
            return modify_other_keys(c, len);
        }
    }
    if (c.nparams > 2 || c.count(0) != 1) {
        return {Status::skip, len};
    }
    Key k = tilde_key(n);
    if (k == Key::none) {
        return {Status::skip, len};
    }
    if (c.final == '~') {
        if (!valid_mod_param(c.get(1, 0))) {
            return {Status::skip, len};
        }
        mods = mods_from_param(c.get(1, 0));
    } else if (c.nparams != 1) {
        return {Status::skip, len};
    }
    return key(k, len, mods, kind_from_param(c.get(1, 1)));
}

// xterm's keys "marked private" [ctlseqs; xterm's manual]: with modifyCursorKeys,
// modifyFunctionKeys or modifyKeypadKeys set to 3, a modified cursor, function or keypad key
// is sent as at level 2 with a `>` after the CSI: `CSI > 1 ; 5 A` (Ctrl+Up), `CSI > 15 ; 3 ~`
// (Alt+F5), `CSI > 1 ; 2 P` (Shift+F1), and, since a modified key leaves SS3 for CSI,
// `CSI > 1 ; 5 j` (Ctrl+KP_Multiply in application keypad mode). The same keys as without
// the mark. `CSI > 1 ; m R` is always F3: no cursor position report has the mark. (`CSI > c`
// is DA2, reports.cpp's.)
Result Decoder::Impl::private_key(const Csi& c, std::size_t len)
{
    u8 f = c.final;
    switch (f) {
    case 'A':
    case 'B':
    case 'C':
    case 'D':
    case 'E':
    case 'F':
    case 'H':
    case 'P':
    case 'Q':
    case 'R':
    case 'S': return csi_key(c, len);
    case '~':
        // Not the paste start nor modifyOtherKeys, which have no private form.
        if (c.get(0) == 200 || c.get(0) == 27) {
            return {Status::skip, len};
        }
        return tilde(c, len);
    default: break;
    }
    // Keypad keys: `CSI > 1 ; m X` with X the SS3 final of the key [ctlseqs, VT220-Style].
    Key k = keypad_key(f);
    if (k == Key::none || c.nparams != 2 || c.has_subparams() || c.get_or(0, 1) != 1 || !valid_mod_param(c.get(1))) {
        return {Status::skip, len};
    }
    return key(k, len, mods_from_param(c.get(1)));
}

// The Linux console's F1..F5: `CSI [ A..E` [linux]. Anything else after `CSI [` is left to
// the KeyMap.
Result Decoder::Impl::linux_console(const u8* p, std::size_t intro, const u8* end, bool final)
{
    const u8* q = p + intro + 1;
    if (q == end) {
        return final ? unknown(p, intro + 1) : Result{Status::need_more, 0};
    }
    if (*q >= 'A' && *q <= 'E') {
        return key(function_key(*q - 'A' + 1), intro + 2);
    }
    return keymap_or_unknown(p, intro + 1, end, final);
}

// `SS3 [mods] X`: cursor keys in application mode, F1..F4, keypad keys, rxvt Ctrl+arrows.
Result Decoder::Impl::parse_ss3(const u8* p, std::size_t intro, const u8* end, bool final)
{
    const u8* s = p + intro;
    if (s == end) {
        if (!final) {
            return {Status::need_more, 0};
        }
        return intro == 2 ? key(char_key(U'O'), 2, Mod::alt) : unknown(p, intro);
    }
    // Old xterm / some terminals: SS3 1;5 A or SS3 5 A for a modified key.
    auto continues = [](u8 b) { return (b >= '0' && b <= '9') || b == ';'; };
    std::size_t cap = std::max(opt.csi_cap, intro);
    int mod = k_missing;
    int value = k_missing;
    for (; s < end && continues(*s); ++s) {
        if (static_cast<std::size_t>(s - p) >= cap) {
            return overlong(p, s, end, final, continues);
        }
        if (*s == ';') {
            value = k_missing;
            continue;
        }
        value = value == k_missing ? *s - '0' : std::min(value * 10 + (*s - '0'), 1000);
        mod = value;
    }
    if (static_cast<std::size_t>(s - p) >= cap) {
        return overlong(p, s, end, final, continues);
    }
    if (s == end) {
        return final ? unknown(p, static_cast<std::size_t>(s - p)) : Result{Status::need_more, 0};
    }
    u8 f = *s;
    std::size_t len = static_cast<std::size_t>(s - p) + 1;
    if (f < 0x20 || f > 0x7e) {
        if (s == p + intro && intro == 2) {
            return key(char_key(U'O'), 2, Mod::alt);  // typed Alt+O, then another key
        }
        return keymap_or_unknown(p, static_cast<std::size_t>(s - p), end, final);
    }
    Mods mods = mods_from_param(mod);
    Key k = letter_key(f);
    if (k == Key::none) {
        k = keypad_key(f);
    }
    if (k == Key::none && f >= 'a' && f <= 'd') {
        k = rxvt_arrow(f);
        mods |= Mod::ctrl;  // [rxvt] Ctrl+arrows
    }
    if (k == Key::none || !valid_mod_param(mod)) {
        return keymap_or_unknown(p, len, end, final);
    }
    return key(k, len, mods);
}

}  // namespace vtinput
