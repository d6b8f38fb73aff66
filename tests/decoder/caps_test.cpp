// Decoder caps: csi_cap, string_cap and paste_cap; what comes out past each (one unknown event of
// the first cap bytes, or a paste in parts) and that pending_bytes() stays within them.
#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "decoder_test.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"

using namespace std::literals;
using namespace vtinput;
using namespace vtinput::test;

TEST_SUITE("decoder")
{
    TEST_CASE("a CSI longer than csi_cap is unknown of csi_cap bytes and is not typed as keys")
    {
        DecoderOptions o;
        const std::string body = "\x1b[" + std::string(300, '1') + "A";
        const std::string input = body + "x";
        const std::string want = R"({"type":"unknown","bytes":")" + hex(body.substr(0, o.csi_cap)) +
                                 R"("} {"type":"key","key":"x","mods":[],"text":"x"})";
        CHECK(decode_json(input, o) == want);
        // The same however it arrives.
        CHECK(json(decode_cuts(input, {1, 2, 100, 255, 256, 257, 300}, o)) == want);
        const Decoded bytewise = decode_bytewise(input, o);
        CHECK(bytewise.most_pending <= o.csi_cap);
        CHECK(json(bytewise.events) == want);
    }

    TEST_CASE("10,000 parameters")
    {
        DecoderOptions o;
        const std::string body = "\x1b[" + repeat("1;", 10000) + "5A";
        const std::string input = body + "x\x1b[B";
        const std::string want =
            R"({"type":"unknown","bytes":")" + hex(body.substr(0, o.csi_cap)) +
            R"("} {"type":"key","key":"x","mods":[],"text":"x"} {"type":"key","key":"down","mods":[]})";
        CHECK(decode_json(input, o) == want);
        const Decoded bytewise = decode_bytewise(input, o);
        CHECK(bytewise.most_pending <= o.csi_cap);
        CHECK(json(bytewise.events) == want);
    }

    TEST_CASE("more parameters than the parser holds, within csi_cap, is unknown")
    {
        const std::string body = "\x1b[" + repeat("1;", 40) + "1A";
        CHECK(decode_json(body + "x") ==
              R"({"type":"unknown","bytes":")" + hex(body) + R"("} {"type":"key","key":"x","mods":[],"text":"x"})");
        const std::string subs = "\x1b[97" + repeat(":1", 70) + "u";
        CHECK(decode_json(subs) == R"({"type":"unknown","bytes":")" + hex(subs) + R"("})");
    }

    TEST_CASE("an overlong CSI cut off by a byte that cannot be in a CSI")
    {
        DecoderOptions o;
        o.csi_cap = 16;
        const std::string body = "\x1b[" + std::string(40, '2');
        const std::string input = body + "\x1b[A";
        const std::string want =
            R"({"type":"unknown","bytes":")" + hex(body.substr(0, 16)) + R"("} {"type":"key","key":"up","mods":[]})";
        CHECK(decode_json(input, o) == want);
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            INFO("cut at " << cut);
            CHECK(json(decode_cuts(input, {cut}, o)) == want);
        }
    }

    TEST_CASE("an overlong CSI that goes stale is unknown of csi_cap bytes")
    {
        DecoderOptions o;
        o.csi_cap = 16;
        Decoder d(o);
        std::vector<Event> out;
        const std::string body = "\x1b[" + std::string(40, '3');
        d.feed(body, t0, out);
        CHECK(out.empty());
        CHECK(d.pending_bytes() <= 16);
        REQUIRE(d.deadline().has_value());
        d.flush(*d.deadline(), out);
        CHECK(json(out) == R"({"type":"unknown","bytes":")" + hex(body.substr(0, 16)) + R"("})");
        d.feed("3", t0 + 2s, out);
        CHECK(to_json(out.back()) == R"({"type":"key","key":"3","mods":[],"text":"3"})");
    }

    TEST_CASE("an overlong SS3 is unknown of csi_cap bytes")
    {
        DecoderOptions o;
        o.csi_cap = 16;
        const std::string body = "\x1bO" + std::string(40, '5') + "A";
        CHECK(decode_json(body + "x", o) == R"({"type":"unknown","bytes":")" + hex(body.substr(0, 16)) +
                                                R"("} {"type":"key","key":"x","mods":[],"text":"x"})");
    }

    TEST_CASE("an unterminated OSC past string_cap is unknown and decoding resumes")
    {
        DecoderOptions o;
        o.string_cap = 100;
        // OSC 777 (urxvt's notifications): no reply vtinput knows, so a plain string.
        const std::string body = "\x1b]777;notify;" + std::string(300, 'Q');
        const std::string first = hex(body.substr(0, 100));
        SUBCASE("ended by another sequence")
        {
            const std::string input = body + "\x1b[Ay";
            const std::string want =
                R"({"type":"unknown","bytes":")" + first +
                R"("} {"type":"key","key":"up","mods":[]} {"type":"key","key":"y","mods":[],"text":"y"})";
            CHECK(decode_json(input, o) == want);
            const Decoded bytewise = decode_bytewise(input, o);
            CHECK(bytewise.most_pending <= o.string_cap + 2);
            CHECK(json(bytewise.events) == want);
        }
        SUBCASE("ended by its terminator")
        {
            CHECK(decode_json(body + "\x07y", o) ==
                  R"({"type":"unknown","bytes":")" + first + R"("} {"type":"key","key":"y","mods":[],"text":"y"})");
            CHECK(decode_json(body + "\x1b\\y", o) ==
                  R"({"type":"unknown","bytes":")" + first + R"("} {"type":"key","key":"y","mods":[],"text":"y"})");
        }
        SUBCASE("gone stale")
        {
            Decoder d(o);
            std::vector<Event> out;
            d.feed(body, t0, out);
            CHECK(out.empty());
            CHECK(d.pending_bytes() <= o.string_cap);
            d.flush(*d.deadline(), out);
            CHECK(json(out) == R"({"type":"unknown","bytes":")" + first + R"("})");
            d.feed("y", t0 + 2s, out);
            CHECK(to_json(out.back()) == R"({"type":"key","key":"y","mods":[],"text":"y"})");
        }
        SUBCASE("split anywhere")
        {
            const std::string input = body + "\x07y";
            const std::string want = json(decode(input, o));
            for (std::size_t cut = 1; cut < input.size(); cut += 7) {
                INFO("cut at " << cut);
                CHECK(json(decode_cuts(input, {cut}, o)) == want);
            }
        }
        SUBCASE("handed over")
        {
            const std::string input = body + "\x07y";
            const std::string want = json(decode(input, o));
            for (std::size_t cut = 1; cut < input.size(); cut += 7) {
                INFO("hand over at " << cut);
                CHECK(decode_handed_over_json(input, cut, o) == want);
            }
        }
    }

    TEST_CASE("a string of string_cap bytes, terminator included, is still a report")
    {
        DecoderOptions o;
        o.string_cap = 16;
        // ESC ] + 13 bytes + BEL = 16 bytes: a report.
        CHECK(decode_json("\x1b]11;abcdefghij\x07", o) == R"({"type":"report","what":"osc","value":"11;abcdefghij"})");
        CHECK(decode_json("\x1b]11;abcdefgh\x1b\\", o) == R"({"type":"report","what":"osc","value":"11;abcdefgh"})");
        // One byte more: unknown of its first 16 bytes.
        CHECK(decode_json("\x1b]11;abcdefghijk\x07", o) ==
              R"({"type":"unknown","bytes":")" + hex("\x1b]11;abcdefghijk") + R"("})");
    }

    TEST_CASE("a paste longer than paste_cap comes out in parts whose concatenation is the body")
    {
        DecoderOptions o;
        o.paste_cap = 16;
        std::string body;
        for (int i = 0; i < 100; ++i) {
            body += static_cast<char>("ab\x1b[\r\n\x00\xff"[i % 8]);
        }
        const std::string input = "\x1b[200~" + body + "\x1b[201~x";
        auto check = [&](const std::vector<Event>& events) {
            REQUIRE(events.size() >= 2);
            std::string joined;
            for (std::size_t i = 0; i + 1 < events.size(); ++i) {
                const auto* p = std::get_if<PasteEvent>(&events[i]);
                REQUIRE(p != nullptr);
                CHECK(p->text.size() <= o.paste_cap);
                CHECK(p->continued == (i + 2 < events.size()));
                joined += p->text;
            }
            CHECK(joined == body);
            CHECK(to_json(events.back()) == R"({"type":"key","key":"x","mods":[],"text":"x"})");
        };
        const auto whole = decode(input, o);
        check(whole);
        CHECK(whole.size() == 100 / 16 + 2);
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            INFO("cut at " << cut);
            CHECK(json(decode_cuts(input, {cut}, o)) == json(whole));
        }
        const Decoded bytewise = decode_bytewise(input, o);
        CHECK(bytewise.most_pending <= o.paste_cap + 6);
        check(bytewise.events);
    }

    TEST_CASE("a paste cut off by the end of input keeps every part within paste_cap")
    {
        DecoderOptions o;
        o.paste_cap = 8;
        // 7 bytes of body, then 5 bytes of a possible end marker, then nothing.
        const std::string input = "\x1b[200~abcdefg\x1b[201";
        for (std::size_t cut = 0; cut < input.size(); ++cut) {
            INFO("cut at " << cut);
            auto events = cut == 0 ? decode(input, o) : decode_cuts(input, {cut}, o);
            std::string joined;
            for (std::size_t i = 0; i < events.size(); ++i) {
                const auto* part = std::get_if<PasteEvent>(&events[i]);
                REQUIRE(part != nullptr);
                CHECK(part->text.size() <= o.paste_cap);
                CHECK(part->continued == (i + 1 < events.size()));
                joined += part->text;
            }
            CHECK(joined == "abcdefg\x1b[201");
        }
    }

    TEST_CASE("caps of zero neither hang nor lose the paste")
    {
        DecoderOptions no_csi;
        no_csi.csi_cap = 0;
        CHECK(decode_json("a\x1b[1;5A\x1bOPb", no_csi) ==
              R"({"type":"key","key":"a","mods":[],"text":"a"} {"type":"unknown","bytes":"1b5b"} )"
              R"({"type":"unknown","bytes":"1b4f"} {"type":"key","key":"b","mods":[],"text":"b"})");
        DecoderOptions o;
        o.string_cap = 0;
        o.paste_cap = 0;
        const std::string input = "a\x1b[1;5A\x1bOP\x1b]11;x\x07\x1b[200~xyz\x1b[201~b";
        std::vector<Event> events;
        CHECK_NOTHROW(events = decode(input, o));
        std::string pasted;
        for (const Event& e : events) {
            if (const auto* part = std::get_if<PasteEvent>(&e)) {
                CHECK(part->text.size() <= 1);
                pasted += part->text;
            }
        }
        CHECK(pasted == "xyz");
        REQUIRE(events.size() >= 2);
        CHECK(to_json(events.front()) == R"({"type":"key","key":"a","mods":[],"text":"a"})");
        CHECK(to_json(events.back()) == R"({"type":"key","key":"b","mods":[],"text":"b"})");
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            INFO("cut at " << cut);
            CHECK(json(decode_cuts(input, {cut}, o)) == json(events));
        }
    }

    TEST_CASE("a paste end marker split across feeds")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[200~abc\x1b[2", t0, out);
        CHECK(out.empty());
        d.feed("01", t0, out);
        CHECK(out.empty());
        d.feed("~x", t0, out);
        CHECK(json(out) == R"({"type":"paste","text":"abc"} {"type":"key","key":"x","mods":[],"text":"x"})");
        // A near-miss stays text.
        out.clear();
        d.feed("\x1b[200~abc\x1b[20", t0, out);
        d.feed("2~def\x1b[201~", t0, out);
        CHECK(json(out) == R"({"type":"paste","text":"abc\u001b[202~def"})");
    }

    TEST_CASE("a large paste with the default cap is one event")
    {
        std::string body(1 << 20, 'p');
        auto events = decode("\x1b[200~" + body + "\x1b[201~");
        REQUIRE(events.size() == 1);
        CHECK(std::get<PasteEvent>(events[0]) == PasteEvent{body, false});
    }

    TEST_CASE("a run of ESC bytes keeps pending memory bounded and decodes in linear time")
    {
        // Found by the fuzzer: ESC ESC ESC ... used to recurse once per ESC and stash the whole run.
        Decoder d;
        std::vector<Event> out;
        for (int i = 0; i < 1000; ++i) {
            d.feed("\x1b", t0, out);
            CHECK(d.pending_bytes() <= 2);
        }
        CHECK(out.size() == 998);  // every ESC but the last two is already an Escape
        out.clear();
        d.feed(std::string(200000, '\x1b') + "a", t0, out);
        d.finish(out);
        // 200002 ESC bytes (two were still pending) and 'a': 200001 Escapes and Alt+a.
        REQUIRE(out.size() == 200002);
        CHECK(to_string(out.back()) == "Alt+a");
        CHECK(to_string(out.front()) == "Escape");
    }
}
