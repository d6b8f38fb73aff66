// Hostile input: the bad-input catalogue of the "Hardening" issue. Every row is a byte stream
// no well-behaved terminal sends (over-long and overflowing parameters, misplaced
// intermediates, unterminated strings and pastes past their caps, every class of invalid
// UTF-8, broken mouse reports, NUL, raw C1 bytes, DEL and random binary), with the exact events
// the README's Decoder policies give for it.
//
// Every row goes through check_row, that is the tests' shared decoding checker
// (tests/support/decoding.hpp), which asserts, beyond the exact events in order:
//   - split invariance: the same events whole, byte by byte, at every single cut (short
//     inputs), at random cuts, and handed over to a fresh decoder with take_pending();
//   - bounded memory: pending_bytes() within the caps of the row's options after every feed,
//     and nothing held (no deadline) after finish();
//   - accounting: the raw bytes carried by events (unknown bytes, paste and report text)
//     never exceed the input; where the README says bytes come out as unknown the rows list
//     those exact bytes;
//   - resynchronisation: after the row's input and finish(), "ESC [ A z" decodes as it does
//     in a fresh decoder. Most rows also end with a sentinel of their own, decoded in the same
//     feed;
//   - the same events with the decoder's fast paths on and off, for all of the above.
// The rows use small caps (string_cap, paste_cap) so that the bound means something and the
// suite stays fast; a few use the default caps. Time only enters as explicit time points: the
// timeout tests at the end pass `now` by hand and never read a clock or sleep.
#include "vtinput/decoder.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vtinput/event.hpp"

#include "support/decoding.hpp"
#include "support/doctest_checks.hpp"
#include "support/events.hpp"

using namespace std::literals;
using namespace vtinput;
using namespace vtinput::test;

namespace {

// The sentinel appended after a hostile input: it must still decode as Up.
const std::string k_up = "\x1b[A";

struct Row {
    std::string name;
    std::string in;
    std::vector<Event> want;
    DecoderOptions options = caps(256, 64, 16);
};

// Every property of the shared checker, the exact events included, with the fast paths on and
// off.
void check_row(const Row& r)
{
    INFO(r.name);
    check_decoding(r.in, r.options, {}, &r.want);
}

void check_rows(const std::vector<Row>& rows)
{
    for (const Row& r : rows) {
        check_row(r);
    }
}

}  // namespace

// ---- CSI and SS3: parameter floods, overflow, empty and negative-looking parameters,
// sub-parameter floods, intermediates in odd places ----

