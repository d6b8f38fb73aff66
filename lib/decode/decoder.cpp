// The decoder: a byte-at-a-time grammar for terminal input with three modes.
//
// Goals and constraints: no I/O, no clock, no global state; never wedged; bounded memory; the
// same events for the same bytes however they are split across feeds.
//
// How split-invariance is kept: every unit (a character, a control byte, an escape sequence)
// is parsed from a contiguous view. A parser that reaches the end of the view before the unit
// is complete answers "need more" and never decides differently because the input ended;
// the caller keeps the unit's bytes in `pending_` and parses it again, whole, when more bytes
// arrive. Only `flush`/`finish` (time passing, or end of input) parse with `final` set, which
// resolves an incomplete unit instead of waiting. Long bodies (a paste, an OSC/DCS/APC string)
// are modes rather than units, so they stream into their own buffers instead of being
// re-parsed.
//
// Speed: the commonest units (text, short CSI and SS3 keys, SGR mouse reports, Alt+key,
// control keys) are decoded inline in scan_ground. Each such fast path decides only cases the
// general parser for that unit would decide the same way, and hands everything else to it, so
// the general parsers stay the single definition of the grammar.
//
// Memory: `pending` holds at most one incomplete unit (capped by csi_cap), `string` at most
// string_cap bytes, `paste` at most paste_cap bytes. A paste past its cap is delivered in
// parts, none of it dropped. A CSI/SS3 sequence or OSC/DCS/APC string past its cap comes out as
// one unknown event of its first cap bytes, and the rest of it is skipped up to its end: those
// bytes mean nothing, and decoding them as typed keys would be worse than dropping them.
#include "vtinput/decoder.hpp"
#include "decode/fast_paths.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace vtinput {
namespace {

using u8 = unsigned char;

constexpr u8 ESC = 0x1b;
constexpr std::string_view k_paste_end = "\x1b[201~";
constexpr std::string_view k_paste_begin = "\x1b[200~";

// Parsed CSI parameters: up to k_max_params parameters holding k_max_values values in all
// (sub-parameters included). More than that is not a sequence any terminal sends as input;
// such a sequence is reported as unknown.
constexpr int k_max_params = 32;
constexpr int k_max_values = 64;
constexpr int k_missing = -1;
constexpr int k_value_limit = 0x7fffffff / 10 - 10;

struct Csi {
    u8 prefix = 0;  // '<' '=' '>' '?' or 0
    u8 inter = 0;   // the last intermediate byte, or 0
    u8 final = 0;
    // Too many parameters or values, a misplaced prefix byte, or a parameter byte after an
    // intermediate: the sequence is read to its final byte and reported as unknown.
    bool overflow = false;
    int nparams = 0;
    int nvalues = 0;
    // Left uninitialised beyond what is written: a CSI is parsed per key event.
    u8 start[k_max_params + 1];  // start[i] = index of parameter i's first value
    int values[k_max_values];

    int count(int i) const { return i < nparams ? start[i + 1] - start[i] : 0; }
    // Parameter i, sub-parameter j; k_missing when absent or empty.
    int get(int i, int j = 0) const { return j < count(i) ? values[start[i] + j] : k_missing; }
    int get_or(int i, int fallback) const
    {
        int v = get(i);
        return v == k_missing ? fallback : v;
    }
    bool has_subparams() const { return nvalues != nparams; }
};

enum class Status : u8 {
    event,      // `ev` holds one event covering `len` bytes
    skip,       // `len` bytes mean nothing to report (never used for input bytes that matter)
    need_more,  // the unit is incomplete; keep its first `len` bytes (0: all of them)
    paste,      // CSI 200 ~: `len` bytes; enter paste mode
    string,     // an OSC/DCS/APC introducer of `len` bytes; enter string mode
};

struct Result {
    Status status = Status::event;
    std::size_t len = 0;
};

// A modifier parameter beyond what any protocol sends (xterm: 2..16, kitty: up to 256) makes
// the sequence meaningless rather than a key with arbitrary modifiers.
bool valid_mod_param(int m) { return m <= 256; }

Mods mods_from_param(int m)
{
    return m <= 1 ? Mods() : Mods::from_bits(static_cast<unsigned>(m - 1) & 0xffu);
}

KeyKind kind_from_param(int e)
{
    // 2 repeat, 3 release, anything else press; without branches, as it runs for every key.
    static_assert(static_cast<int>(KeyKind::repeat) == 1 && static_cast<int>(KeyKind::release) == 2);
    return static_cast<unsigned>(e - 2) <= 1 ? static_cast<KeyKind>(e - 1) : KeyKind::press;
}

bool valid_scalar(long v)
{
    return v > 0 && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff);
}

// A key code of the kitty protocol / modifyOtherKeys to a Key; Key::none when invalid.
Key kitty_key(int code)
{
    switch (code) {
    case 9: return Key::tab;
    case 13: return Key::enter;
    case 27: return Key::escape;
    case 127: return Key::backspace;
    default: break;
    }
    if (code >= 57358 && code <= 57363) {
        static constexpr Key k[] = {Key::caps_lock, Key::scroll_lock, Key::num_lock,
                                    Key::print, Key::pause, Key::menu};
        return k[code - 57358];
    }
    if (code >= 57376 && code <= 57398) {
        return function_key(13 + code - 57376);  // F13..F35
    }
    if (code >= 57399 && code <= 57454) {
        // kp_0 .. iso_level5_shift are declared in the protocol's order.
        return static_cast<Key>(static_cast<std::uint32_t>(Key::kp_0) + static_cast<std::uint32_t>(code - 57399));
    }
    return valid_scalar(code) ? char_key(static_cast<char32_t>(code)) : Key::none;
}

