// The fast path for the short CSI forms (internal; included by decoder.cpp only, inlined
// into scan_ground<true>).
//
// Nearly every key and mouse report is `CSI [<] n[:n[:n]] [; ...] F` with at most three
// parameters of at most three values: parsing those without the general parser's bookkeeping
// is most of the decoder's speed. This is a second definition of five forms (cursor and F1-F4
// letters, F3 without the CPR policy, `CSI n ~`, kitty's `CSI u`, SGR mouse), so it answers
// only when csi.cpp's general parser would give the same event for the same bytes, and
// returns 0 (the general parser decides) for everything else. tests/decoder's fast-path test
// and the fuzz target check that, over every table row, the hostile catalogue and the corpus.
#pragma once

#include "decode/impl.hpp"
#include "decode/mouse.hpp"

namespace vtinput {

// It answers only with an event (in `ev`, returning its length), and only when
// parse_csi_general would give the same event for the same bytes: each case below accepts
// a subset of what the matching case of dispatch_csi accepts and builds the event the same
// way. Anything else (another prefix, an intermediate, more values, a long number, the end
// of the input or the cap before the final byte, a value the general case rejects, the
// CPR/F3 policy's harder cases, no built-in meaning) returns 0 and the general parser
// decides, so every edge keeps a single definition.
[[gnu::always_inline]] inline std::size_t Decoder::Impl::parse_csi_short(const u8* p, std::size_t intro, const u8* end)
{
    using namespace detail;
    const u8* q = p + intro;
    // One bound for both the cap and the end of the input (parse_csi_general's `stop`).
    std::size_t cap = std::max(opt.csi_cap, intro);
    const u8* stop = static_cast<std::size_t>(end - p) > cap ? p + cap : end;
    if (q >= stop) {
        return 0;
    }
    // v[i][j] is parameter i's value j, k_missing when empty or absent (as Csi::get
    // answers), so reading it needs no bounds check; n[i] counts parameter i's values.
    int v[3][3] = {
        {k_missing, k_missing, k_missing}, {k_missing, k_missing, k_missing}, {k_missing, k_missing, k_missing}};
    int n[3] = {0, 0, 0};
    int i = 0, j = 0;  // the parameter and value being read
    bool any_param = false;
    const u8* s = q;
    bool sgr = *s == '<';
    s += sgr ? 1 : 0;
    for (;;) {
        if (s >= stop) {
            return 0;
        }
        u8 b = *s;
        auto d = static_cast<unsigned>(b - '0');
        if (d <= 9) {
            const u8* first = s;
            unsigned x = d;
            while (++s < stop && (d = static_cast<unsigned>(*s - '0')) <= 9) {
                x = x * 10 + d;
            }
            // Eight digits cannot reach the general parser's clamp (k_value_limit).
            if (s - first > 8) {
                return 0;
            }
            v[i][j] = static_cast<int>(x);
            any_param = true;
            continue;
        }
        if (b == ';') {
            n[i] = j + 1;
            if (++i == 3) {
                return 0;
            }
            j = 0;
        } else if (b == ':') {
            if (++j == 3) {
                return 0;
            }
        } else {
            break;
        }
        any_param = true;
        ++s;
    }
    u8 f = *s;
    if (f < 0x40 || f > 0x7e) {
        return 0;  // a prefix byte out of place, an intermediate, or not a CSI byte
    }
    int np = 0;  // the number of parameters, as Csi::nparams
    if (any_param) {
        n[i] = j + 1;
        np = i + 1;
    }
    std::size_t len = static_cast<std::size_t>(s - p) + 1;
    if (sgr) {
        // mouse.cpp's sgr_mouse
        if ((f != 'M' && f != 'm') || np != 3 || n[0] != 1 || n[1] != 1 || n[2] != 1 || v[0][0] == k_missing ||
            v[1][0] == k_missing || v[2][0] == k_missing || v[0][0] > 255) {
            return 0;
        }
        MouseEvent m = mouse_from_cb(v[0][0], f == 'm');
        m.x = zero_based(v[1][0]);
        m.y = zero_based(v[2][0]);
        m.pixels = opt.mouse_pixels;
        ev = m;
        return len;
    }
    int m = v[1][0];  // the modifier parameter, where there is one
    if (!valid_mod_param(m)) {
        return 0;
    }
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
    case 'S':
        // keyboard.cpp's csi_key: cursor and F1..F4 letters
        if (np > 2 || n[0] > 1 || (v[0][0] != k_missing && v[0][0] != 1)) {
            return 0;
        }
        key_slot(letter_key(f), mods_from_param(m), kind_from_param(v[1][1]));
        return len;
    case 'R':
        // keyboard.cpp's cpr_or_f3: the F3 forms that need no policy: a bare `CSI R`, and `CSI 1 ; m : e R`.
        if (np == 0 || (np == 2 && v[0][0] == 1 && n[1] == 2)) {
            key_slot(function_key(3), mods_from_param(m), kind_from_param(v[1][1]));
            return len;
        }
        return 0;
    case '~': {
        // keyboard.cpp's tilde: `CSI n [; m[:e]] ~`; `CSI 200 ~` and `CSI 27 ; m ; k ~` have no tilde_key.
        Key k = tilde_key(v[0][0]);
        if (np > 2 || n[0] != 1 || k == Key::none) {
            return 0;
        }
        key_slot(k, mods_from_param(m), kind_from_param(v[1][1]));
        return len;
    }
    case 'u': {
        // kitty.cpp's kitty, with at most three code points of text
        if (np < 1 || n[1] > 2) {
            return 0;
        }
        int code = v[0][0];
        // Every code from space up to the surrogates but DEL is that character (kitty_key).
        Key k = code >= 0x20 && code < 0xd800 && code != 0x7f ? char_key(static_cast<char32_t>(code)) : kitty_key(code);
        int shifted = v[0][1], base = v[0][2];
        if (k == Key::none || (shifted != k_missing && !valid_scalar(shifted)) ||
            (base != k_missing && !valid_scalar(base))) {
            return 0;
        }
        for (int t = 0; t < n[2]; ++t) {
            if (v[2][t] != k_missing && !valid_scalar(v[2][t])) {
                return 0;
            }
        }
        auto& e = key_slot(k, mods_from_param(m), kind_from_param(v[1][1]));
        e.shifted = shifted == k_missing ? 0 : static_cast<char32_t>(shifted);
        e.base = base == k_missing ? 0 : static_cast<char32_t>(base);
        for (int t = 0; t < n[2]; ++t) {
            if (v[2][t] != k_missing) {
                append_utf8(e.text, static_cast<char32_t>(v[2][t]));
            }
        }
        return len;
    }
    default: return 0;
    }
}

}  // namespace vtinput