TEST_SUITE("hostile")
{
    TEST_CASE("CSI and SS3 parameter floods come out as one unknown event of csi_cap bytes")
    {
        const DecoderOptions o = caps(256, 64, 16);           // the default csi_cap
        const std::string params = repeat("1;", 9999) + "1";  // 10,000 parameters
        const std::string csi = "\x1b[" + params + "A";
        const std::string c1_csi = "\x9b" + params + "A";
        const std::string ss3 = "\x1bO" + params + "A";
        const std::string kitty_code = "\x1b[97" + repeat(":1", 5000) + "u";
        const std::string kitty_mods = "\x1b[97;1" + repeat(":1", 5000) + "u";
        const std::string kitty_text = "\x1b[97;;" + repeat("104:", 3000) + "105u";
        const std::string intermediates = "\x1b[1;2" + std::string(5000, '$') + "A";
        const std::string privates = "\x1b[" + std::string(5000, '?') + "c";
        check_rows({
            {"CSI with 10,000 parameters", csi + k_up, {unknown(csi.substr(0, 256)), up()}, o},
            {"8-bit CSI with 10,000 parameters", c1_csi + k_up, {unknown(c1_csi.substr(0, 256)), up()}, o},
            // Alt cannot prefix something that is not a key: the ESC is an Escape of its own.
            {"Alt + CSI with 10,000 parameters",
             "\x1b" + csi + k_up,
             {key(Key::escape), unknown(csi.substr(0, 256)), up()},
             o},
            {"SS3 with 10,000 parameters", ss3 + k_up, {unknown(ss3.substr(0, 256)), up()}, o},
            {"kitty key code with 5,000 sub-parameters",
             kitty_code + "z",
             {unknown(kitty_code.substr(0, 256)), ch(U'z')},
             o},
            {"kitty modifiers with 5,000 sub-parameters",
             kitty_mods + "z",
             {unknown(kitty_mods.substr(0, 256)), ch(U'z')},
             o},
            {"kitty text with 3,001 code points", kitty_text + "z", {unknown(kitty_text.substr(0, 256)), ch(U'z')}, o},
            {"5,000 intermediate bytes", intermediates + "z", {unknown(intermediates.substr(0, 256)), ch(U'z')}, o},
            {"5,000 private-marker bytes", privates + "z", {unknown(privates.substr(0, 256)), ch(U'z')}, o},
            // A flood cut off at the end of input: the first cap bytes only, nothing typed.
            {"unterminated 10,000 parameters at the end of input", "\x1b[" + params, {unknown(csi.substr(0, 256))}, o},
            // And cut by a byte that cannot be inside a CSI: that byte is decoded on its own.
            {"10,000 parameters cut by a control byte",
             "\x1b[" + params + "\x01",
             {unknown(csi.substr(0, 256)), key(char_key(U'a'), Mod::ctrl)},
             o},
        });
    }

    TEST_CASE("a CSI of exactly csi_cap bytes is decoded; one byte more is unknown")
    {
        const DecoderOptions o = caps(256, 64, 16);
        // Leading zeros are digits like any other: 252 of them and a 1 make the parameter 1.
        const std::string at_cap = "\x1b[" + std::string(252, '0') + "1A";
        const std::string past_cap = "\x1b[" + std::string(253, '0') + "1A";
        REQUIRE(at_cap.size() == o.csi_cap);
        check_rows({
            {"256-byte CSI", at_cap + "z", {up(), ch(U'z')}, o},
            {"257-byte CSI", past_cap + "z", {unknown(past_cap.substr(0, 256)), ch(U'z')}, o},
            {"257-byte SS3",
             "\x1bO" + std::string(254, '0') + "5A" + "z",
             {unknown("\x1bO" + std::string(254, '0')), ch(U'z')},
             o},
        });
    }

    TEST_CASE("parameters that overflow are clamped, never wrapped into a valid key")
    {
        // Each value below wraps, modulo 2^32 or 2^64, to one that would make a valid key
        // (1, 5, 97 'a', 2 Insert); clamped, each makes the sequence meaningless.
        check_rows({
            {"CSI 2^32+1 A", "\x1b[4294967297A" + k_up, {unknown("\x1b[4294967297A"), up()}},
            {"CSI 1 ; 2^64+5 A",
             "\x1b[1;18446744073709551621A"
             "z",
             {unknown("\x1b[1;18446744073709551621A"), ch(U'z')}},
            {"kitty CSI 2^64+97 u",
             "\x1b[18446744073709551713u"
             "z",
             {unknown("\x1b[18446744073709551713u"), ch(U'z')}},
            {"kitty CSI 97 ; 2^32+5 u",
             "\x1b[97;4294967301u"
             "z",
             {unknown("\x1b[97;4294967301u"), ch(U'z')}},
            {"CSI 2^32+2 ~",
             "\x1b[4294967298~"
             "z",
             {unknown("\x1b[4294967298~"), ch(U'z')}},
            {"modifyOtherKeys with an overflowing key",
             "\x1b[27;5;4294967393~"
             "z",
             {unknown("\x1b[27;5;4294967393~"), ch(U'z')}},
            {"SS3 with an overflowing modifier",
             "\x1bO4294967301A"
             "z",
             {unknown("\x1bO4294967301A"), ch(U'z')}},
            // Leading zeros are not an overflow.
            {"CSI 0...01 ; 5 A",
             "\x1b[0000000000000000000001;5A"
             "z",
             {key(Key::up, Mod::ctrl), ch(U'z')}},
        });
    }

    TEST_CASE("empty and negative-looking parameters")
    {
        check_rows({
            // An empty parameter is the default (1 for the key number); three parameters are
            // more than a cursor key has.
            {"CSI ;;5 A", "\x1b[;;5A" + k_up, {unknown("\x1b[;;5A"), up()}},
            {"CSI 1;;5 A", "\x1b[1;;5A" + k_up, {unknown("\x1b[1;;5A"), up()}},
            {"CSI ;5 A is Ctrl+Up (empty first parameter = 1)", "\x1b[;5A" + k_up, {key(Key::up, Mod::ctrl), up()}},
            // '-' is an intermediate byte, and a parameter byte after an intermediate is
            // malformed: the sequence runs to its final byte and is one unknown event.
            {"CSI -1 A", "\x1b[-1A" + k_up, {unknown("\x1b[-1A"), up()}},
            {"CSI 1 ; -5 A", "\x1b[1;-5A" + k_up, {unknown("\x1b[1;-5A"), up()}},
            {"kitty CSI -97 u",
             "\x1b[-97u"
             "z",
             {unknown("\x1b[-97u"), ch(U'z')}},
            {"CSI 1 ; 5 - A",
             "\x1b[1;5-A"
             "z",
             {unknown("\x1b[1;5-A"), ch(U'z')}},
        });
    }

    TEST_CASE("intermediate bytes in odd places")
    {
        check_rows({
            // rxvt's `CSI n $` is Shift+key and is complete at `$` (a key must not wait for
            // the next byte), so what follows it is decoded on its own.
            {"CSI 1 $ 2 A (rxvt Shift+Home, then 2 and A)",
             "\x1b[1$2A" + k_up,
             {key(Key::home, Mod::shift), ch(U'2'), ch(U'A'), up()}},
            {"CSI 1 ; 2 $ 3 A", "\x1b[1;2$3A" + k_up, {unknown("\x1b[1;2$3A"), up()}},
            {"CSI ! p", "\x1b[!p" + k_up, {unknown("\x1b[!p"), up()}},
            {"CSI 1 ! 2 p",
             "\x1b[1!2p"
             "z",
             {unknown("\x1b[1!2p"), ch(U'z')}},
            {"CSI ? 1 $ 2 y",
             "\x1b[?1$2y"
             "z",
             {unknown("\x1b[?1$2y"), ch(U'z')}},
            {"CSI $ $ A",
             "\x1b[$$A"
             "z",
             {unknown("\x1b[$$A"), ch(U'z')}},
            {"CSI 1 ; 2 $ 3 ; 4 $ A",
             "\x1b[1;2$3;4$A"
             "z",
             {unknown("\x1b[1;2$3;4$A"), ch(U'z')}},
            {"CSI ! < 1 p",
             "\x1b[!<1p"
             "z",
             {unknown("\x1b[!<1p"), ch(U'z')}},
            {"a prefix byte out of place: CSI 1 < 2 A",
             "\x1b[1<2A"
             "z",
             {unknown("\x1b[1<2A"), ch(U'z')}},
            {"a prefix byte out of place: CSI 1 ? u",
             "\x1b[1?u"
             "z",
             {unknown("\x1b[1?u"), ch(U'z')}},
            // A malformed parameter before `$` is not rxvt's lone parameter: `$` is an
            // intermediate and the sequence runs to its final byte.
            {"CSI 1 < 1 $ A",
             "\x1b[1<1$A"
             "z",
             {unknown("\x1b[1<1$A"), ch(U'z')}},
            {"CSI 5 ? $ ~",
             "\x1b[5?$~"
             "z",
             {unknown("\x1b[5?$~"), ch(U'z')}},
            // A byte that cannot be inside a CSI at all (C0, DEL, >= 0x80) cuts it short: the
            // sequence so far is unknown and that byte is decoded on its own.
            {"intermediate cut by a control byte",
             "\x1b[1;2$\x01"
             "z",
             {unknown("\x1b[1;2$"), key(char_key(U'a'), Mod::ctrl), ch(U'z')}},
            {"intermediate cut by UTF-8",
             "\x1b[!\xc3\xa9"
             "z",
             {unknown("\x1b[!"), ch(U'\u00e9'), ch(U'z')}},
            {"ignored parameter bytes cut by DEL",
             "\x1b[!1;2\x7f"
             "z",
             {unknown("\x1b[!1;2"), key(Key::backspace), ch(U'z')}},
        });
    }
}

// ---- OSC / DCS / APC strings: unterminated, past the cap, both forms of ST, BEL ----

