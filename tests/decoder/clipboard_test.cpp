// OSC 52 clipboard replies (lib/decode/clipboard.cpp): the forms terminals send, decoded to
// ClipboardEvents in parts, never cut, never typed as keys, whatever the split or the time.
//
// Reply forms, from the terminals' sources:
// - xterm (misc.c, ManipulateSelectionData): `OSC 52 ; SEL ; BASE64` ended like the request
//   (BEL or ST); SEL as the request named it; empty content when the selection is empty.
// - kitty (kitty/clipboard.py, fulfill_legacy_read_request): `OSC 52 ; c|p ; BASE64 ST`,
//   empty content when reading is not allowed.
// - foot, WezTerm, Ghostty: `OSC 52 ; c ; BASE64 ST`.
// - An 8-bit OSC (0x9d) ended by the C1 ST (0x9c), as for every string.
#include <doctest/doctest.h>

#include "decoder/decoder_test.hpp"
#include "support/doctest_checks.hpp"

using namespace std::chrono_literals;

namespace vtinput::test {
namespace {

void check(std::string_view input, const std::vector<Event>& want, const DecoderOptions& o = {})
{
    INFO("input " << hex(input));
    check_decoding(input, Setup(o), {}, &want);
    check_decoding(input, Setup(o, nullptr, false), {}, &want);
}

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("clipboard: the reply forms of xterm, kitty, foot: selection kept, content decoded")
    {
        check("\x1b]52;c;aGVsbG8=\x07", {clipboard("c", "hello")});
        check("\x1b]52;c;aGVsbG8=\x1b\\", {clipboard("c", "hello")});
        check("\x1b]52;p;aGk=\x1b\\z", {clipboard("p", "hi"), ch(U'z')});
        check("\x1b]52;s0;aGk=\x07", {clipboard("s0", "hi")});
        check("\x9d"
              "52;c;aGk=\x9c",
              {clipboard("c", "hi")});
        // An empty selection parameter (xterm reads it as s0), and an empty or refused clipboard.
        check("\x1b]52;;aGk=\x07", {clipboard("", "hi")});
        check("\x1b]52;c;\x1b\\", {clipboard("c", "")});
        check("\x1b]52;c;\x07", {clipboard("c", "")});
        // Every padding form, and none.
        check("\x1b]52;c;YQ==\x07", {clipboard("c", "a")});
        check("\x1b]52;c;YQ\x07", {clipboard("c", "a")});
        check("\x1b]52;c;YWI=\x07", {clipboard("c", "ab")});
        check("\x1b]52;c;YWJj\x07", {clipboard("c", "abc")});
        // Binary content comes out byte for byte.
        check("\x1b]52;c;AP8KGw==\x07", {clipboard("c", std::string("\x00\xff\n\x1b", 4))});
        // Line breaks and other characters outside the alphabet are skipped.
        check("\x1b]52;c;aGVs\r\nbG8=\x07", {clipboard("c", "hello")});
    }

    TEST_CASE("clipboard: only `52;SELECTION;` starts one; other OSC replies stay reports")
    {
        check("\x1b]52;c\x07", {report(ReportKind::osc, "52;c")});
        check("\x1b]52\x07", {report(ReportKind::osc, "52")});
        check("\x1b]521;c;aGk=\x07", {report(ReportKind::osc, "521;c;aGk=")});
        check("\x1b]11;rgb:0000/0000/0000\x07", {report(ReportKind::osc, "11;rgb:0000/0000/0000")});
        check("\x1b]52;C;aGk=\x07", {report(ReportKind::osc, "52;C;aGk=")});
        // DCS and APC strings are never clipboard replies.
        check("\x1bP52;c;aGk=\x1b\\", {report(ReportKind::dcs, "52;c;aGk=")});
    }

