// The decoder's driver: modes, pending units, time, and the hot loop over ground input.
//
// Goals and constraints: no I/O, no clock, no global state; never wedged; bounded memory; the
// same events for the same bytes however they are split across feeds.
//
// How split-invariance is kept: every unit (a character, a control byte, an escape sequence)
// is parsed from a contiguous view by the parsers of impl.hpp's contract. A parser that
// reaches the end of the view before the unit is complete answers "need more"; the driver
// keeps the unit's bytes in `pending` and parses it again, whole, when more bytes arrive
// (but for bytes that cannot complete it: decode/held.cpp takes those without a parse, and
// parses a partial UTF-8 character with its next byte on their own, so feeding a byte at a
// time stays linear). Only
// `flush`/`finish` (time passing, or end of input) parse with `final` set, which resolves an
// incomplete unit instead of waiting. Long bodies (a paste, an OSC/DCS/APC string) are modes
// rather than units, so they stream into their own buffers (paste.cpp, strings.cpp) instead
// of being re-parsed.
//
// Speed: the commonest units (text, short CSI and SS3 keys, SGR mouse reports, Alt+key,
// control keys) are decoded inline in scan_ground<true>. Each such fast path decides only
// cases the general parser for that unit would decide the same way, and hands everything
// else to it, so the general parsers stay the single definition of the grammar.
// scan_ground<false> skips them (decode/fast_paths.hpp): the tests and the fuzz target
// require identical events both ways.
//
// Memory: `pending` holds at most one incomplete unit (capped by csi_cap), `string` at most
// string_cap bytes, `paste` and `clip` at most paste_cap bytes. A paste or an OSC 52 clipboard
// reply past its cap is delivered in parts, none of it dropped. A CSI/SS3 sequence or OSC/DCS/APC string past its cap comes out as
// one unknown event of its first cap bytes, and the rest of it is skipped up to its end: those
// bytes mean nothing, and decoding them as typed keys would be worse than dropping them.
#include "vtinput/decoder.hpp"

#include "decode/csi_short.hpp"
#include "decode/fast_paths.hpp"
#include "decode/impl.hpp"
#include "support/text.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

namespace {

constexpr std::string_view k_paste_begin = "\x1b[200~";

// After ESC, the bytes parse_escape reads as the start of a sequence rather than a key.
bool introduces_sequence(u8 b) { return b == '[' || b == 'O' || b == 'P' || b == ']' || b == '_'; }

}  // namespace

// ---- driving ------------------------------------------------------------------------------

void Decoder::Impl::feed(std::string_view bytes, clock::time_point now)
{
    if (bytes.empty()) {
        return;
    }
    last = now;
    held = Held::other;  // feed_held (Decoder::feed) did not take these bytes
    if (paste_marker != 0) [[unlikely]] {
        // A paste paused with part of a possible end marker (pause_paste): continue from it.
        pending.assign(k_paste_end.data(), paste_marker);
        paste_marker = 0;
    }
    std::string_view in = bytes;
    if (!pending.empty()) {
        // The unit and the new bytes, contiguous; `pending`, now empty, keeps work's old
        // buffer for the next stash (a swap of pointers: see k_unit_reserve).
        work.swap(pending);
        if (bytes.size() == 1) {
            work.push_back(bytes[0]);
        } else {
            work.append(bytes);
        }
        pending.clear();
        in = work;
    }
    run(reinterpret_cast<const u8*>(in.data()), reinterpret_cast<const u8*>(in.data() + in.size()), false);
}

[[gnu::always_inline]] inline void Decoder::Impl::run(const u8* p, const u8* end, bool final)
{
    while (p < end) {
        if (mode == Mode::ground) [[likely]] {
            // Tested first, not in the switch: a feed of one byte mostly has only this to do.
            p = fast_paths ? scan_ground<true>(p, end, final) : scan_ground<false>(p, end, final);
            continue;
        }
        switch (mode) {
        case Mode::paste: p = scan_paste(p, end); break;
        case Mode::string: p = scan_string(p, end, final); break;
        case Mode::clipboard: p = scan_clipboard(p, end, final); break;
        case Mode::ground: break;
        }
    }
    if (final && mode == Mode::string && pending.empty()) {
        resolve_mode();
    }
}