TEST_SUITE("hostile")
{
    TEST_CASE("unterminated strings within the cap: unknown, exactly their bytes")
    {
        const DecoderOptions o = caps(16, 64, 16);
        check_rows({
            {"OSC cut by the end of input", "\x1b]11;rgb:0000/00", {unknown("\x1b]11;rgb:0000/00")}, o},
            {"OSC aborted by the next sequence",
             "\x1b]11;rgb:0000/00" + k_up,
             {unknown("\x1b]11;rgb:0000/00"), up()},
             o},
            {"DCS aborted by the next sequence", "\x1bP>|XTerm(3" + k_up, {unknown("\x1bP>|XTerm(3"), up()}, o},
            {"APC aborted by the next sequence", "\x1b_Gi=1;" + k_up, {unknown("\x1b_Gi=1;"), up()}, o},
            {"8-bit DCS aborted by the next sequence",
             "\x90"
             "1$r0m" +
                 k_up,
             {unknown("\x90"
                      "1$r0m"),
              up()},
             o},
            {"8-bit OSC cut by the end of input",
             "\x9d"
             "0;title",
             {unknown("\x9d"
                      "0;title")},
             o},
            // An ESC at the very end may start ST; when the input ends it stays with the string.
            {"OSC ending in a lone ESC", "\x1b]0;t\x1b", {unknown("\x1b]0;t\x1b")}, o},
            // A string introducer inside a string aborts it and starts a string of its own.
            {"OSC aborted by a DCS", "\x1b]0;a\x1bPb" + k_up, {unknown("\x1b]0;a"), unknown("\x1bPb"), up()}, o},
            // ESC ESC inside a string: the first aborts it; the second prefixes the Up after it
            // (ESC ESC [ A is Alt+Up).
            {"OSC aborted by ESC ESC", "\x1b]0;a\x1b" + k_up, {unknown("\x1b]0;a"), key(Key::up, Mod::alt)}, o},
        });
    }

    TEST_CASE("terminated strings: BEL, 7-bit ST, 8-bit ST, and bytes that are body")
    {
        const DecoderOptions o = caps(16, 64, 16);
        check_rows({
            {"BEL-terminated OSC",
             "\x1b]11;rgb:1/2/3\x07"
             "z",
             {report(ReportKind::osc, "11;rgb:1/2/3"), ch(U'z')},
             o},
            {"7-bit ST OSC",
             "\x1b]11;rgb:1/2/3\x1b\\"
             "z",
             {report(ReportKind::osc, "11;rgb:1/2/3"), ch(U'z')},
             o},
            {"8-bit OSC, 8-bit ST",
             "\x9d"
             "0;t\x9c"
             "z",
             {report(ReportKind::osc, "0;t"), ch(U'z')},
             o},
            {"8-bit OSC, 7-bit ST",
             "\x9d"
             "0;t\x1b\\"
             "z",
             {report(ReportKind::osc, "0;t"), ch(U'z')},
             o},
            {"8-bit DCS, 8-bit ST",
             "\x90"
             ">|foot\x9c"
             "z",
             {report(ReportKind::xtversion, "foot"), ch(U'z')},
             o},
            {"7-bit APC, 7-bit ST",
             "\x1b_Gi=1;OK\x1b\\"
             "z",
             {report(ReportKind::apc, "Gi=1;OK"), ch(U'z')},
             o},
            // 0x9c ends only a string that an 8-bit introducer opened: in a 7-bit string it is
            // body (a UTF-8 continuation byte, as in U+271C).
            {"0x9c inside a 7-bit OSC is body",
             "\x1b]2;\xe2\x9c\x9c\x9c\x07"
             "z",
             {report(ReportKind::osc, "2;\xe2\x9c\x9c\x9c"), ch(U'z')},
             o},
            {"NUL, DEL and C0 inside an OSC are body",
             "\x1b]0;a\x00"
             "b\x7f\x01\x07z"s,
             {report(ReportKind::osc, "0;a\x00"
                                      "b\x7f\x01"s),
              ch(U'z')},
             o},
            {"empty DCS",
             "\x1bP\x1b\\"
             "z",
             {report(ReportKind::dcs, ""), ch(U'z')},
             o},
        });
    }

    TEST_CASE("strings past string_cap: one unknown event of the first string_cap bytes")
    {
        const DecoderOptions o = caps(16, 64, 16);
        const std::string q(300, 'Q');
        // OSC 777 (urxvt's notifications): a string vtinput has no reply for. (OSC 52 is not
        // a string past its head: see the clipboard cases.)
        const std::string osc = "\x1b]777;" + q;
        const std::string osc8 = "\x9d"
                                 "777;" +
                                 q;
        const std::string dcs = "\x1bP1+r" + q;
        const std::string dcs8 = "\x90"
                                 "1+r" +
                                 q;
        const std::string apc = "\x1b_G" + q;
        check_rows({
            {"OSC, BEL",
             osc + "\x07"
                   "z",
             {unknown(osc.substr(0, 64)), ch(U'z')},
             o},
            {"OSC, 7-bit ST",
             osc + "\x1b\\"
                   "z",
             {unknown(osc.substr(0, 64)), ch(U'z')},
             o},
            {"8-bit OSC, 8-bit ST",
             osc8 + "\x9c"
                    "z",
             {unknown(osc8.substr(0, 64)), ch(U'z')},
             o},
            {"8-bit OSC, 7-bit ST",
             osc8 + "\x1b\\"
                    "z",
             {unknown(osc8.substr(0, 64)), ch(U'z')},
             o},
            {"DCS, 7-bit ST",
             dcs + "\x1b\\"
                   "z",
             {unknown(dcs.substr(0, 64)), ch(U'z')},
             o},
            {"8-bit DCS, 8-bit ST",
             dcs8 + "\x9c"
                    "z",
             {unknown(dcs8.substr(0, 64)), ch(U'z')},
             o},
            {"APC, 7-bit ST",
             apc + "\x1b\\"
                   "z",
             {unknown(apc.substr(0, 64)), ch(U'z')},
             o},
            {"APC, BEL",
             apc + "\x07"
                   "z",
             {unknown(apc.substr(0, 64)), ch(U'z')},
             o},
            {"OSC aborted by the next sequence", osc + k_up, {unknown(osc.substr(0, 64)), up()}, o},
            {"OSC cut by the end of input", osc, {unknown(osc.substr(0, 64))}, o},
            // The tail is discarded up to the terminator, a trailing ESC that might have
            // started ST included.
            {"OSC past the cap ending in a lone ESC", osc + "\x1b", {unknown(osc.substr(0, 64))}, o},
            {"0x9c in a 7-bit string past the cap is still body",
             osc + "\x9c" + q +
                 "\x1b\\"
                 "z",
             {unknown(osc.substr(0, 64)), ch(U'z')},
             o},
        });
    }

    TEST_CASE("a 100 KiB OSC 52 reply past string_cap: every byte, decoded, in parts")
    {
        DecoderOptions o = caps(16, DecoderOptions{}.string_cap, 16);
        REQUIRE(o.string_cap == 65536);
        std::string data;
        for (std::size_t i = 0; i < 100 * 1024; ++i) {
            data += static_cast<char>((i * 7 + i / 64) & 0xff);
        }
        const std::string osc = "\x1b]52;c;" + base64(data);
        REQUIRE(osc.size() > 2 * o.string_cap);
        using test::operator+;
        check_rows({
            {"OSC 52, 100 KiB, BEL", osc + "\x07" + k_up, clipboard_parts("c", data, 16) + std::vector<Event>{up()}, o},
            {"OSC 52, 100 KiB, ST", osc + "\x1b\\" + k_up, clipboard_parts("c", data, 16) + std::vector<Event>{up()},
             o},
            {"OSC 52, 100 KiB, aborted by the next sequence", osc + k_up,
             clipboard_parts("c", data, 16) + std::vector<Event>{up()}, o},
            {"OSC 52, 100 KiB, cut by the end of input", osc, clipboard_parts("c", data, 16), o},
        });
    }
}