    TEST_CASE("clipboard: ended by ESC + another byte, the ESC starts the next unit; cut by the end of input")
    {
        check("\x1b]52;c;aGVsbG8=\x1b[A", {clipboard("c", "hello"), up()});
        check("\x1b]52;c;aGVsbG8=", {clipboard("c", "hello")});
        check("\x1b]52;c;aGVsbG8=\x1b", {clipboard("c", "hello")});
        // A quantum cut short still gives its whole bytes.
        check("\x1b]52;c;aGVsbG\x07", {clipboard("c", "hell")});
    }

    TEST_CASE("clipboard: content past paste_cap comes in parts of whole quanta, never past the cap")
    {
        const std::string data = "The quick brown fox jumps over the lazy dog, 0123456789 times.";
        for (std::size_t cap : {1u, 2u, 3u, 4u, 16u, 17u, 18u, 61u, 62u, 63u, 64u}) {
            INFO("paste_cap " << cap);
            const DecoderOptions o = caps(256, 64, cap);
            const std::vector<Event> want = clipboard_parts("c", data, cap);
            check("\x1b]52;c;" + base64(data) + "\x07", want, o);
            for (const Event& e : want) {
                CHECK(std::get<ClipboardEvent>(e).data.size() <= std::max<std::size_t>(cap, 3));
            }
        }
        // A body of whole parts ends with an empty one, as a paste does.
        check("\x1b]52;c;YWJjZGVm\x07", {clipboard("c", "abc", true), clipboard("c", "def", true), clipboard("c", "")},
              caps(256, 64, 4));
    }

    TEST_CASE("clipboard: 90 KB at the default caps is all there, not an unknown of string_cap bytes")
    {
        std::string data;
        for (std::size_t i = 0; i < 90'000; ++i) {
            data += static_cast<char>('a' + i % 26);
        }
        const std::string reply = "\x1b]52;c;" + base64(data) + "\x1b\\";
        REQUIRE(reply.size() > DecoderOptions{}.string_cap);
        const std::vector<Event> events = decode(reply + "z");
        REQUIRE(events.size() == 2);
        CHECK(events[0] == clipboard("c", data));
        CHECK(events[1] == ch(U'z'));
    }

    TEST_CASE("clipboard: time never ends a reply; what was decoded is delivered as a part and the reply goes on")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b]52;c;aGVsbG8gd29y", t0, out);  // "hello wor" and a quantum under way
        CHECK(out.empty());
        REQUIRE(d.deadline().has_value());
        CHECK(*d.deadline() == t0 + d.options().stale_timeout);
        d.flush(*d.deadline(), out);
        CHECK(out == std::vector<Event>{clipboard("c", "hello wor", true)});
        CHECK_FALSE(d.deadline().has_value());
        CHECK(d.pending_bytes() == 0);
        // The quantum under way survives the pause; the rest is still clipboard content, and
        // the bytes that follow the terminator are keys again.
        out.clear();
        d.feed("bGQ=\x1b", t0 + 5s, out);
        REQUIRE(d.deadline().has_value());
        d.flush(*d.deadline(), out);
        CHECK(out == std::vector<Event>{clipboard("c", "ld", true)});
        out.clear();
        d.feed("\\z", t0 + 10s, out);
        CHECK(out == std::vector<Event>{clipboard("c", ""), ch(U'z')});
    }

    TEST_CASE("clipboard: take_pending hands a reply over and the next decoder ends it the same way")
    {
        const std::string reply = "\x1b]52;c;" + base64("handed over, all of it") + "\x07z";
        for (std::size_t cut = 1; cut < reply.size(); ++cut) {
            INFO("cut at " << cut);
            Decoder first(caps(256, 64, 7));
            std::vector<Event> out;
            first.feed(std::string_view(reply).substr(0, cut), t0, out);
            Decoder second(caps(256, 64, 7));
            second.feed(first.take_pending() + reply.substr(cut), t0, out);
            second.finish(out);
            CHECK(out == clipboard_parts("c", "handed over, all of it", 7) + std::vector<Event>{ch(U'z')});
        }
    }
}

}  // namespace vtinput::test