// `CSI n ~` keys (VT220/xterm/rxvt numbering).
constexpr Key tilde_key_of(int n)
{
    switch (n) {
    case 1: return Key::home;  // VT220 Find; xterm/tmux Home
    case 2: return Key::insert;
    case 3: return Key::del;
    case 4: return Key::end;  // VT220 Select; xterm/tmux End
    case 5: return Key::page_up;
    case 6: return Key::page_down;
    case 7: return Key::home;  // rxvt
    case 8: return Key::end;   // rxvt
    case 11: case 12: case 13: case 14: case 15: return function_key(n - 10);
    case 17: case 18: case 19: case 20: case 21: return function_key(n - 11);
    case 23: case 24: case 25: case 26: return function_key(n - 12);
    case 28: return function_key(15);
    case 29: return Key::menu;  // kitty and urxvt send Menu as CSI 29 ~ (VT220 "Do")
    case 31: case 32: case 33: case 34: return function_key(n - 14);  // F17..F20
    default: return Key::none;
    }
}

// tilde_key_of as a table: it is looked up for every `CSI n ~` key press.
constexpr int k_tilde_keys = 35;
constexpr auto k_tilde_table = [] {
    std::array<Key, k_tilde_keys> t{};
    for (int n = 0; n < k_tilde_keys; ++n) {
        t[static_cast<std::size_t>(n)] = tilde_key_of(n);
    }
    return t;
}();

Key tilde_key(int n)
{
    return n >= 0 && n < k_tilde_keys ? k_tilde_table[static_cast<std::size_t>(n)] : Key::none;
}

// Final byte of `CSI [1;m] X` and `SS3 X` cursor/function keys.
Key letter_key(u8 f)
{
    switch (f) {
    case 'A': return Key::up;
    case 'B': return Key::down;
    case 'C': return Key::right;
    case 'D': return Key::left;
    case 'E': return Key::begin;
    case 'F': return Key::end;
    case 'H': return Key::home;
    case 'P': return function_key(1);
    case 'Q': return function_key(2);
    case 'R': return function_key(3);
    case 'S': return function_key(4);
    default: return Key::none;
    }
}

// SS3 keypad keys in DEC application keypad mode.
Key keypad_key(u8 f)
{
    if (f >= 'p' && f <= 'y') {
        return static_cast<Key>(static_cast<std::uint32_t>(Key::kp_0) + static_cast<std::uint32_t>(f - 'p'));
    }
    switch (f) {
    case 'M': return Key::kp_enter;
    case 'X': return Key::kp_equal;
    case 'j': return Key::kp_multiply;
    case 'k': return Key::kp_plus;
    case 'l': return Key::kp_separator;
    case 'm': return Key::kp_minus;
    case 'n': return Key::kp_decimal;
    case 'o': return Key::kp_divide;
    case 'I': return Key::tab;
    case ' ': return char_key(U' ');
    default: return Key::none;
    }
}

struct KeyPress {
    Key key;
    Mods mods;
};

// A C0 control byte or DEL as a key (the built-in meaning; KeyMap may override).
constexpr KeyPress control_key_of(u8 c)
{
    switch (c) {
    case 0x00: return {char_key(U' '), Mod::ctrl};
    case 0x09: return {Key::tab, {}};
    case 0x0d: return {Key::enter, {}};
    case 0x1b: return {Key::escape, {}};
    case 0x7f: return {Key::backspace, {}};
    default: break;
    }
    if (c < 0x1b) {
        return {char_key(static_cast<char32_t>('a' + c - 1)), Mod::ctrl};
    }
    return {char_key(static_cast<char32_t>(c + 0x40)), Mod::ctrl};  // ^\ ^] ^^ ^_
}

// control_key_of as a table, like tilde_key.
constexpr auto k_control_table = [] {
    std::array<KeyPress, 0x20> t{};
    for (u8 c = 0; c < 0x20; ++c) {
        t[c] = control_key_of(c);
    }
    return t;
}();

KeyPress control_key(u8 c)
{
    return c < 0x20 ? k_control_table[c] : control_key_of(c);
}

// Decodes a mouse button byte (xterm's Cb without the +32 offset).
MouseEvent mouse_from_cb(int cb, bool sgr_release)
{
    MouseEvent m;
    if (cb & 4) { m.mods |= Mod::shift; }
    if (cb & 8) { m.mods |= Mod::alt; }
    if (cb & 16) { m.mods |= Mod::ctrl; }
    bool motion = (cb & 32) != 0;
    int low = cb & 3;
    if (cb & 128) {
        m.button = static_cast<MouseButton>(static_cast<int>(MouseButton::b8) + low);
    } else if (cb & 64) {
        m.button = static_cast<MouseButton>(static_cast<int>(MouseButton::wheel_up) + low);
        m.action = sgr_release ? MouseAction::release : MouseAction::scroll;
        return m;
    } else {
        static constexpr MouseButton b[] = {MouseButton::left, MouseButton::middle, MouseButton::right,
                                            MouseButton::none};
        m.button = b[low];
    }
    if (sgr_release) {
        m.action = MouseAction::release;
    } else if (motion) {
        m.action = m.button == MouseButton::none ? MouseAction::move : MouseAction::drag;
    } else if (m.button == MouseButton::none) {
        m.action = MouseAction::release;  // X10/normal release: "button 3", no button known
    } else {
        m.action = MouseAction::press;
    }
    return m;
}

int zero_based(int wire) { return wire > 1 ? wire - 1 : 0; }

}  // namespace

struct Decoder::Impl {
    enum class Mode : u8 { ground, paste, string };
    enum class Wait : u8 { none, esc, stale };

    DecoderOptions opt;
    std::shared_ptr<const KeyMap> keymap;

    Mode mode = Mode::ground;
    Wait wait = Wait::none;
    clock::time_point last{};
    int expect_cpr = 0;
    bool fast_paths = true;  // see decode/fast_paths.hpp

    std::string pending;  // ground: one incomplete unit; paste/string: a possible terminator
    std::string work;     // scratch: pending + new bytes
    std::string paste;    // paste body not yet delivered
    std::string string;   // OSC/DCS/APC bytes so far, introducer included
    bool string_c1 = false;  // introduced by an 8-bit C1 byte: 0x9c may terminate it
    // The string reached string_cap: `string` holds its first string_cap bytes and the rest of
    // it is skipped up to its terminator.
    bool string_overlong = false;

    // The current output and the event being built, shared by the parsers.
    EventSink* sink = nullptr;
    Event ev;