// Ground: text, controls and escape sequences. With Fast, the commonest units are decoded
// inline; without, every unit goes through parse_unit, the general definition.
template <bool Fast>
const u8* Decoder::Impl::scan_ground(const u8* p, const u8* end, bool final)
{
    while (p < end) {
        u8 c = *p;
        if (Fast && c >= 0x20 && c < 0x7f) {
            // Printable ASCII: the common case, one key per byte.
            char_slot(c, p, 1);
            emit(std::move(ev));
            ++p;
            continue;
        }
        if (Fast && c >= 0xc2 && c <= 0xef && end - p >= 3) {
            // A complete 2- or 3-byte UTF-8 character (the next common case), decoded here;
            // anything unusual (4 bytes, invalid, cut by the end) goes to parse_utf8.
            u8 b1 = p[1];
            if (c < 0xe0) {
                // C2 80..C2 9F, the C1 characters, are parse_utf8's (Alt+Ctrl+key).
                if ((b1 & 0xc0) == 0x80 && (c != 0xc2 || b1 >= 0xa0)) {
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
        if (Fast && c == ESC && end - p >= 3 && p[1] == '[') {
            if (std::size_t n = parse_csi_short(p, 2, end)) {
                emit(std::move(ev));
                p += n;
                continue;
            }
            r = parse_csi_general(p, 2, end, final);
        } else if (Fast && c == ESC && end - p >= 3 && p[1] == 'O') {
            if (Key k = letter_key(p[2]); k != Key::none && opt.csi_cap > 2) {
                // `SS3 X`, parse_ss3's commonest form: the cap leaves room for the final.
                key_slot(k);
                emit(std::move(ev));
                p += 3;
                continue;
            }
            r = parse_ss3(p, 2, end, final);
        } else if (Fast && c == ESC && end - p >= 2 && p[1] >= 0x20 && p[1] < 0x7f && !introduces_sequence(p[1])) {
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
            if (!before.empty()) [[unlikely]] {
                emit_before();
            }
            emit(std::move(ev));
            break;
        case Status::skip: break;
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

// Bytes that only continue a held unit take held.cpp's shortcut, in a frame of its own (the
// general path's is larger): what keeps feeding a byte at a time linear.
[[gnu::noinline]] void Decoder::Impl::feed_after_held(std::string_view bytes, clock::time_point now)
{
    if (held == Held::utf8) {
        return feed_held_utf8(bytes, now);
    }
    if (!bytes.empty() && feed_held(bytes, now)) {
        return;
    }
    feed(bytes, now);
}

// feed_held's append of several bytes, out of line: the one-byte case needs no call, so no
// stack frame.
[[gnu::noinline]] void Decoder::Impl::append_pending(std::string_view bytes) { pending.append(bytes); }

// Emits the events a unit produced before `ev` (impl.hpp's `before`).
[[gnu::noinline]] void Decoder::Impl::emit_before()
{
    for (Event& e : before) {
        emit(std::move(e));
    }
    before.clear();
}

// Ends the current mode with what it holds: the paste so far as the last part of the
// paste (only at the end of the input: see paste.cpp), or the string so far as unknown.
// Pending bytes (a possible terminator) belong to the body.
void Decoder::Impl::resolve_mode()
{
    if (mode == Mode::paste) {
        paste_append(reinterpret_cast<const u8*>(pending.data()), pending.size());
        pending.clear();
        PasteEvent done{std::move(paste), false};
        paste = std::string();
        mode = Mode::ground;
        emit(std::move(done));
    } else if (mode == Mode::clipboard) {
        end_clipboard();
    } else if (mode == Mode::string) {
        UnknownEvent u{std::move(string)};
        string = std::string();
        string_overlong = false;
        mode = Mode::ground;
        emit(std::move(u));
    }
}

void Decoder::Impl::resolve_all(bool end_of_input)
{
    held = Held::other;  // whatever is pending is resolved now
    if (!pending.empty() && mode == Mode::ground) {
        work.swap(pending);
        pending.clear();
        run(reinterpret_cast<const u8*>(work.data()), reinterpret_cast<const u8*>(work.data() + work.size()), true);
    }
    if (mode == Mode::paste) {
        // Time never ends a paste; the end of the input does.
        if (end_of_input) {
            end_paste();
        } else {
            pause_paste();
        }
    } else if (mode == Mode::clipboard) {
        // Time never ends a clipboard reply either; the end of the input does.
        if (end_of_input) {
            end_clipboard();
        } else {
            pause_clipboard();
        }
    } else if (mode == Mode::string) {
        // A possible terminator cut by the end of input: it stays part of the body.
        if (!string_overlong) {
            string += pending;
        }
        pending.clear();
        resolve_mode();
    }
    wait = Wait::none;
}

std::optional<Decoder::clock::time_point> Decoder::Impl::deadline() const
{
    if (!has_deadline()) {
        return std::nullopt;
    }
    Wait w = mode == Mode::ground ? wait : Wait::stale;
    return last + (w == Wait::esc ? opt.esc_timeout : opt.stale_timeout);
}

// ---- units --------------------------------------------------------------------------------

// One unit starting at a non-printable byte.
Result Decoder::Impl::parse_unit(const u8* p, const u8* end, bool final)
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
        case 0x90:
        case 0x9d: return {Status::string, 1};
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
Result Decoder::Impl::parse_utf8(const u8* p, const u8* end, bool final)
{
    Utf8 u = decode_utf8(p, end);
    switch (u.status) {
    case Utf8Status::valid:
        if (u.cp >= 0x80 && u.cp < 0xa0) {
            // A C1 character, U+0080..U+009F, as UTF-8 (C2 80..C2 9F): xterm's default
            // eightBitInput sends Alt+key as the key's byte with the high bit set, and in
            // UTF-8 mode encodes that byte as a character; for a control key that is
            // U+0080 + its C0 byte (U+0081 is Alt+Ctrl+A, U+0088 Alt+BackSpace where kbs
            // is ^H). No one types C1 characters as text. (Raw 8-bit bytes 0x80..0x9f are
            // C1 controls or invalid UTF-8, parse_unit's, not this.)
            Result r = control(static_cast<u8>(u.cp - 0x80));
            std::get<KeyEvent>(ev).mods |= Mod::alt;
            r.len = u.len;
            return r;
        }
        char_slot(u.cp, p, u.len);
        return {Status::event, u.len};
    case Utf8Status::invalid: return unknown(p, u.len);
    case Utf8Status::incomplete: break;
    }
    return final ? unknown(p, u.len) : Result{Status::need_more, 0};
}

Result Decoder::Impl::parse_escape(const u8* p, const u8* end, bool final)
{
    if (end - p < 2) {
        return final ? key(Key::escape, 1) : Result{Status::need_more, 0};
    }
    u8 c = p[1];
    switch (c) {
    case '[': return parse_csi(p, 2, end, final);
    case 'O': return parse_ss3(p, 2, end, final);
    case 'P':
    case ']':
    case '_':
        if (end - p < 3) {
            return final ? key(char_key(c), 2, Mod::alt) : Result{Status::need_more, 0};
        }
        return {Status::string, 2};
    default: break;
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
    if (!before.empty()) {
        // A unit of several events (kitty text, a win32 repeat count) already carries its
        // modifiers: the ESC is an Escape of its own, and the unit is decoded after it.
        before.clear();
        return key(Key::escape, 1);
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

Result Decoder::Impl::parse_csi(const u8* p, std::size_t intro, const u8* end, bool final)
{
    if (fast_paths) {
        if (std::size_t len = parse_csi_short(p, intro, end)) {
            return {Status::event, len};
        }
    }
    return parse_csi_general(p, intro, end, final);
}

// ---- the public face ----------------------------------------------------------------------

Decoder::Decoder(DecoderOptions options, std::shared_ptr<const KeyMap> keymap)
    : impl_(std::make_unique<Impl>(options, std::move(keymap)))
{}

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
    Impl& d = *impl_;
    d.sink = &sink;
    if (d.held != Impl::Held::other) {
        d.feed_after_held(bytes, now);
    } else {
        d.feed(bytes, now);
    }
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
    impl_->resolve_all(false);
}

void Decoder::flush(clock::time_point now, std::vector<Event>& out)
{
    VectorSink sink(out);
    flush(now, sink);
}

void Decoder::finish(EventSink& sink)
{
    impl_->sink = &sink;
    impl_->resolve_all(true);
}

void Decoder::finish(std::vector<Event>& out)
{
    VectorSink sink(out);
    finish(sink);
}

void Decoder::expect_cursor_position() { ++impl_->expect_cpr; }

void Decoder::set_esc_timeout(std::chrono::milliseconds timeout) { impl_->opt.esc_timeout = timeout; }

std::size_t Decoder::pending_bytes() const
{
    // A clipboard reply's selection and the characters of its quantum under way (at most 3)
    // are, like a paused paste's marker, state rather than bytes waiting for a deadline.
    return impl_->pending.size() + impl_->paste.size() + impl_->string.size() + impl_->clip.size();
}

std::string Decoder::take_pending()
{
    Impl& d = *impl_;
    std::string out;
    if (d.mode == Impl::Mode::paste) {
        out.assign(k_paste_begin);
        out += d.paste;
        out.append(k_paste_end.data(), d.paste_marker);
        d.paste_marker = 0;
    } else if (d.mode == Impl::Mode::string) {
        out = d.string;
    } else if (d.mode == Impl::Mode::clipboard) {
        d.clipboard_bytes(out);
        out.append(k_paste_end.data(), d.paste_marker);  // at most its ESC
        d.paste_marker = 0;
    }
    out += d.pending;
    d.pending.clear();
    d.held = Impl::Held::other;
    d.paste.clear();
    d.string.clear();
    d.string_overlong = false;
    d.clip_selection.clear();
    d.clip.clear();
    d.clip_quad_n = 0;
    d.mode = Impl::Mode::ground;
    d.wait = Impl::Wait::none;
    return out;
}

const DecoderOptions& Decoder::options() const { return impl_->opt; }
void Decoder::set_options(const DecoderOptions& options)
{
    impl_->opt = options;
    impl_->held = Impl::Held::other;  // feed_held's shortcut assumed the old csi_cap
}

void detail::set_fast_paths(Decoder& decoder, bool on) { decoder.impl_->fast_paths = on; }

std::chrono::milliseconds adaptive_esc_timeout(std::chrono::microseconds round_trip)
{
    using std::chrono::milliseconds;
    auto extra = std::chrono::ceil<milliseconds>(2 * std::max(round_trip, std::chrono::microseconds(0)));
    return std::min(milliseconds(50) + extra, milliseconds(500));
}

}  // namespace vtinput
