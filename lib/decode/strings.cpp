// OSC, DCS and APC strings: what terminals reply with (colours, XTVERSION, XTGETTCAP, DECRQSS,
// clipboard) and what applications rarely receive otherwise.
//
// A string is a mode of the driver, not a unit: its body streams into `string` (at most
// string_cap bytes) until BEL, ST (`ESC \`) or, after an 8-bit introducer, the C1 ST byte.
// ESC followed by anything else aborts it, and the ESC starts the next sequence. The
// complete string becomes a ReportEvent whose kind says what its body is; an OSC 52 clipboard
// reply leaves string mode at its second `;` for clipboard mode (clipboard.cpp).
#include "decode/impl.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

namespace {
// The longest `ESC ] 52 ; SELECTION ;` that enter_clipboard accepts (a selection has at most
// 16 characters).
constexpr std::size_t k_clipboard_head_max = 2 + 3 + 16 + 1;
}  // namespace

// A string longer than string_cap comes out, once it ends, as one unknown event of its
// first string_cap bytes; the rest of it is skipped, neither held nor decoded as typed keys.
// An OSC 52 clipboard reply is not a string past its head: at its second `;` it goes to
// clipboard mode (clipboard.cpp), which delivers it in parts, whole.
// It reaches the cap at the same byte however the input is split, and a hand-over
// (take_pending) passes on exactly those string_cap bytes, so a fresh decoder reaches the
// same state.
const u8* Decoder::Impl::scan_string(const u8* p, const u8* end, bool final)
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
        if (b == ';' && string.size() + static_cast<std::size_t>(s + 1 - from) <= k_clipboard_head_max) [[unlikely]] {
            append_string(from, s + 1);
            from = s + 1;
            if (enter_clipboard()) {
                return s + 1;  // an OSC 52 reply: clipboard.cpp's from here
            }
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

void Decoder::Impl::append_string(const u8* from, const u8* to)
{
    if (string_overlong) {
        return;
    }
    string.append(reinterpret_cast<const char*>(from), static_cast<std::size_t>(to - from));
}

// A complete string whose terminator is the last `term_len` bytes of `string`.
void Decoder::Impl::finish_string(std::size_t term_len)
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

}  // namespace vtinput