    Impl(DecoderOptions o, std::shared_ptr<const KeyMap> km) : opt(o), keymap(std::move(km)) {}

    void emit(Event&& e) { sink->on_event(std::move(e)); }

    // The KeyEvent inside `ev`, reset, with no text: reuses the variant's storage (no
    // destroy/construct of the alternative) and the text's inline buffer.
    [[gnu::always_inline]] KeyEvent& key_slot(Key k, Mods mods = {}, KeyKind kind = KeyKind::press)
    {
        KeyEvent& e = key_event(k, mods, kind);
        // Keys without text mostly follow keys without text; testing first keeps the common
        // case to a compare (clear() need not inline into the decoder's loop).
        if (!e.text.empty()) {
            e.text.clear();
        }
        return e;
    }

    // As key_slot, for an unmodified character key whose text is its own `n` bytes of UTF-8.
    [[gnu::always_inline]] void char_slot(char32_t cp, const u8* bytes, std::size_t n)
    {
        key_event(char_key(cp), {}, KeyKind::press).text.assign(reinterpret_cast<const char*>(bytes), n);
    }

    // The KeyEvent inside `ev` with everything but its text set.
    [[gnu::always_inline]] KeyEvent& key_event(Key k, Mods mods, KeyKind kind)
    {
        KeyEvent* e = std::get_if<KeyEvent>(&ev);
        if (e == nullptr) {
            e = &ev.emplace<KeyEvent>();
        }
        e->key = k;
        e->mods = mods;
        e->kind = kind;
        e->shifted = 0;
        e->base = 0;
        return *e;
    }

    // ---- driving -------------------------------------------------------------------------

    void run(const u8* p, const u8* end, bool final)
    {
        while (p < end) {
            switch (mode) {
            case Mode::paste: p = scan_paste(p, end, final); break;
            case Mode::string: p = scan_string(p, end, final); break;
            case Mode::ground: p = scan_ground(p, end, final); break;
            }
        }
        if (final && mode != Mode::ground && pending.empty()) {
            resolve_mode();
        }
    }

    // Ground: text, controls and escape sequences.
    const u8* scan_ground(const u8* p, const u8* end, bool final)
    {
        while (p < end) {
            u8 c = *p;
            if (c >= 0x20 && c < 0x7f) {
                // Printable ASCII: the common case, one key per byte.
                char_slot(c, p, 1);
                emit(std::move(ev));
                ++p;
                continue;
            }
            if (c >= 0xc2 && c <= 0xef && end - p >= 3) {
                // A complete 2- or 3-byte UTF-8 character (the next common case), decoded here;
                // anything unusual (4 bytes, invalid, cut by the end) goes to parse_utf8.
                u8 b1 = p[1];
                if (c < 0xe0) {
                    if ((b1 & 0xc0) == 0x80) {
                        char_slot(static_cast<char32_t>(((c & 0x1fu) << 6) | (b1 & 0x3fu)), p, 2);
                        emit(std::move(ev));
                        p += 2;
                        continue;
                    }
                } else {
                    u8 b2 = p[2];
                    bool ok = (b1 & 0xc0) == 0x80 && (b2 & 0xc0) == 0x80 && (c != 0xe0 || b1 >= 0xa0) &&
                              (c != 0xed || b1 <= 0x9f);
                    if (ok) {
                        char_slot(static_cast<char32_t>(((c & 0x0fu) << 12) | ((b1 & 0x3fu) << 6) | (b2 & 0x3fu)), p, 3);
                        emit(std::move(ev));
                        p += 3;
                        continue;
                    }
                }
            }
            // ESC [ and ESC O, the commonest units after text, skip two levels of dispatch, and
            // their short forms are decoded right here.
            Result r;
            if (c == ESC && end - p >= 3 && p[1] == '[') {
                if (std::size_t n = parse_csi_short(p, 2, end)) {
                    emit(std::move(ev));
                    p += n;
                    continue;
                }
                r = parse_csi_general(p, 2, end, final);
            } else if (c == ESC && end - p >= 3 && p[1] == 'O') {
                if (Key k = letter_key(p[2]); k != Key::none && opt.csi_cap > 2) {
                    // `SS3 X`, parse_ss3's commonest form: the cap leaves room for the final.
                    key_slot(k);
                    emit(std::move(ev));
                    p += 3;
                    continue;
                }
                r = parse_ss3(p, 2, end, final);
            } else if (c == ESC && end - p >= 2 && p[1] >= 0x20 && p[1] < 0x7f && !introduces_sequence(p[1])) {
                // ESC + a printable character: Alt + that key, parse_escape's commonest case.
                key_slot(char_key(p[1]), Mod::alt);
                emit(std::move(ev));
                p += 2;
                continue;
            } else if ((c < 0x20 && c != ESC) || c == 0x7f) {
                r = control(c);
            } else {
                r = parse_unit(p, end, final);
            }
            switch (r.status) {
            case Status::event:
                emit(std::move(ev));
                break;
            case Status::skip:
                break;
            case Status::need_more:
                // With a length, only the unit's first bytes are kept: the rest is the skipped
                // tail of an overlong sequence.
                stash(p, r.len == 0 ? end : p + std::min<std::size_t>(r.len, static_cast<std::size_t>(end - p)));
                return end;
            case Status::paste:
                mode = Mode::paste;
                paste.clear();
                return p + r.len;
            case Status::string:
                mode = Mode::string;
                string.assign(reinterpret_cast<const char*>(p), r.len);
                string_c1 = r.len == 1;
                string_overlong = false;
                return p + r.len;
            }
            p += r.len;
        }
        return p;
    }

    // After ESC, the bytes parse_escape reads as the start of a sequence rather than a key.
    static bool introduces_sequence(u8 b) { return b == '[' || b == 'O' || b == 'P' || b == ']' || b == '_'; }

