// The decoder's state and the contract between its grammar files (internal).
//
// Decoder::Impl is one struct whose member functions are defined across lib/decode/, one file
// per family of sequences:
//   decoder.cpp   the driver: modes, pending units, time, and the hot scan_ground loop
//   csi_short.hpp the inline fast path for the short CSI forms (included by decoder.cpp only)
//   csi.cpp       CSI syntax (parameters, intermediates, caps) and the dispatch by final byte
//   keyboard.cpp  legacy keys: cursor/function/editing keys, rxvt, the Linux console, SS3,
//                 xterm's keys marked private (CSI > 1 ; m X), and the CPR-vs-F3 policy
//   kitty.cpp     CSI u (kitty, fixterms) and modifyOtherKeys (CSI 27 ; m ; k ~)
//   win32.cpp     win32-input-mode (CSI Vk ; Sc ; Uc ; Kd ; Cs ; Rc _)
//   mouse.cpp     SGR and SGR-pixels, urxvt, X10/normal and UTF-8 (1005) reports
//   reports.cpp   terminal replies in CSI form: DA1/DA2, DECRPM, CPR, kitty flags, focus,
//                 in-band resize, window and status reports
//   strings.cpp   OSC/DCS/APC strings and what their bodies are
//   paste.cpp     bracketed paste
// The wire → key tables are in keys.hpp.
//
// The contract every parser keeps (it is what makes decoding split-invariant): a parser is
// given a contiguous view [p, end) and answers with a Result. It never decides differently
// because the view ended: where the unit may continue past `end` it answers need_more, and
// the driver keeps the unit's bytes and parses it again, whole, when more arrive. Only with
// `final` set (flush or finish: time passed, or input ended) does it resolve an incomplete
// unit instead. An event is built in `ev` (reusing its storage) and announced by
// Status::event; the driver emits it, after any events the unit put in `before` (a unit that
// is several events).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "decode/keys.hpp"
#include "vtinput/decoder.hpp"

namespace vtinput::detail {

constexpr u8 ESC = 0x1b;

// The bracketed paste end marker [ctlseqs]: paste.cpp looks for it, decoder.cpp hands a
// partial one over.
inline constexpr std::string_view k_paste_end = "\x1b[201~";

// Parsed CSI parameters: up to k_max_params parameters holding k_max_values values in all
// (sub-parameters included). More than that is not a sequence any terminal sends as input;
// such a sequence is reported as unknown.
inline constexpr int k_max_params = 32;
inline constexpr int k_max_values = 64;
inline constexpr int k_missing = -1;
inline constexpr int k_value_limit = 0x7fffffff / 10 - 10;

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

inline int zero_based(int wire) { return wire > 1 ? wire - 1 : 0; }

}  // namespace vtinput::detail

namespace vtinput {

struct Decoder::Impl {
    using u8 = detail::u8;
    using Csi = detail::Csi;
    using Result = detail::Result;
    using Status = detail::Status;

    enum class Mode : u8 { ground, paste, string, clipboard };
    enum class Wait : u8 { none, esc, stale };

    DecoderOptions opt;
    std::shared_ptr<const KeyMap> keymap;

    Mode mode = Mode::ground;
    Wait wait = Wait::none;
    clock::time_point last{};
    int expect_cpr = 0;
    bool fast_paths = true;  // see decode/fast_paths.hpp

