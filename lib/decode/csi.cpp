// CSI syntax and dispatch: parameters, sub-parameters, intermediates, the cap, and which
// family a complete sequence belongs to, by its prefix and final byte.
//
// The general parser reads `CSI [prefix] params [intermediates] final` into a Csi once; the
// families (keyboard.cpp, kitty.cpp, mouse.cpp, reports.cpp) see only parsed parameters and
// answer an event, or Status::skip for "no built-in meaning", after which the terminal's own
// key table (KeyMap) is asked before the bytes become an unknown event. Two forms are not
// parameter sequences and branch off before the parameters: X10 mouse (`CSI M` + three raw
// bytes, mouse.cpp) and the Linux console's `CSI [ A..E` (keyboard.cpp).
//
// Malformed input (a prefix byte out of place, too many parameters, a parameter byte after an
// intermediate) still runs to the final byte and is one unknown event: its tail is never
// typed as keys. A sequence longer than csi_cap is cut by overlong (impl.hpp).
#include "decode/impl.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

namespace {

void push_value(Csi& csi, int value, bool ends_param)
{
    if (csi.nvalues >= k_max_values) {
        csi.overflow = true;
        return;
    }
    if (csi.nparams >= k_max_params) {
        csi.overflow = true;
        return;
    }
    csi.values[csi.nvalues++] = value;
    if (ends_param) {
        ++csi.nparams;
        csi.start[csi.nparams] = static_cast<u8>(csi.nvalues);
    }
}

}  // namespace

// The general CSI parser: every form, prefix, intermediate and edge case. Out of line, so
// that the short forms decoded inside scan_ground do not pay for its frame.
[[gnu::noinline]] Result Decoder::Impl::parse_csi_general(const u8* p, std::size_t intro, const u8* end, bool final)
{
    const u8* q = p + intro;
    std::size_t cap = std::max(opt.csi_cap, intro);
    if (q == end) {
        // ESC [ alone: Alt+[ once the ESC timeout passes.
        if (!final) {
            return {Status::need_more, 0};
        }
        return intro == 2 ? key(char_key(U'['), 2, Mod::alt) : unknown(p, intro);
    }
    if (*q == 'M') {
        return parse_x10(p, q + 1, end, final);
    }
    if (*q == '[') {
        return linux_console(p, intro, end, final);
    }
    Csi csi;
    csi.start[0] = 0;
    int value = k_missing;
    bool any_param = false;  // a digit or separator was seen
    const u8* s = q;
    // One bound for both the cap and the end of the input; which one stopped the scan is
    // decided once, after it.
    const u8* stop = static_cast<std::size_t>(end - p) > cap ? p + cap : end;
    if (*s >= 0x3c && *s <= 0x3f) {
        csi.prefix = *s++;
    }
    // Parameters: digits in a tight inner loop, separators, misplaced prefix bytes.
    while (s < stop) {
        u8 b = *s;
        auto d = static_cast<unsigned>(b - '0');
        if (d <= 9) {
            int v = static_cast<int>(d);
            while (++s < stop && (d = static_cast<unsigned>(*s - '0')) <= 9) {
                v = v < k_value_limit ? v * 10 + static_cast<int>(d) : k_value_limit;
            }
            value = v;
            any_param = true;
            continue;
        }
        if (b == ';' || b == ':') {
            push_value(csi, value, b == ';');
            value = k_missing;
            any_param = true;
            ++s;
            continue;
        }
        if (b >= 0x3c && b <= 0x3f) {
            csi.overflow = true;
            ++s;
            continue;
        }
        break;
    }
    bool done = false;
    if (s < stop) {
        u8 b = *s;
        if (b >= 0x20 && b <= 0x2f) {
            // rxvt's Shift+key: CSI n $ (a lone, well-formed parameter; `$` is otherwise an
            // intermediate).
            if (b == '$' && csi.prefix == 0 && !csi.overflow && csi.nvalues == 0 && value != k_missing) {
                push_value(csi, value, true);
                csi.final = '$';
                done = true;
            } else {
                if (any_param) {
                    push_value(csi, value, true);
                }
                any_param = false;
                csi.inter = b;
                ++s;
                while (s < stop && *s >= 0x20 && *s <= 0x2f) {
                    csi.inter = *s++;
                }
                // A parameter byte after an intermediate is malformed, but the sequence
                // still runs to its final byte (the DEC parser's "CSI ignore" state): it
                // is one unknown event, not a CSI cut short followed by its tail typed
                // as keys (`CSI 1 ; 2 $ 3 A` would type "3A").
                while (s < stop && *s >= 0x20 && *s <= 0x3f) {
                    csi.overflow = true;
                    ++s;
                }
            }
        }
    }
    if (!done) {
        if (s == stop) {
            if (static_cast<std::size_t>(s - p) >= cap) {
                return overlong(p, s, end, final, [](u8 b) { return b >= 0x20 && b <= 0x3f; });
            }
            return final ? unknown(p, static_cast<std::size_t>(s - p)) : Result{Status::need_more, 0};
        }
        u8 b = *s;
        if (b >= 0x40 && b <= 0x7e) {
            if (any_param) {
                push_value(csi, value, true);
            }
            csi.final = b;
        } else {
            // A byte that cannot be inside a CSI. Right after `ESC [` it was typed: Alt+[.
            if (s == q && intro == 2) {
                return key(char_key(U'['), 2, Mod::alt);
            }
            return keymap_or_unknown(p, static_cast<std::size_t>(s - p), end, final);
        }
    }
    std::size_t len = static_cast<std::size_t>(s - p) + 1;
    if (csi.overflow) {
        return unknown(p, len);
    }
    Result r = dispatch_csi(csi, len);
    if (r.status == Status::skip) {
        // No built-in meaning: the terminal's own table may know it.
        return keymap_or_unknown(p, len, end, final);
    }
    return r;
}