// ---- bracketed paste: past the cap, nested markers, the end marker split anywhere ----

TEST_SUITE("hostile")
{
    TEST_CASE("unterminated and over-long pastes: parts with continued, nothing lost")
    {
        const DecoderOptions o = caps(16, 16, 16);
        std::string body;
        for (int i = 0; i < 100; ++i) {
            body += "ab\x1b[\r\n\x00\xff\x7f\x9c\x1b\x90"s[static_cast<std::size_t>(i % 12)];
        }
        REQUIRE(body.find("\x1b[201~") == std::string::npos);
        const std::string nested = repeat("\x1b[200~", 1000) + "x";
        check_rows({
            {"unterminated, cut by the end of input", "\x1b[200~" + body, paste_parts(body, 16), o},
            {"unterminated, ending inside a possible end marker", "\x1b[200~" + body + "\x1b[20",
             paste_parts(body + "\x1b[20", 16), o},
            // A part is sent the moment it fills, so a body of whole parts ends with an empty one.
            {"unterminated, a whole number of parts",
             "\x1b[200~" + body.substr(0, 32),
             {paste(body.substr(0, 16), true), paste(body.substr(16, 16), true), paste("")},
             o},
            {"terminated, then a key", "\x1b[200~" + body + "\x1b[201~" + k_up,
             paste_parts(body, 16) + std::vector<Event>{up()}, o},
            {"1,000 nested ESC[200~ are content", "\x1b[200~" + nested + "\x1b[201~" + k_up,
             paste_parts(nested, 16) + std::vector<Event>{up()}, o},
            {"near misses of the end marker are content", "\x1b[200~\x1b[201\x1b[20~\x1b[2015~\x1b[201;~\x1b[201~z",
             paste_parts("\x1b[201\x1b[20~\x1b[2015~\x1b[201;~", 16) + std::vector<Event>{ch(U'z')}, o},
        });
        // The total delivered equals the body, however long the paste.
        const std::string long_body = repeat(body, 700);  // 70,000 bytes
        const Decoded d = decode_whole("\x1b[200~" + long_body + "\x1b[201~", o);
        std::string joined;
        bool parts_ok = true;
        for (std::size_t i = 0; i < d.events.size(); ++i) {
            const auto* part = std::get_if<PasteEvent>(&d.events[i]);
            REQUIRE(part != nullptr);
            parts_ok = parts_ok && part->text.size() <= o.paste_cap && part->continued == (i + 1 < d.events.size());
            joined += part->text;
        }
        CHECK(parts_ok);
        CHECK(d.events.size() == long_body.size() / 16 + 1);
        CHECK(joined == long_body);
        CHECK(d.most_pending <= pending_bound(o));
    }

    TEST_CASE("a paste end marker split across feeds at every position")
    {
        // Bodies of one byte less than, exactly and one byte more than paste_cap put the end
        // marker just before, at and after a part boundary.
        const DecoderOptions o = caps(16, 16, 16);
        for (std::size_t n : {15u, 16u, 17u}) {
            const std::string body = std::string("0123456789abcdefghij").substr(0, n);
            const std::string input = "\x1b[200~" + body +
                                      "\x1b[201~"
                                      "z";
            const std::vector<Event> want = paste_parts(body, 16) + std::vector<Event>{ch(U'z')};
            INFO("body of " << n << " bytes");
            CHECK(decode_whole(input, o).events == want);
            // Every pair of cuts, so the marker is also split in three.
            bool agree = true;
            for (std::size_t i = 1; i < input.size(); ++i) {
                for (std::size_t j = i; j < input.size(); ++j) {
                    const Decoded d = decode_pieces(input, {i, j}, o);
                    agree = agree && d.events == want && d.most_pending <= pending_bound(o);
                }
            }
            CHECK(agree);
        }
    }
}

// ---- invalid UTF-8: every class, one unknown event of exactly its bytes ----