    // Keeps the incomplete unit [p, end) for the next feed.
    void stash(const u8* p, const u8* end)
    {
        pending.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p));
        wait = needs_only_esc_wait(p, end) ? Wait::esc : Wait::stale;
    }

    // An incomplete unit waits only the short ESC timeout while it may still be a key typed
    // by hand (a lone ESC, ESC + an introducer, a partial UTF-8 character); once it is known
    // to be a sequence it waits the stale timeout.
    static bool needs_only_esc_wait(const u8* p, const u8* end)
    {
        auto n = end - p;
        if (p[0] >= 0x80) {
            return n == 1 || p[0] >= 0xc0;  // a partial UTF-8 character, or a lone C1 introducer
        }
        if (p[0] == ESC && n <= 2) {
            return true;
        }
        // ESC ESC + an introducer: Alt + a pending ESC sequence.
        return p[0] == ESC && p[1] == ESC && n == 3;
    }

    // A C0 control byte (but ESC) or DEL: one key.
    [[gnu::always_inline]] Result control(u8 c)
    {
        if (keymap) {
            if (const KeyMap::Entry* e = keymap->single_byte(c)) {
                return key(e->key, 1, e->mods);
            }
        }
        KeyPress k = control_key(c);
        return key(k.key, 1, k.mods);
    }

    // One unit starting at a non-printable byte.
    Result parse_unit(const u8* p, const u8* end, bool final)
    {
        u8 c = *p;
        if (c == ESC) {
            return parse_escape(p, end, final);
        }
        if (c < 0x20 || c == 0x7f) {
            return control(c);
        }
        if (c >= 0x80 && c < 0xc0) {
            // Not inside a UTF-8 character: an 8-bit C1 control.
            switch (c) {
            case 0x9b: return parse_csi(p, 1, end, final);
            case 0x8f: return parse_ss3(p, 1, end, final);
            case 0x90: case 0x9d: return {Status::string, 1};
            default: break;
            }
        }
        return parse_utf8(p, end, final);
    }

    // A UTF-8 character, or an invalid sequence as one unknown event. An invalid sequence is a
    // lead byte with the continuation bytes (0x80..0xbf) that follow it, up to the length the
    // lead announces: an overlong form (C0 AF, E0 80 AF), a surrogate (ED A0 80), a value past
    // U+10FFFF (F4 90 80 80, F5..F7). Those continuation bytes belong to the broken character,
    // so they are never read as 8-bit C1 controls (0x90 is DCS, 0x9b CSI) that would swallow
    // the input after them. A sequence cut short by any other byte ends before it, and that
    // byte is decoded on its own next.
    Result parse_utf8(const u8* p, const u8* end, bool final)
    {
        u8 c = *p;
        std::size_t need = c < 0xc0 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf8 ? 3 : 0;
        if (need == 0) {
            return unknown(p, 1);  // a stray continuation byte, or F8..FF
        }
        // The second byte's range depends on the lead (no overlongs, surrogates or > U+10FFFF).
        bool valid = c >= 0xc2 && c <= 0xf4;
        u8 lo = 0x80, hi = 0xbf;
        if (c == 0xe0) { lo = 0xa0; }
        else if (c == 0xed) { hi = 0x9f; }
        else if (c == 0xf0) { lo = 0x90; }
        else if (c == 0xf4) { hi = 0x8f; }
        char32_t cp = c & (0x3f >> need);
        std::size_t i = 1;
        for (; i <= need; ++i) {
            if (p + i >= end) {
                return final ? unknown(p, i) : Result{Status::need_more, 0};
            }
            u8 b = p[i];
            if (b < 0x80 || b > 0xbf) {
                return unknown(p, i);
            }
            valid = valid && b >= lo && b <= hi;
            lo = 0x80;
            hi = 0xbf;
            cp = (cp << 6) | (b & 0x3f);
        }
        if (!valid) {
            return unknown(p, i);
        }
        char_slot(cp, p, i);
        return {Status::event, i};
    }

    Result unknown(const u8* p, std::size_t n)
    {
        ev = UnknownEvent{std::string(reinterpret_cast<const char*>(p), n)};
        return {Status::event, n};
    }

    [[gnu::always_inline]] Result key(Key k, std::size_t len, Mods mods = {}, KeyKind kind = KeyKind::press)
    {
        key_slot(k, mods, kind);
        return {Status::event, len};
    }

    Result parse_escape(const u8* p, const u8* end, bool final)
    {
        if (end - p < 2) {
            return final ? key(Key::escape, 1) : Result{Status::need_more, 0};
        }
        u8 c = p[1];
        switch (c) {
        case '[':
            return parse_csi(p, 2, end, final);
        case 'O':
            return parse_ss3(p, 2, end, final);
        case 'P': case ']': case '_':
            if (end - p < 3) {
                return final ? key(char_key(c), 2, Mod::alt) : Result{Status::need_more, 0};
            }
            return {Status::string, 2};
        default:
            break;
        }
        // ESC ESC ESC: the first ESC cannot prefix what follows (Alt cannot be added twice), so
        // it is an Escape of its own. Deciding that from three bytes keeps the recursion below
        // one level deep and a run of ESC bytes linear in time and bounded in pending memory.
        if (c == ESC && end - p >= 3 && p[2] == ESC) {
            return key(Key::escape, 1);
        }
        // ESC + a unit: Alt + that key. If the unit is not a key (ESC before a mouse report),
        // or is a key that already carries Alt (ESC ESC a, ESC ESC [ timed out), the ESC is an
        // Escape key of its own and the unit is decoded after it: Alt cannot be added twice,
        // and folding the ESC into it would lose a key press.
        Result r = c >= 0x20 && c < 0x7f ? key(char_key(c), 1) : parse_unit(p + 1, end, final);
        if (r.status == Status::need_more) {
            return r.len == 0 ? r : Result{Status::need_more, r.len + 1};
        }
        if (r.status == Status::event) {
            if (auto* k = std::get_if<KeyEvent>(&ev); k != nullptr && !k->mods.has(Mod::alt)) {
                k->mods |= Mod::alt;
                k->text.clear();
                return {Status::event, r.len + 1};
            }
        }
        return key(Key::escape, 1);
    }

    // ---- CSI ----------------------------------------------------------------------------

    // A CSI sequence (`intro` is 2 for ESC [, 1 for the C1 byte 0x9b).
    Result parse_csi(const u8* p, std::size_t intro, const u8* end, bool final)
    {
        if (std::size_t len = parse_csi_short(p, intro, end)) {
            return {Status::event, len};
        }
        return parse_csi_general(p, intro, end, final);
    }

    // The short forms nearly every key and mouse report takes, decoded in one pass without the
    // general parser's bookkeeping: an optional `<`, at most three parameters of at most three
    // values each, and a final byte. Parsing CSI sequences was most of the cost of decoding
    // keys, and scan_ground calls this inline for `ESC [`.
    //
    // It answers only with an event (in `ev`, returning its length), and only when
    // parse_csi_general would give the same event for the same bytes: each case below accepts
    // a subset of what the matching case of dispatch_csi accepts and builds the event the same
    // way. Anything else (another prefix, an intermediate, more values, a long number, the end
    // of the input or the cap before the final byte, a value the general case rejects, the
    // CPR/F3 policy's harder cases, no built-in meaning) returns 0 and the general parser
    // decides, so every edge keeps a single definition.
    [[gnu::always_inline]] std::size_t parse_csi_short(const u8* p, std::size_t intro, const u8* end)
    {
        const u8* q = p + intro;
        // One bound for both the cap and the end of the input (parse_csi_general's `stop`).
        std::size_t cap = std::max(opt.csi_cap, intro);
        const u8* stop = static_cast<std::size_t>(end - p) > cap ? p + cap : end;
        if (q >= stop) {
            return 0;
        }
        // v[i][j] is parameter i's value j, k_missing when empty or absent (as Csi::get
        // answers), so reading it needs no bounds check; n[i] counts parameter i's values.
        int v[3][3] = {{k_missing, k_missing, k_missing},
                       {k_missing, k_missing, k_missing},
                       {k_missing, k_missing, k_missing}};
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
            // sgr_mouse()
            if ((f != 'M' && f != 'm') || np != 3 || n[0] != 1 || n[1] != 1 || n[2] != 1 ||
                v[0][0] == k_missing || v[1][0] == k_missing || v[2][0] == k_missing || v[0][0] > 255) {
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
        case 'A': case 'B': case 'C': case 'D': case 'E': case 'F': case 'H':
        case 'P': case 'Q': case 'S':
            // dispatch_csi_plain's cursor and F1..F4 letters
            if (np > 2 || n[0] > 1 || (v[0][0] != k_missing && v[0][0] != 1)) {
                return 0;
            }
            key_slot(letter_key(f), mods_from_param(m), kind_from_param(v[1][1]));
            return len;
        case 'R':
            // cpr_or_f3's F3 forms that need no policy: a bare `CSI R`, and `CSI 1 ; m : e R`.
            if (np == 0 || (np == 2 && v[0][0] == 1 && n[1] == 2)) {
                key_slot(function_key(3), mods_from_param(m), kind_from_param(v[1][1]));
                return len;
            }
            return 0;
        case '~': {
            // tilde's `CSI n [; m[:e]] ~`; `CSI 200 ~` and `CSI 27 ; m ; k ~` have no tilde_key.
            Key k = tilde_key(v[0][0]);
            if (np > 2 || n[0] != 1 || k == Key::none) {
                return 0;
            }
            key_slot(k, mods_from_param(m), kind_from_param(v[1][1]));
            return len;
        }
        case 'u': {
            // kitty(), with at most three code points of text
            if (np < 1 || n[1] > 2) {
                return 0;
            }
            int code = v[0][0];
            // Every code from space up to the surrogates but DEL is that character (kitty_key).
            Key k = code >= 0x20 && code < 0xd800 && code != 0x7f ? char_key(static_cast<char32_t>(code))
                                                                  : kitty_key(code);
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
        default:
            return 0;
        }
    }

    // The general CSI parser: every form, prefix, intermediate and edge case. Out of line, so
    // that the short forms decoded inside scan_ground do not pay for its frame.
    [[gnu::noinline]] Result parse_csi_general(const u8* p, std::size_t intro, const u8* end, bool final)
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
            // Linux console F1..F5: CSI [ A..E (terminfo "linux"; FTXUI's quirk table).
            if (q + 1 == end) {
                return final ? unknown(p, intro + 1) : Result{Status::need_more, 0};
            }
            u8 f = q[1];
            if (f >= 'A' && f <= 'E') {
                return key(function_key(f - 'A' + 1), intro + 2);
            }
            return keymap_or_unknown(p, intro + 1, end, final);
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

    // A CSI or SS3 sequence longer than csi_cap: its first bytes up to `s` (the cap) were all
    // accepted. It comes out, once it ends, as one unknown event of those csi_cap bytes; the
    // rest of it is skipped, neither held (memory stays bounded) nor decoded as typed keys. It
    // ends with its final byte, skipped with it, or before a byte that cannot be inside it,
    // which is decoded next. Split invariance holds because while it has not ended only its
    // first csi_cap bytes are kept (need_more with a length), and every byte dropped after
    // them was one that `continues` it.
    template <class Continues>
    Result overlong(const u8* p, const u8* s, const u8* end, bool final, Continues continues)
    {
        auto keep = static_cast<std::size_t>(s - p);
        while (s < end && continues(*s)) {
            ++s;
        }
        if (s == end && !final) {
            return {Status::need_more, keep};
        }
        bool has_final = s < end && *s >= 0x20 && *s <= 0x7e;
        Result r = unknown(p, keep);
        r.len = static_cast<std::size_t>(s - p) + (has_final ? 1 : 0);
        return r;
    }

    static void push_value(Csi& csi, int value, bool ends_param)
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

    // `len` bytes at p have no built-in meaning: a KeyMap entry may give them one (possibly a
    // longer one), or they are unknown.
    Result keymap_or_unknown(const u8* p, std::size_t len, const u8* end, bool final)
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

    Result dispatch_csi(const Csi& c, std::size_t len)
    {
        switch (c.prefix) {
        case 0: return dispatch_csi_plain(c, len);
        case '<':
            if (c.final == 'M' || c.final == 'm') {
                return sgr_mouse(c, len);
            }
            break;
        case '?':
            switch (c.final) {
            case 'c': return report(ReportKind::da1, c, len);
            case 'u': return report(ReportKind::kitty_flags, c, len);
            case 'R':
                if (c.nparams >= 2 && !c.has_subparams()) {
                    ev = CursorPositionEvent{c.get_or(0, 1), c.get_or(1, 1)};
                    return {Status::event, len};
                }
                break;
            case 'n':
                if (c.get(0) == 997 && c.nparams == 2) {
                    ReportEvent r{ReportKind::color_scheme, {c.get(1)}, {}, false};
                    ev = std::move(r);
                    return {Status::event, len};
                }
                break;
            case 'y':
                if (c.inter == '$' && c.nparams == 2) {
                    ReportEvent r{ReportKind::decrpm, {c.get_or(0, 0), c.get_or(1, 0)}, {}, true};
                    ev = std::move(r);
                    return {Status::event, len};
                }
                break;
            default: break;
            }
            break;
        case '>':
            if (c.final == 'c') {
                return report(ReportKind::da2, c, len);
            }
            break;
        default: break;
        }
        return {Status::skip, len};
    }

    Result report(ReportKind what, const Csi& c, std::size_t len)
    {
        ReportEvent r;
        r.what = what;
        r.params.reserve(static_cast<std::size_t>(c.nparams));
        for (int i = 0; i < c.nparams; ++i) {
            r.params.push_back(c.get(i));
        }
        ev = std::move(r);
        return {Status::event, len};
    }

    Result dispatch_csi_plain(const Csi& c, std::size_t len)
    {
        u8 f = c.final;
        if (c.inter != 0) {
            if (f == 'y' && c.inter == '$' && c.nparams == 2) {
                ReportEvent r{ReportKind::decrpm, {c.get_or(0, 0), c.get_or(1, 0)}, {}, false};
                ev = std::move(r);
                return {Status::event, len};
            }
            return {Status::skip, len};
        }
        switch (f) {
        case 'A': case 'B': case 'C': case 'D': case 'E': case 'F': case 'H':
        case 'P': case 'Q': case 'S':
            if (c.nparams <= 2 && c.count(0) <= 1 && c.get_or(0, 1) == 1 && valid_mod_param(c.get(1, 0))) {
                return key(letter_key(f), len, mods_from_param(c.get(1, 0)), kind_from_param(c.get(1, 1)));
            }
            break;
        case 'R':
            return cpr_or_f3(c, len);
        case 'Z':
            if (c.nparams <= 2 && c.get_or(0, 1) == 1 && valid_mod_param(c.get(1, 0))) {
                return key(Key::tab, len, mods_from_param(c.get(1, 0)) | Mod::shift, kind_from_param(c.get(1, 1)));
            }
            break;
        case 'a': case 'b': case 'c': case 'd':
            // rxvt Shift+Up/Down/Right/Left.
            if (c.nparams == 0) {
                static constexpr Key arrows[] = {Key::up, Key::down, Key::right, Key::left};
                return key(arrows[f - 'a'], len, Mod::shift);
            }
            break;
        case '~': case '$': case '^': case '@':
            return tilde(c, len);
        case 'u':
            return kitty(c, len);
        case 'I': case 'O':
            if (c.nparams == 0) {
                ev = FocusEvent{f == 'I'};
                return {Status::event, len};
            }
            break;
        case 'M':
            if (c.nparams == 3 && !c.has_subparams()) {
                return urxvt_mouse(c, len);
            }
            break;
        case 't':
            if (c.get(0) == 48 && c.nparams >= 3 && !c.has_subparams()) {
                ResizeEvent r;
                r.rows = std::max(0, c.get_or(1, 0));
                r.cols = std::max(0, c.get_or(2, 0));
                r.height_px = std::max(0, c.get_or(3, 0));
                r.width_px = std::max(0, c.get_or(4, 0));
                ev = r;
                return {Status::event, len};
            }
            if (c.nparams >= 1 && !c.has_subparams()) {
                return report(ReportKind::window, c, len);
            }
            break;
        case 'n':
            if (c.nparams == 1 && !c.has_subparams()) {
                return report(ReportKind::status, c, len);
            }
            break;
        default: break;
        }
        return {Status::skip, len};
    }

    // `CSI r ; c R`: a cursor position report, or xterm's modified F3 (`CSI 1 ; m R`).
    // Policy: a bare `CSI R` and a form with a kitty event type are F3; an outstanding
    // request (expect_cursor_position) makes it a report; otherwise `1 ; 2..16` (xterm's
    // modifier range) is F3 with modifiers and anything else a report.
    Result cpr_or_f3(const Csi& c, std::size_t len)
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
        } else if (row == 1 && col >= 2 && col <= 16) {
            return key(function_key(3), len, mods_from_param(col));
        }
        ev = CursorPositionEvent{row, col};
        return {Status::event, len};
    }

    // `CSI n ; m ~` and rxvt's `CSI n $ / ^ / @`; `CSI 27 ; m ; k ~` (modifyOtherKeys);
    // `CSI 200 ~` (paste start).
    Result tilde(const Csi& c, std::size_t len)
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
                Key k = kitty_key(c.get(2));
                if (k == Key::none || !valid_mod_param(c.get(1))) {
                    return {Status::skip, len};
                }
                return key(k, len, mods_from_param(c.get(1)));
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

    // `CSI code[:shifted[:base]] [; mods[:event] [; text:...]] u` (kitty, fixterms, xterm
    // formatOtherKeys=1).
    Result kitty(const Csi& c, std::size_t len)
    {
        if (c.nparams < 1 || c.nparams > 3 || c.count(0) > 3 || c.count(1) > 2) {
            return {Status::skip, len};
        }
        Key k = kitty_key(c.get(0));
        if (k == Key::none) {
            return {Status::skip, len};
        }
        int m = c.get(1, 0);
        if (!valid_mod_param(m)) {
            return {Status::skip, len};
        }
        int shifted = c.get(0, 1), base = c.get(0, 2);
        if ((shifted != k_missing && !valid_scalar(shifted)) || (base != k_missing && !valid_scalar(base))) {
            return {Status::skip, len};
        }
        for (int j = 0; j < c.count(2); ++j) {
            int cp = c.get(2, j);
            if (cp != k_missing && !valid_scalar(cp)) {
                return {Status::skip, len};
            }
        }
        // Valid: built in place, as the short form is.
        auto& e = key_slot(k, mods_from_param(m), kind_from_param(c.get(1, 1)));
        e.shifted = shifted == k_missing ? 0 : static_cast<char32_t>(shifted);
        e.base = base == k_missing ? 0 : static_cast<char32_t>(base);
        for (int j = 0; j < c.count(2); ++j) {
            if (int cp = c.get(2, j); cp != k_missing) {
                append_utf8(e.text, static_cast<char32_t>(cp));
            }
        }
        return {Status::event, len};
    }

    Result sgr_mouse(const Csi& c, std::size_t len)
    {
        int cb = c.get(0), x = c.get(1), y = c.get(2);
        if (c.nparams != 3 || c.has_subparams() || cb == k_missing || x == k_missing || y == k_missing ||
            cb > 255) {
            return {Status::skip, len};
        }
        MouseEvent m = mouse_from_cb(cb, c.final == 'm');
        m.x = zero_based(x);
        m.y = zero_based(y);
        m.pixels = opt.mouse_pixels;
        ev = m;
        return {Status::event, len};
    }

    Result urxvt_mouse(const Csi& c, std::size_t len)
    {
        int cb = c.get(0), x = c.get(1), y = c.get(2);
        if (cb == k_missing || x == k_missing || y == k_missing || cb < 32 || cb > 255 + 32) {
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
    Result parse_x10(const u8* p, const u8* q, const u8* end, bool final)
    {
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

    // ---- SS3 ----------------------------------------------------------------------------

    // `SS3 [mods] X`: cursor keys in application mode, F1..F4, keypad keys, rxvt Ctrl+arrows.
    Result parse_ss3(const u8* p, std::size_t intro, const u8* end, bool final)
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
            static constexpr Key arrows[] = {Key::up, Key::down, Key::right, Key::left};
            k = arrows[f - 'a'];
            mods |= Mod::ctrl;  // rxvt Ctrl+arrows
        }
        if (k == Key::none || !valid_mod_param(mod)) {
            return keymap_or_unknown(p, len, end, final);
        }
        return key(k, len, mods);
    }

    // ---- paste --------------------------------------------------------------------------

    void paste_append(const u8* p, std::size_t n)
    {
        while (n > 0) {
            // A cap of 0 would deliver empty parts forever; the smallest part is one byte.
            std::size_t cap = std::max<std::size_t>(opt.paste_cap, 1);
            std::size_t room = paste.size() < cap ? cap - paste.size() : 0;
            std::size_t take = std::min(room, n);
            paste.append(reinterpret_cast<const char*>(p), take);
            p += take;
            n -= take;
            if (paste.size() >= cap) {
                PasteEvent part{std::move(paste), true};
                paste = std::string();
                emit(std::move(part));
            }
        }
    }

    const u8* scan_paste(const u8* p, const u8* end, bool final)
    {
        while (p < end) {
            auto* q = static_cast<const u8*>(std::memchr(p, ESC, static_cast<std::size_t>(end - p)));
            if (q == nullptr) {
                paste_append(p, static_cast<std::size_t>(end - p));
                return end;
            }
            paste_append(p, static_cast<std::size_t>(q - p));
            auto avail = static_cast<std::size_t>(end - q);
            std::size_t cmp = std::min(avail, k_paste_end.size());
            if (std::memcmp(q, k_paste_end.data(), cmp) != 0) {
                paste_append(q, 1);  // an ESC inside the paste is text
                p = q + 1;
                continue;
            }
            if (avail < k_paste_end.size()) {
                if (final) {
                    paste_append(q, avail);
                    resolve_mode();
                    return end;
                }
                // A possible end marker cut by the end of the input.
                pending.assign(reinterpret_cast<const char*>(q), avail);
                wait = Wait::stale;
                return end;
            }
            PasteEvent done{std::move(paste), false};
            paste = std::string();
            mode = Mode::ground;
            emit(std::move(done));
            return q + k_paste_end.size();
        }
        return p;
    }

    // ---- OSC / DCS / APC strings --------------------------------------------------------

    // A string longer than string_cap comes out, once it ends, as one unknown event of its
    // first string_cap bytes; the rest of it is skipped, neither held nor decoded as typed keys
    // (a 100 KB OSC 52 clipboard reply must not type its base64 tail into the application).
    // It reaches the cap at the same byte however the input is split, and a hand-over
    // (take_pending) passes on exactly those string_cap bytes, so a fresh decoder reaches the
    // same state.
    const u8* scan_string(const u8* p, const u8* end, bool final)
    {
        const u8* from = p;  // body bytes from here to `s` are not yet in `string`
        for (const u8* s = p; s < end; ++s) {
            u8 b = *s;
            if (b == 0x07 || (b == 0x9c && string_c1)) {
                append_string(from, s + 1);
                finish_string(1);
                return s + 1;
            }
            if (b == ESC) {
                append_string(from, s);
                if (s + 1 == end) {
                    if (final) {
                        resolve_mode();
                        return s;  // the ESC is decoded in ground mode
                    }
                    pending.assign(1, static_cast<char>(ESC));
                    wait = Wait::stale;
                    return end;
                }
                if (s[1] == '\\') {
                    append_string(s, s + 2);
                    finish_string(2);
                    return s + 2;
                }
                // ESC + anything else aborts the string; the ESC starts a new sequence.
                resolve_mode();
                return s;
            }
            if (!string_overlong && string.size() + static_cast<std::size_t>(s + 1 - from) >= opt.string_cap) {
                append_string(from, s + 1);
                string_overlong = true;
                from = s + 1;
            }
        }
        append_string(from, end);
        return end;
    }

    void append_string(const u8* from, const u8* to)
    {
        if (string_overlong) {
            return;
        }
        string.append(reinterpret_cast<const char*>(from), static_cast<std::size_t>(to - from));
    }

    // A complete string whose terminator is the last `term_len` bytes of `string`.
    void finish_string(std::size_t term_len)
    {
        if (string_overlong) {
            resolve_mode();
            return;
        }
        std::size_t intro = string_c1 ? 1 : 2;
        // The introducer's 7-bit form: 0x90 is ESC P, 0x9d is ESC ].
        auto kind = string_c1 ? static_cast<u8>(static_cast<u8>(string[0]) - 0x40) : static_cast<u8>(string[1]);
        std::string_view body(string);
        body = body.substr(intro, body.size() - intro - term_len);
        ReportEvent r;
        if (kind == ']') {
            r.what = ReportKind::osc;
            r.text = body;
        } else if (kind == '_') {
            r.what = ReportKind::apc;
            r.text = body;
        } else if (body.starts_with(">|")) {
            r.what = ReportKind::xtversion;
            r.text = body.substr(2);
        } else if (body.starts_with("!|")) {
            r.what = ReportKind::da3;
            r.text = body.substr(2);
        } else if (body.size() >= 3 && (body[0] == '0' || body[0] == '1') && body.substr(1, 2) == "+r") {
            r.what = ReportKind::xtgettcap;
            r.text = body;
        } else if (body.size() >= 3 && (body[0] == '0' || body[0] == '1') && body.substr(1, 2) == "$r") {
            r.what = ReportKind::decrqss;
            r.text = body;
        } else {
            r.what = ReportKind::dcs;
            r.text = body;
        }
        string.clear();
        mode = Mode::ground;
        emit(std::move(r));
    }

    // Ends the current mode with what it holds: the paste so far as the last part of the
    // paste, or the string so far as unknown. Pending bytes (a possible terminator) belong to
    // the body.
    void resolve_mode()
    {
        if (mode == Mode::paste) {
            paste_append(reinterpret_cast<const u8*>(pending.data()), pending.size());
            pending.clear();
            PasteEvent done{std::move(paste), false};
            paste = std::string();
            mode = Mode::ground;
            emit(std::move(done));
        } else if (mode == Mode::string) {
            UnknownEvent u{std::move(string)};
            string = std::string();
            string_overlong = false;
            mode = Mode::ground;
            emit(std::move(u));
        }
    }

    // ---- time ---------------------------------------------------------------------------

    bool has_pending() const { return mode != Mode::ground || !pending.empty(); }

    std::optional<clock::time_point> deadline() const
    {
        if (!has_pending()) {
            return std::nullopt;
        }
        Wait w = mode == Mode::ground ? wait : Wait::stale;
        return last + (w == Wait::esc ? opt.esc_timeout : opt.stale_timeout);
    }

    void feed(std::string_view bytes, clock::time_point now)
    {
        if (bytes.empty()) {
            return;
        }
        last = now;
        if (pending.empty()) {
            run(reinterpret_cast<const u8*>(bytes.data()), reinterpret_cast<const u8*>(bytes.data() + bytes.size()),
                false);
            return;
        }
        work.assign(pending);
        work.append(bytes);
        pending.clear();
        run(reinterpret_cast<const u8*>(work.data()), reinterpret_cast<const u8*>(work.data() + work.size()), false);
    }

    void resolve_all()
    {
        if (!pending.empty()) {
            work.swap(pending);
            pending.clear();
            if (mode == Mode::ground) {
                run(reinterpret_cast<const u8*>(work.data()), reinterpret_cast<const u8*>(work.data() + work.size()),
                    true);
            } else {
                // A possible terminator cut by the end of input: it stays part of the body.
                if (mode == Mode::paste) {
                    paste_append(reinterpret_cast<const u8*>(work.data()), work.size());
                } else if (!string_overlong) {
                    string += work;
                }
                resolve_mode();
            }
        } else {
            resolve_mode();
        }
        wait = Wait::none;
    }
};