    std::string pending;  // ground: one incomplete unit; paste/string: a possible terminator
    // What the incomplete unit in `pending` is, for feed's shortcut (held.cpp): a lone ESC; a
    // CSI within csi_cap that so far has only its introducer and parameter bytes; a CSI
    // past csi_cap (its first csi_cap bytes kept) that has not ended yet; or a partial UTF-8
    // character. Set by stash only (and so only in ground mode); anything else that empties
    // or replaces `pending` resets it to other.
    enum class Held : u8 { other, esc, csi_params, csi_overlong, utf8 };
    Held held = Held::other;
    std::string work;        // scratch: pending + new bytes
    std::string paste;       // paste body not yet delivered
    std::string string;      // OSC/DCS/APC bytes so far, introducer included
    bool string_c1 = false;  // introduced by an 8-bit C1 byte: 0x9c may terminate it
    // The string reached string_cap: `string` holds its first string_cap bytes and the rest of
    // it is skipped up to its terminator.
    bool string_overlong = false;
    // After time passed inside a paste or a clipboard reply: how many bytes of a possible end
    // marker had arrived (a prefix of `ESC [ 201 ~`, so the count says which bytes; for a
    // clipboard reply at most its ESC). Kept as a count rather than in `pending`, since nothing
    // is then waiting for a deadline; the next feed puts them back.
    u8 paste_marker = 0;
    // An OSC 52 clipboard reply (clipboard.cpp): its selection parameter, the content decoded
    // and not yet delivered (whole base64 quanta only), and the characters of the quantum
    // under way.
    std::string clip_selection;
    std::string clip;
    char clip_quad[4] = {};
    u8 clip_quad_n = 0;

    // The current output and the event being built, shared by the parsers.
    EventSink* sink = nullptr;
    Event ev;
    // Events a unit produces before `ev`, for the rare unit that is several events (kitty's
    // text with no key, a win32-input-mode repeat count): the driver emits them, in order,
    // before `ev`. A parser adds to it only when it answers Status::event.
    std::vector<Event> before;

    // `pending` and `work` start past the strings' inline buffer, so feed's swap of the two is
    // an exchange of pointers (two inline buffers swap by copying); neither ever shrinks back.
    static constexpr std::size_t k_unit_reserve = 32;

    Impl(DecoderOptions o, std::shared_ptr<const KeyMap> km) : opt(o), keymap(std::move(km))
    {
        pending.reserve(k_unit_reserve);
        work.reserve(k_unit_reserve);
    }

    void emit(Event&& e) { sink->on_event(std::move(e)); }

    // ---- building events in `ev` ----------------------------------------------------------

    // The KeyEvent inside `ev` with everything but its text set: reuses the variant's storage
    // (no destroy/construct of the alternative) and the text's inline buffer.
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

    // As key_event, with no text.
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

    [[gnu::always_inline]] Result key(Key k, std::size_t len, Mods mods = {}, KeyKind kind = KeyKind::press)
    {
        key_slot(k, mods, kind);
        return {Status::event, len};
    }

    Result unknown(const u8* p, std::size_t n)
    {
        ev = UnknownEvent{std::string(reinterpret_cast<const char*>(p), n)};
        return {Status::event, n};
    }

    // A C0 control byte (but ESC) or DEL: one key.
    [[gnu::always_inline]] Result control(u8 c)
    {
        if (keymap) {
            if (const KeyMap::Entry* e = keymap->single_byte(c)) {
                return key(e->key, 1, e->mods);
            }
        }
        detail::KeyPress k = detail::control_key(c);
        return key(k.key, 1, k.mods);
    }

    bool has_pending() const { return mode != Mode::ground || !pending.empty(); }
    // Whether time passing would change anything: not inside a paste or a clipboard reply
    // that has delivered all it received (time never ends either).
    bool has_deadline() const
    {
        if (mode == Mode::paste) {
            return !paste.empty() || !pending.empty();
        }
        if (mode == Mode::clipboard) {
            return !clip.empty() || !pending.empty();
        }
        return has_pending();
    }

    // ---- decoder.cpp: the driver ----------------------------------------------------------