TEST_SUITE("hostile")
{
    TEST_CASE("every class of invalid UTF-8")
    {
        const DecoderOptions o = caps(16, 16, 16);
        std::vector<Row> rows = {
            {"stray continuation bytes", "\x80\xbf" + k_up, {unknown("\x80"), unknown("\xbf"), up()}, o},
            {"a stray continuation between letters",
             "a\x80"
             "b",
             {ch(U'a'), unknown("\x80"), ch(U'b')},
             o},
            {"1,000 stray continuation bytes, one event each", std::string(1000, '\x80') + k_up,
             std::vector<Event>(1000, unknown("\x80")) + std::vector<Event>{up()}, o},
            {"overlong C0 80", "\xc0\x80" + k_up, {unknown("\xc0\x80"), up()}, o},
            {"overlong C1 BF",
             "\xc1\xbf"
             "z",
             {unknown("\xc1\xbf"), ch(U'z')},
             o},
            {"overlong E0 80 80", "\xe0\x80\x80" + k_up, {unknown("\xe0\x80\x80"), up()}, o},
            {"overlong E0 9F BF",
             "\xe0\x9f\xbf"
             "z",
             {unknown("\xe0\x9f\xbf"), ch(U'z')},
             o},
            {"overlong F0 80 80 80", "\xf0\x80\x80\x80" + k_up, {unknown("\xf0\x80\x80\x80"), up()}, o},
            {"overlong F0 8F BF BF",
             "\xf0\x8f\xbf\xbf"
             "z",
             {unknown("\xf0\x8f\xbf\xbf"), ch(U'z')},
             o},
            {"surrogate ED A0 80", "\xed\xa0\x80" + k_up, {unknown("\xed\xa0\x80"), up()}, o},
            {"surrogate ED BF BF",
             "\xed\xbf\xbf"
             "z",
             {unknown("\xed\xbf\xbf"), ch(U'z')},
             o},
            {"a surrogate pair in CESU-8",
             "\xed\xa0\xbd\xed\xb8\x80"
             "z",
             {unknown("\xed\xa0\xbd"), unknown("\xed\xb8\x80"), ch(U'z')},
             o},
            // The 0x90 and 0x9b below are continuation bytes of the broken character, never
            // the DCS or CSI introducers that would swallow what follows.
            {"past U+10FFFF: F4 90 80 80",
             "\xf4\x90\x80\x80"
             "z",
             {unknown("\xf4\x90\x80\x80"), ch(U'z')},
             o},
            {"past U+10FFFF: F4 9B 80 80",
             "\xf4\x9b\x80\x80"
             "z",
             {unknown("\xf4\x9b\x80\x80"), ch(U'z')},
             o},
            {"truncated at the end: C3", "\xc3", {unknown("\xc3")}, o},
            {"truncated at the end: E2 82", "\xe2\x82", {unknown("\xe2\x82")}, o},
            {"truncated at the end: F0 9F 98", "\xf0\x9f\x98", {unknown("\xf0\x9f\x98")}, o},
            {"truncated and invalid at the end: F4 90", "\xf4\x90", {unknown("\xf4\x90")}, o},
            {"truncated before an ESC: C3", "\xc3" + k_up, {unknown("\xc3"), up()}, o},
            {"truncated before an ESC: F0 9F 98", "\xf0\x9f\x98" + k_up, {unknown("\xf0\x9f\x98"), up()}, o},
            {"truncated before an ESC: F0 9B", "\xf0\x9b" + k_up, {unknown("\xf0\x9b"), up()}, o},
            {"truncated before a lead byte",
             "\xe2\xe2\x82\xac"
             "z",
             {unknown("\xe2"), ch(U'\u20ac'), ch(U'z')},
             o},
            {"truncated before NUL",
             "\xe2\x82\x00"s + "z",
             {unknown("\xe2\x82"), key(char_key(U' '), Mod::ctrl), ch(U'z')},
             o},
            {"Alt + invalid UTF-8: the ESC is Escape",
             "\x1b\xc0\x80"
             "z",
             {key(Key::escape), unknown("\xc0\x80"), ch(U'z')},
             o},
        };
        // F5..F7 announce four bytes, like F4, but every value they encode is past U+10FFFF.
        for (char lead : {'\xf5', '\xf6', '\xf7'}) {
            const std::string bad = std::string(1, lead) + "\x80\x80\x80";
            rows.push_back({"past U+10FFFF: lead " + hex(bad.substr(0, 1)), bad + k_up, {unknown(bad), up()}, o});
        }
        // F8..FF announce nothing: each is an unknown byte of its own, and so is every
        // continuation byte after it.
        for (int lead = 0xf8; lead <= 0xff; ++lead) {
            const std::string bad = std::string(1, static_cast<char>(lead)) + "\x80\x80";
            rows.push_back({"no such lead: " + hex(bad.substr(0, 1)),
                            bad + k_up,
                            {unknown(bad.substr(0, 1)), unknown("\x80"), unknown("\x80"), up()},
                            o});
        }
        check_rows(rows);
    }
}

// ---- mouse: zero, huge and missing coordinates; X10 reports cut short ----