// `len` bytes at p have no built-in meaning: a KeyMap entry may give them one (possibly a
// longer one), or they are unknown.
Result Decoder::Impl::keymap_or_unknown(const u8* p, std::size_t len, const u8* end, bool final)
{
    if (keymap && !keymap->empty()) {
        auto m = keymap->match(std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p)));
        if (m.could_grow && !final) {
            return {Status::need_more, 0};
        }
        if (m.entry != nullptr) {
            return key(m.entry->key, m.entry->sequence.size(), m.entry->mods);
        }
    }
    return unknown(p, len);
}

// The one table of what a well-formed CSI sequence is, by prefix and final byte. Every case
// answers an event, or Status::skip when the sequence has no built-in meaning.
Result Decoder::Impl::dispatch_csi(const Csi& c, std::size_t len)
{
    if (c.prefix == '<') {
        return c.final == 'M' || c.final == 'm' ? sgr_mouse(c, len) : Result{Status::skip, len};
    }
    if (c.prefix != 0) {
        return private_report(c, len);  // `CSI ? ...` and `CSI > ...` replies
    }
    if (c.inter != 0) {
        return plain_report(c, len);  // `CSI Ps ; Pm $ y` (DECRPM)
    }
    switch (c.final) {
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
    case 'Z':
    case 'a':
    case 'b':
    case 'c':
    case 'd': return csi_key(c, len);
    case 'R': return cpr_or_f3(c, len);
    case '~':
    case '$':
    case '^':
    case '@': return tilde(c, len);  // with `CSI 27 ; m ; k ~` (kitty.cpp) and `CSI 200 ~` (paste)
    case 'u': return kitty(c, len);
    case '_': return win32_key(c, len);  // win32-input-mode (win32.cpp)
    case 'M': return urxvt_mouse(c, len);
    case 'I':
    case 'O':
    case 't':
    case 'n': return plain_report(c, len);
    default: return {Status::skip, len};
    }
}

}  // namespace vtinput