    void feed(std::string_view bytes, clock::time_point now);
    // Time passed (flush), or the input ended (finish, `end_of_input`).
    void resolve_all(bool end_of_input);
    std::optional<clock::time_point> deadline() const;
    void run(const u8* p, const u8* end, bool final);
    template <bool Fast>
    [[gnu::always_inline]] inline const u8* scan_ground(const u8* p, const u8* end, bool final);
    void stash(const u8* p, const u8* end);  // held.cpp
    void stash_copy(const u8* p, const u8* end);
    Held held_kind(const u8* p, const u8* end) const;
    // held.cpp's shortcut, inline (it runs once per byte fed a byte at a time; Decoder::feed
    // goes to it, through feed_after_held, only while a unit is held): takes `bytes` without a
    // parse when they only continue the held unit, and says whether it did. The two units that
    // grow long: a CSI still in its parameters takes bytes that can only be more parameters
    // (0x30..0x3f: digits, `;`, `:`, `<=>?`) by appending them, and a CSI past csi_cap drops
    // the bytes that continue it (0x20..0x3f), as the parser would. A lone ESC followed by `[`
    // alone becomes such a CSI (the commonest first two bytes of a key). Called with `held`
    // esc, csi_params or csi_overlong (so in ground mode) and `bytes` not empty.
    [[gnu::always_inline]] bool feed_held(std::string_view bytes, clock::time_point now)
    {
        const std::size_t n = bytes.size();
        if (n == 1) [[likely]] {
            if (!held_continues(static_cast<u8>(bytes[0]))) {
                return false;
            }
        } else {
            for (char ch : bytes) {
                if (!held_continues(static_cast<u8>(ch))) {
                    return false;
                }
            }
        }
        if (held == Held::esc) {
            // `ESC [` still waits only the ESC timeout (needs_only_esc_wait).
            if (n != 1) {
                return false;
            }
            held = Held::csi_params;
            held_room = csi_room();
        } else {
            wait = Wait::stale;  // a parameter byte makes it known to be a sequence
        }
        if (held == Held::csi_params) {
            // Within the cap, with a byte to spare (the parser decides at the cap itself), and
            // within pending's capacity: held_room.
            if (pending.size() + n >= held_room) {
                return false;
            }
            last = now;
            if (n != 1) {
                append_pending(bytes);
                return true;
            }
            // The byte is appended with no call, so feed_after_held needs no stack frame.
            if (pending.size() + 1 > pending.capacity()) {
                __builtin_unreachable();  // held_room <= capacity()
            }
            pending.push_back(bytes[0]);
            return true;
        }
        last = now;
        return true;
    }
    // For a held CSI within csi_cap (Held::csi_params): feed_held appends to it while its size
    // stays below this, the lesser of pending's capacity and csi_cap - 1 (so a byte to spare
    // before the cap). Set with `held`, by stash and feed_held.
    std::size_t held_room = 0;
    std::size_t csi_room() const { return std::min(pending.capacity(), opt.csi_cap > 0 ? opt.csi_cap - 1 : 0); }
    void append_pending(std::string_view bytes);
    void feed_after_held(std::string_view bytes, clock::time_point now);  // feed_held, then feed
    // A byte after a partial UTF-8 character (held.cpp), then feed.
    void feed_held_utf8(std::string_view bytes, clock::time_point now);
    // Whether byte `b` only continues the held unit (feed_held).
    [[gnu::always_inline]] bool held_continues(u8 b) const
    {
        switch (held) {
        case Held::esc: return b == '[';
        case Held::csi_params: return b >= 0x30 && b <= 0x3f;
        case Held::csi_overlong: return b >= 0x20 && b <= 0x3f;
        case Held::other:
        case Held::utf8: break;
        }
        return false;
    }
    void emit_before();
    void resolve_mode();
    Result parse_unit(const u8* p, const u8* end, bool final);
    Result parse_utf8(const u8* p, const u8* end, bool final);
    Result parse_escape(const u8* p, const u8* end, bool final);
    // A CSI sequence (`intro` is 2 for ESC [, 1 for the C1 byte 0x9b): the short form if the
    // fast paths are on and it is one, else the general parser.
    Result parse_csi(const u8* p, std::size_t intro, const u8* end, bool final);
    std::size_t parse_csi_short(const u8* p, std::size_t intro, const u8* end);  // csi_short.hpp