Decoder::Decoder(DecoderOptions options, std::shared_ptr<const KeyMap> keymap)
    : impl_(std::make_unique<Impl>(options, std::move(keymap)))
{
}

Decoder::~Decoder() = default;
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;

namespace {
struct VectorSink final : EventSink {
    explicit VectorSink(std::vector<Event>& o) : out(o) {}
    void on_event(Event&& e) override { out.push_back(std::move(e)); }
    std::vector<Event>& out;
};
}  // namespace

void Decoder::feed(std::string_view bytes, clock::time_point now, EventSink& sink)
{
    impl_->sink = &sink;
    impl_->feed(bytes, now);
}

void Decoder::feed(std::string_view bytes, clock::time_point now, std::vector<Event>& out)
{
    VectorSink sink(out);
    feed(bytes, now, sink);
}

std::optional<Decoder::clock::time_point> Decoder::deadline() const { return impl_->deadline(); }

void Decoder::flush(clock::time_point now, EventSink& sink)
{
    auto d = impl_->deadline();
    if (!d || now < *d) {
        return;
    }
    impl_->sink = &sink;
    impl_->resolve_all();
}

void Decoder::flush(clock::time_point now, std::vector<Event>& out)
{
    VectorSink sink(out);
    flush(now, sink);
}

void Decoder::finish(EventSink& sink)
{
    impl_->sink = &sink;
    impl_->resolve_all();
}

void Decoder::finish(std::vector<Event>& out)
{
    VectorSink sink(out);
    finish(sink);
}

void detail::set_fast_paths(Decoder& decoder, bool on) { decoder.impl_->fast_paths = on; }

void Decoder::expect_cursor_position() { ++impl_->expect_cpr; }

std::size_t Decoder::pending_bytes() const
{
    return impl_->pending.size() + impl_->paste.size() + impl_->string.size();
}

std::string Decoder::take_pending()
{
    Impl& d = *impl_;
    std::string out;
    if (d.mode == Impl::Mode::paste) {
        out.assign(k_paste_begin);
        out += d.paste;
    } else if (d.mode == Impl::Mode::string) {
        out = d.string;
    }
    out += d.pending;
    d.pending.clear();
    d.paste.clear();
    d.string.clear();
    d.string_overlong = false;
    d.mode = Impl::Mode::ground;
    d.wait = Impl::Wait::none;
    return out;
}

const DecoderOptions& Decoder::options() const { return impl_->opt; }
void Decoder::set_options(const DecoderOptions& options) { impl_->opt = options; }

}  // namespace vtinput