TEST_SUITE("hostile")
{
    TEST_CASE("SGR mouse reports with zero, huge and missing coordinates")
    {
        using A = MouseAction;
        using B = MouseButton;
        DecoderOptions pixels = caps(256, 16, 16);
        pixels.mouse_pixels = true;
        MouseEvent huge_pixels = std::get<MouseEvent>(mouse(A::press, B::left, 99999998, 4));
        huge_pixels.pixels = true;
        check_rows({
            // Positions are 0-based and never negative: 0 is read as 1.
            {"CSI < 0;0;0 M", "\x1b[<0;0;0M" + k_up, {mouse(A::press, B::left, 0, 0), up()}},
            {"CSI < 0;99999999;5 M", "\x1b[<0;99999999;5M" + k_up, {mouse(A::press, B::left, 99999998, 4), up()}},
            {"CSI < 0;99999999;5 M in pixels", "\x1b[<0;99999999;5M" + k_up, {huge_pixels, up()}, pixels},
            // Past the parser's clamp (about 2^31 / 10): clamped, never wrapped or negative.
            {"CSI < 0;2^64+5;5 M",
             "\x1b[<0;18446744073709551621;5M" + k_up,
             {mouse(A::press, B::left, 214748353, 4), up()}},
            {"CSI < 0;;M", "\x1b[<0;;M" + k_up, {unknown("\x1b[<0;;M"), up()}},
            {"CSI < ;5;5M", "\x1b[<;5;5M" + k_up, {unknown("\x1b[<;5;5M"), up()}},
            {"CSI < M", "\x1b[<M" + k_up, {unknown("\x1b[<M"), up()}},
            {"CSI < 0;5;5;5 M (four parameters)", "\x1b[<0;5;5;5M" + k_up, {unknown("\x1b[<0;5;5;5M"), up()}},
            {"CSI < 256;1;1 M (button out of range)", "\x1b[<256;1;1M" + k_up, {unknown("\x1b[<256;1;1M"), up()}},
            {"CSI < 0:1;5;5 M (sub-parameters)", "\x1b[<0:1;5;5M" + k_up, {unknown("\x1b[<0:1;5;5M"), up()}},
            {"CSI < 0;-5;5 M", "\x1b[<0;-5;5M" + k_up, {unknown("\x1b[<0;-5;5M"), up()}},
            {"CSI < 0;5;5 X (not a mouse final)", "\x1b[<0;5;5X" + k_up, {unknown("\x1b[<0;5;5X"), up()}},
            {"SGR report cut by the end of input", "\x1b[<0;5;", {unknown("\x1b[<0;5;")}},
            {"SGR report cut by a control byte",
             "\x1b[<0;5\r"
             "z",
             {unknown("\x1b[<0;5"), key(Key::enter), ch(U'z')}},
        });
    }

    TEST_CASE("X10 mouse reports cut short")
    {
        using A = MouseAction;
        using B = MouseButton;
        DecoderOptions utf8 = caps(256, 16, 16);
        utf8.mouse_utf8 = true;
        check_rows({
            // What the report read so far is one unknown event (its bytes are coordinates,
            // not keys to type); the byte that cut it short is decoded on its own.
            {"CSI M + 1 byte, then a sequence", "\x1b[M " + k_up, {unknown("\x1b[M "), up()}},
            {"CSI M + 2 bytes, then a sequence", "\x1b[M !" + k_up, {unknown("\x1b[M !"), up()}},
            {"CSI M + 2 bytes, then Enter",
             "\x1b[M !\r"
             "z",
             {unknown("\x1b[M !"), key(Key::enter), ch(U'z')}},
            // CSI M then a control byte, or nothing, is not a report: st's Ctrl+Delete.
            {"CSI M, then NUL",
             "\x1b[M\x00"s + "z",
             {key(Key::del, Mod::ctrl), key(char_key(U' '), Mod::ctrl), ch(U'z')}},
            {"CSI M + 1 byte, then finish", "\x1b[M ", {unknown("\x1b[M ")}},
            {"CSI M + 2 bytes, then finish", "\x1b[M !", {unknown("\x1b[M !")}},
            {"CSI M, then finish", "\x1b[M", {key(Key::del, Mod::ctrl)}},
            // Any byte from 32 up completes a report: a printable key after two bytes is its
            // row ('z' - 33 = 89).
            {"CSI M + 2 bytes, then a printable key", "\x1b[M !z", {mouse(A::press, B::left, 0, 89)}},
            {"8-bit CSI M + 1 byte, then a sequence", "\x9bM " + k_up, {unknown("\x9bM "), up()}},
            // Mode 1005: a lead byte not followed by a continuation byte cuts the report; the
            // lead is then invalid UTF-8 of its own.
            {"1005: CSI M + a lead byte, then finish", "\x1b[M \xc4", {unknown("\x1b[M \xc4")}, utf8},
            {"1005: CSI M + a lead byte, then a sequence",
             "\x1b[M \xc4" + k_up,
             {unknown("\x1b[M "), unknown("\xc4"), up()},
             utf8},
            {"1005: CSI M + 1 byte, then a sequence", "\x1b[M " + k_up, {unknown("\x1b[M "), up()}, utf8},
        });
    }
}

// ---- NUL, C1 bytes inside text, DEL, ESC floods ----

TEST_SUITE("hostile")
{
    TEST_CASE("NUL, DEL and ESC floods")
    {
        const DecoderOptions o = caps(32, 16, 16);
        const Event ctrl_space = key(char_key(U' '), Mod::ctrl);
        check_rows({
            {"1,000 NULs", std::string(1000, '\0') + k_up,
             std::vector<Event>(1000, ctrl_space) + std::vector<Event>{up()}, o},
            {"NUL cuts a CSI short", "\x1b[1;\x00"s + "5A", {unknown("\x1b[1;"), ctrl_space, ch(U'5'), ch(U'A')}, o},
            {"1,000 DELs", std::string(1000, '\x7f') + k_up,
             std::vector<Event>(1000, key(Key::backspace)) + std::vector<Event>{up()}, o},
            {"DEL cuts a CSI short",
             "\x1b[1\x7f"
             "z",
             {unknown("\x1b[1"), key(Key::backspace), ch(U'z')},
             o},
            {"DEL cuts an SS3 short",
             "\x1bO1\x7f"
             "z",
             {unknown("\x1bO1"), key(Key::backspace), ch(U'z')},
             o},
            // ESC ESC ESC: Alt cannot be added twice, so the first is an Escape of its own; the
            // last two, then nothing, are Alt+Escape.
            {"10,000 ESCs", std::string(10000, '\x1b'),
             std::vector<Event>(9998, key(Key::escape)) + std::vector<Event>{key(Key::escape, Mod::alt)}, o},
            {"10,000 ESCs then z", std::string(10000, '\x1b') + "z",
             std::vector<Event>(9999, key(Key::escape)) + std::vector<Event>{key(char_key(U'z'), Mod::alt)}, o},
        });
    }

    TEST_CASE("C1 bytes inside text")
    {
        const DecoderOptions o = caps(32, 16, 16);
        std::vector<Row> rows;
        // Each of 0x80..0x9f alone before a sequence: an unknown byte. The introducers among
        // them (0x8f SS3, 0x90 DCS, 0x9b CSI, 0x9d OSC) are cut short by the ESC.
        for (int c = 0x80; c <= 0x9f; ++c) {
            const std::string b(1, static_cast<char>(c));
            rows.push_back({"C1 " + hex(b) + " alone", b + k_up, {unknown(b), up()}, o});
        }
        // Inside text, the introducers take what follows as their sequence, as the README
        // documents for 8-bit C1 outside UTF-8.
        rows.push_back({"plain C1 bytes between letters",
                        "a\x85"
                        "b\x9f"
                        "c\x9c"
                        "d",
                        {ch(U'a'), unknown("\x85"), ch(U'b'), unknown("\x9f"), ch(U'c'), unknown("\x9c"), ch(U'd')},
                        o});
        rows.push_back({"8-bit CSI inside text",
                        "x\x9b"
                        "5~y",
                        {ch(U'x'), key(Key::page_up), ch(U'y')},
                        o});
        rows.push_back({"8-bit CSI + a letter inside text", "x\x9bzy", {ch(U'x'), unknown("\x9bz"), ch(U'y')}, o});
        rows.push_back({"8-bit SS3 inside text",
                        "x\x8f"
                        "x",
                        {ch(U'x'), key(Key::kp_8)},
                        o});
        rows.push_back({"8-bit DCS inside text, ended by 8-bit ST",
                        "x\x90"
                        "bc\x9cy",
                        {ch(U'x'), report(ReportKind::dcs, "bc"), ch(U'y')},
                        o});
        rows.push_back({"8-bit OSC inside text, never ended",
                        "x\x9d"
                        "abc",
                        {ch(U'x'), unknown("\x9d"
                                           "abc")},
                        o});
        check_rows(rows);
    }
}