    // ---- csi.cpp --------------------------------------------------------------------------

    Result parse_csi_general(const u8* p, std::size_t intro, const u8* end, bool final);
    Result dispatch_csi(const Csi& c, std::size_t len);
    // A sequence longer than csi_cap whose first bytes up to `s` were accepted.
    template <class Continues>
    Result overlong(const u8* p, const u8* s, const u8* end, bool final, Continues continues);
    // `len` bytes at p have no built-in meaning: a KeyMap entry may give them one.
    Result keymap_or_unknown(const u8* p, std::size_t len, const u8* end, bool final);

    // ---- keyboard.cpp ---------------------------------------------------------------------

    Result csi_key(const Csi& c, std::size_t len);  // plain CSI with a key's final byte
    Result cpr_or_f3(const Csi& c, std::size_t len);
    Result tilde(const Csi& c, std::size_t len);
    Result private_key(const Csi& c, std::size_t len);  // `CSI > 1 ; m X`
    Result linux_console(const u8* p, std::size_t intro, const u8* end, bool final);
    Result parse_ss3(const u8* p, std::size_t intro, const u8* end, bool final);

    // ---- kitty.cpp ------------------------------------------------------------------------

    Result kitty(const Csi& c, std::size_t len);
    Result kitty_text(const Csi& c, std::size_t len);
    Result modify_other_keys(const Csi& c, std::size_t len);

    // ---- win32.cpp ------------------------------------------------------------------------

    Result win32_key(const Csi& c, std::size_t len);

    // ---- mouse.cpp ------------------------------------------------------------------------

    Result sgr_mouse(const Csi& c, std::size_t len);
    Result urxvt_mouse(const Csi& c, std::size_t len);
    Result parse_x10(const u8* p, const u8* q, const u8* end, bool final);
    Result bare_csi_m(const u8* p, std::size_t len);

    // ---- reports.cpp ----------------------------------------------------------------------

    Result private_report(const Csi& c, std::size_t len);  // CSI ? ... and CSI > ...
    Result plain_report(const Csi& c, std::size_t len);    // CSI I/O/t/n and CSI ... $ y
    Result report(ReportKind what, const Csi& c, std::size_t len);

    // ---- strings.cpp ----------------------------------------------------------------------

    const u8* scan_string(const u8* p, const u8* end, bool final);
    void append_string(const u8* from, const u8* to);
    void finish_string(std::size_t term_len);

    // ---- clipboard.cpp --------------------------------------------------------------------

    // At a `;` inside an OSC string: whether the string so far is `52;SELECTION;`, and if so
    // the switch to clipboard mode.
    bool enter_clipboard();
    const u8* scan_clipboard(const u8* p, const u8* end, bool final);
    void clip_char(u8 c);
    void clip_quantum();
    void pause_clipboard();
    void end_clipboard();
    // The reply so far as bytes a fresh decoder turns into the same events (take_pending).
    void clipboard_bytes(std::string& out) const;

    // ---- paste.cpp ------------------------------------------------------------------------

    const u8* scan_paste(const u8* p, const u8* end);
    void paste_append(const u8* p, std::size_t n);
    void pause_paste();
    void end_paste();
};

// A CSI or SS3 sequence longer than csi_cap: its first bytes up to `s` (the cap) were all
// accepted. It comes out, once it ends, as one unknown event of those csi_cap bytes; the rest
// of it is skipped, neither held (memory stays bounded) nor decoded as typed keys. It ends
// with its final byte, skipped with it, or before a byte that cannot be inside it, which is
// decoded next. Split invariance holds because while it has not ended only its first csi_cap
// bytes are kept (need_more with a length), and every byte dropped after them was one that
// `continues` it.
template <class Continues>
Decoder::Impl::Result Decoder::Impl::overlong(const u8* p, const u8* s, const u8* end, bool final, Continues continues)
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

}  // namespace vtinput
