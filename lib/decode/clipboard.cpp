// OSC 52 clipboard replies (`OSC 52 ; SELECTION ; BASE64 ST`, the answer to
// `OSC 52 ; c ; ? ST`): delivered as ClipboardEvents with the content decoded, in parts like
// a paste, never cut at string_cap.
//
// A clipboard reply starts as an ordinary OSC string (strings.cpp). At its second `;`, if the
// body so far is `52;SELECTION;`, the driver switches to clipboard mode: the rest streams
// through a base64 decoder into `clip`, and whenever no room is left in `clip` for another
// quantum (3 bytes) under paste_cap, it is delivered as a part with `continued` set. The
// reply ends at the same terminators as a string (BEL, ST, C1 ST after an 8-bit introducer);
// ESC followed by anything else ends it too, and the ESC starts the next sequence. Its end
// always delivers a last part (`continued` clear), empty if nothing was left.
//
// Invariants:
// - `clip` holds whole quanta only; the characters of the quantum under way are in
//   `clip_quad`. So a part boundary depends only on the decoded content, never on how the
//   input was split, and take_pending can hand the reply over as base64 again.
// - Time never ends a reply, as with a paste: what has been decoded is delivered as a part
//   (pause_clipboard) and the reply goes on. Only its terminator, or the end of the input,
//   ends it; otherwise a reply the link stalls in would type its base64 tail as keys.
// - Characters outside the base64 alphabet are skipped (RFC 4648 3.3 lets a referring spec
//   ignore them; xterm and kitty send none). `=` ends the quantum under way.
#include "decode/impl.hpp"

#include <array>

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

namespace {

constexpr std::string_view k_base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Each byte's value in base64, or -1.
constexpr std::array<signed char, 256> k_base64_value = [] {
    std::array<signed char, 256> t{};
    t.fill(-1);
    for (std::size_t i = 0; i < k_base64.size(); ++i) {
        t[static_cast<u8>(k_base64[i])] = static_cast<signed char>(i);
    }
    return t;
}();

// A selection parameter: xterm's `c p q s 0-7`, any of them, any number (kitty and foot send
// the one they were asked for). Letters and digits only, so a colour reply is never taken.
bool is_selection(std::string_view s)
{
    if (s.size() > 16) {
        return false;
    }
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool Decoder::Impl::enter_clipboard()
{
    std::size_t intro = string_c1 ? 1 : 2;
    if (string_overlong || string.size() < intro + 4) {
        return false;
    }
    auto kind = string_c1 ? static_cast<u8>(static_cast<u8>(string[0]) - 0x40) : static_cast<u8>(string[1]);
    std::string_view body = std::string_view(string).substr(intro);
    if (kind != ']' || !body.starts_with("52;") || !body.ends_with(';')) {
        return false;
    }
    std::string_view selection = body.substr(3, body.size() - 4);
    if (!is_selection(selection)) {
        return false;
    }
    clip_selection.assign(selection);
    clip.clear();
    clip_quad_n = 0;
    string.clear();
    mode = Mode::clipboard;
    return true;
}

const u8* Decoder::Impl::scan_clipboard(const u8* p, const u8* end, bool final)
{
    for (const u8* s = p; s < end; ++s) {
        u8 b = *s;
        if (b == 0x07 || (b == 0x9c && string_c1)) {
            end_clipboard();
            return s + 1;
        }
        if (b == ESC) {
            if (s + 1 == end && !final) {
                pending.assign(1, static_cast<char>(ESC));
                wait = Wait::stale;
                return end;
            }
            end_clipboard();
            // ST ends the reply; ESC + anything else ends it too, and starts the next unit.
            return s + 1 < end && s[1] == '\\' ? s + 2 : s;
        }
        clip_char(b);
    }
    return end;
}

void Decoder::Impl::clip_char(u8 c)
{
    if (k_base64_value[c] >= 0) {
        clip_quad[clip_quad_n++] = static_cast<char>(c);
        if (clip_quad_n == 4) {
            clip_quantum();
        }
    } else if (c == '=') {
        clip_quantum();
    }
}

// Decodes the quantum under way (2 to 4 characters give 1 to 3 bytes; a lone character is
// no byte), then delivers `clip` if another quantum might not fit under the cap.
void Decoder::Impl::clip_quantum()
{
    std::uint32_t bits = 0;
    for (u8 i = 0; i < clip_quad_n; ++i) {
        bits |= static_cast<std::uint32_t>(k_base64_value[static_cast<u8>(clip_quad[i])]) << (18 - 6 * i);
    }
    for (int i = 0; i < clip_quad_n - 1; ++i) {
        clip.push_back(static_cast<char>((bits >> (16 - 8 * i)) & 0xff));
    }
    clip_quad_n = 0;
    if (clip.size() + 3 > std::max<std::size_t>(opt.paste_cap, 3)) {
        ClipboardEvent part{clip_selection, std::move(clip), true};
        clip = std::string();
        emit(std::move(part));
    }
}

// Time passed inside the reply: what has been decoded is delivered as a part, and the reply
// goes on. A possible ST cut by the end of the input (its ESC) is remembered in paste_marker.
void Decoder::Impl::pause_clipboard()
{
    paste_marker = static_cast<u8>(pending.size());
    pending.clear();
    if (!clip.empty()) {
        ClipboardEvent part{clip_selection, std::move(clip), true};
        clip = std::string();
        emit(std::move(part));
    }
}

// The reply ended (its terminator, ESC + another byte, or the end of the input): the last
// part, with what the quantum under way holds. An ESC cut by the end of the input is dropped:
// it is no base64.
void Decoder::Impl::end_clipboard()
{
    clip_quantum();
    ClipboardEvent done{std::move(clip_selection), std::move(clip), false};
    clip_selection = std::string();
    clip = std::string();
    pending.clear();
    paste_marker = 0;
    mode = Mode::ground;
    emit(std::move(done));
}

void Decoder::Impl::clipboard_bytes(std::string& out) const
{
    out += string_c1 ? "\x9d" : "\x1b]";
    out += "52;";
    out += clip_selection;
    out += ';';
    std::size_t i = 0;
    for (; i + 3 <= clip.size(); i += 3) {
        std::uint32_t v = (std::uint32_t{static_cast<u8>(clip[i])} << 16) |
                          (std::uint32_t{static_cast<u8>(clip[i + 1])} << 8) | static_cast<u8>(clip[i + 2]);
        for (int k = 0; k < 4; ++k) {
            out += k_base64[(v >> (18 - 6 * k)) & 0x3f];
        }
    }
    if (std::size_t left = clip.size() - i; left > 0) {
        // Bytes of a short quantum (`=` padding); its padding ends it again.
        std::uint32_t v = std::uint32_t{static_cast<u8>(clip[i])} << 16;
        if (left == 2) {
            v |= std::uint32_t{static_cast<u8>(clip[i + 1])} << 8;
        }
        for (std::size_t k = 0; k <= left; ++k) {
            out += k_base64[(v >> (18 - 6 * k)) & 0x3f];
        }
        out += '=';
    }
    out.append(clip_quad, clip_quad_n);
}

}  // namespace vtinput