// ---- random binary ----

TEST_SUITE("hostile")
{
    TEST_CASE("1 MiB of random binary: no crash, bounded, split-invariant, resynchronised")
    {
        DecoderOptions mouse_opts = caps(64, 256, 512);
        mouse_opts.mouse_utf8 = true;
        mouse_opts.mouse_pixels = true;
        struct Config {
            DecoderOptions options;
            std::size_t size;
        };
        // The mebibyte with caps near the defaults; a quarter of it with tiny caps, which are
        // reached far more often, and with the mouse options.
        for (const Config& config :
             {Config{caps(256, 1024, 1024), 1 << 20}, Config{caps(8, 32, 8), 1 << 18}, Config{mouse_opts, 1 << 18}}) {
            const DecoderOptions& o = config.options;
            const std::size_t size = config.size;
            INFO("csi_cap " << o.csi_cap << ", string_cap " << o.string_cap << ", paste_cap " << o.paste_cap);
            std::mt19937 rng(0x5eed);
            std::string garbage(size, '\0');
            for (char& c : garbage) {
                c = static_cast<char>(rng() & 0xff);
            }
            const std::size_t bound = pending_bound(o);
            const Decoded whole = decode_whole(garbage, o);
            CHECK(whole.most_pending <= bound);
            CHECK(whole.clean_after_finish);
            CHECK(raw_bytes(whole.events) <= garbage.size());
            CHECK(whole.events.size() > size / 4);

            // The same bytes in chunks of 1..4096, pending checked after every feed; then,
            // after the garbage and a finish, the sentinel decodes.
            Decoder d(o);
            std::vector<Event> chunked;
            std::size_t most = 0;
            for (std::size_t at = 0; at < garbage.size();) {
                std::size_t n = std::min<std::size_t>(1 + rng() % 4096, garbage.size() - at);
                d.feed(std::string_view(garbage).substr(at, n), t0, chunked);
                most = std::max(most, d.pending_bytes());
                at += n;
            }
            d.finish(chunked);
            CHECK(first_difference(chunked, whole.events) == "");
            CHECK(most <= bound);
            std::vector<Event> after;
            d.feed(k_up + "z", t0 + 1s, after);
            d.finish(after);
            CHECK(after == std::vector<Event>{up(), ch(U'z')});

            // Byte by byte, on the first 128 KiB (a million feeds would only add run time).
            const std::string_view head = std::string_view(garbage).substr(0, 1 << 17);
            const Decoded bytewise = decode_bytewise(head, o);
            CHECK(first_difference(bytewise.events, decode_whole(head, o).events) == "");
            CHECK(bytewise.most_pending <= bound);
        }
    }

    TEST_CASE("random binary rich in ESC, C1 and sequence bytes")
    {
        // Uniform random bytes rarely form sequences; these draw from the bytes that open,
        // continue and end them, so every mode and cap is reached many times.
        static constexpr std::string_view alphabet =
            "\x1b\x1b\x1b[[]]PO_\\\x07\x9b\x9c\x90\x9d\x8f;:<?$!~uMA0123456789\xc3\xe2\x80\xbf\xf4\x00"sv;
        for (std::uint32_t seed : {1u, 2u, 3u}) {
            INFO("seed " << seed);
            std::mt19937 rng(seed);
            std::string garbage(1 << 15, '\0');
            for (char& c : garbage) {
                c = alphabet[rng() % alphabet.size()];
            }
            for (const DecoderOptions& o : {caps(256, 1024, 1024), caps(8, 16, 8)}) {
                const Decoded whole = decode_whole(garbage, o);
                CHECK(whole.most_pending <= pending_bound(o));
                CHECK(whole.clean_after_finish);
                CHECK(raw_bytes(whole.events) <= garbage.size());
                const Decoded bytewise = decode_bytewise(garbage, o);
                CHECK(bytewise.events == whole.events);
                CHECK(bytewise.most_pending <= pending_bound(o));
                bool handover_agrees = true;
                for (int i = 0; i < 8; ++i) {
                    std::size_t cut = 1 + rng() % (garbage.size() - 1);
                    handover_agrees = handover_agrees && decode_handed_over(garbage, {cut}, o).events == whole.events;
                }
                CHECK(handover_agrees);
                Decoder d(o);
                std::vector<Event> out;
                d.feed(garbage, t0, out);
                d.finish(out);
                std::vector<Event> after;
                d.feed(k_up + "z", t0 + 1s, after);
                d.finish(after);
                CHECK(after == std::vector<Event>{up(), ch(U'z')});
            }
        }
    }
}

// ---- timeouts, with explicit time points ----

namespace {

// Feeds `input` at t0, checks that nothing comes out before `wait` has passed and that
// everything does at t0 + wait, then that a sentinel typed later decodes.
void check_resolved_at(std::string_view input, const DecoderOptions& o, std::chrono::milliseconds wait,
                       const std::vector<Event>& want)
{
    INFO("input " << hex(input));
    Decoder d(o);
    std::vector<Event> out;
    d.feed(input, t0, out);
    CHECK(d.pending_bytes() <= pending_bound(o));
    REQUIRE(d.deadline().has_value());
    CHECK(*d.deadline() == t0 + wait);
    std::vector<Event> early;
    d.flush(t0 + wait - 1ns, early);
    CHECK(early.empty());
    d.flush(t0 + wait, out);
    CHECK(json(out) == json(want));
    CHECK(out == want);
    CHECK_FALSE(d.deadline().has_value());
    CHECK(d.pending_bytes() == 0);
    std::vector<Event> after;
    d.feed(k_up + "z", t0 + wait + 1s, after);
    CHECK(after == std::vector<Event>{up(), ch(U'z')});
    CHECK_FALSE(d.deadline().has_value());
}

// Feeds a paste `input` at t0 and checks that a flush delivers `want` exactly at t0 + wait,
// after which nothing is held and no deadline is set, and that what comes next is still paste
// (after `marker`, the part of an end marker the paste paused in, which was not an end marker).
void check_paste_paused_at(std::string_view input, const DecoderOptions& o, std::chrono::milliseconds wait,
                           const std::vector<Event>& want, const std::string& marker = "")
{
    INFO("input " << hex(input));
    Decoder d(o);
    std::vector<Event> out;
    d.feed(input, t0, out);
    REQUIRE(d.deadline().has_value());
    CHECK(*d.deadline() == t0 + wait);
    std::vector<Event> early;
    d.flush(t0 + wait - 1ns, early);
    CHECK(early.empty());
    d.flush(t0 + wait, out);
    CHECK(json(out) == json(want));
    CHECK_FALSE(d.deadline().has_value());
    CHECK(d.pending_bytes() == 0);
    std::vector<Event> after;
    d.feed("z" + k_up, t0 + wait + 1s, after);
    d.finish(after);
    CHECK(after == std::vector<Event>{paste(marker + "z" + k_up)});
}

}  // namespace

TEST_SUITE("hostile")
{
    TEST_CASE("hostile input that waits is resolved by its deadline")
    {
        const DecoderOptions o = caps(32, 64, 16);
        const auto esc = o.esc_timeout;
        const auto stale = o.stale_timeout;
        const std::string q(300, 'Q');
        // A partial character might still be typed by hand: the short ESC timeout.
        check_resolved_at("\xf0\x9f\x98", o, esc, {unknown("\xf0\x9f\x98")});
        check_resolved_at("\xf4\x90", o, esc, {unknown("\xf4\x90")});
        check_resolved_at("\xf5\x80\x80", o, esc, {unknown("\xf5\x80\x80")});
        // Anything known to be a sequence waits the stale timeout.
        check_resolved_at("\x1b]11;rgb:0", o, stale, {unknown("\x1b]11;rgb:0")});
        check_resolved_at("\x1b]11;rgb:0\x1b", o, stale, {unknown("\x1b]11;rgb:0\x1b")});
        check_resolved_at("\x1bP>|XTe", o, stale, {unknown("\x1bP>|XTe")});
        check_resolved_at("\x1b_Gi=1", o, stale, {unknown("\x1b_Gi=1")});
        check_resolved_at("\x90"
                          "1$r",
                          o, stale,
                          {unknown("\x90"
                                   "1$r")});
        check_resolved_at("\x1b]777;" + q, o, stale, {unknown(("\x1b]777;" + q).substr(0, 64))});
        const std::string params = "\x1b[" + repeat("1;", 500);
        check_resolved_at(params, o, stale, {unknown(params.substr(0, 32))});
        check_resolved_at("\x1bO" + std::string(100, '5'), o, stale, {unknown("\x1bO" + std::string(30, '5'))});
        check_resolved_at("\x1b[1;2$3", o, stale, {unknown("\x1b[1;2$3")});
        check_resolved_at("\x1b[!", o, stale, {unknown("\x1b[!")});
        check_resolved_at("\x1b[M !", o, stale, {unknown("\x1b[M !")});
        check_resolved_at("\x1b[<0;99999999;", o, stale, {unknown("\x1b[<0;99999999;")});
        // A paste is never ended by time (paste.cpp): what arrived is delivered as parts with
        // `continued` set, and what follows is still paste.
        std::vector<Event> parts = paste_parts(q, 16);
        std::get<PasteEvent>(parts.back()).continued = true;
        check_paste_paused_at("\x1b[200~" + q, o, stale, parts);
        check_paste_paused_at("\x1b[200~abc\x1b[201", o, stale, {paste("abc", true)}, "\x1b[201");
    }

    TEST_CASE("a string fed slowly never goes stale; after it does, the rest is ordinary input")
    {
        const DecoderOptions o = caps(32, 64, 16);
        Decoder d(o);
        std::vector<Event> out;
        // After its introducer, one byte every 900 ms, with a flush just before each: every
        // byte moves the deadline, so the string survives.
        auto now = t0;
        d.feed("\x1bP>", now, out);
        for (char c : "|XTerm(1)\x1b\\"sv) {
            d.flush(now + 899ms, out);
            CHECK(out.empty());
            now += 900ms;
            d.feed(std::string_view(&c, 1), now, out);
        }
        CHECK(out == std::vector<Event>{report(ReportKind::xtversion, "XTerm(1)")});
        CHECK_FALSE(d.deadline().has_value());

        // An over-long string that goes stale comes out as its first string_cap bytes; bytes
        // that arrive after that are decoded as they are (here a BEL, Ctrl+G).
        out.clear();
        const std::string osc = "\x1b]0;" + std::string(100, 'Q');
        d.feed(osc, now, out);
        CHECK(d.pending_bytes() <= o.string_cap);
        d.flush(now + o.stale_timeout, out);
        CHECK(out == std::vector<Event>{unknown(osc.substr(0, 64))});
        d.feed("q\x07", now + 2s, out);
        CHECK(out == std::vector<Event>{unknown(osc.substr(0, 64)), ch(U'q'), key(char_key(U'g'), Mod::ctrl)});
    }

    TEST_CASE("an over-long paste delivers its parts as they fill, before any deadline")
    {
        const DecoderOptions o = caps(32, 64, 16);
        Decoder d(o);
        std::vector<Event> out;
        const std::string body(100, 'p');
        d.feed("\x1b[200~" + body, t0, out);
        // Six full parts are out at once; the rest waits for the end marker or the deadline.
        CHECK(out == std::vector<Event>(6, paste(std::string(16, 'p'), true)));
        CHECK(d.pending_bytes() == 4);
        REQUIRE(d.deadline().has_value());
        CHECK(*d.deadline() == t0 + o.stale_timeout);
        // The end marker split over three feeds, each within the stale timeout of the last.
        d.feed("\x1b[", t0 + 900ms, out);
        d.flush(t0 + 1800ms, out);
        d.feed("201", t0 + 1800ms, out);
        d.flush(t0 + 2700ms, out);
        d.feed("~z", t0 + 2700ms, out);
        CHECK(out == paste_parts(body, 16) + std::vector<Event>{ch(U'z')});
        CHECK_FALSE(d.deadline().has_value());
    }
}
