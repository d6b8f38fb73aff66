// The decoder as a stream: resynchronisation after random garbage, hand-over through
// take_pending() at random points and mid-unit, the cursor-position request, options changed
// between feeds, and a moved decoder.
#include <doctest/doctest.h>

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "decoder_test.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"

using namespace std::literals;
using namespace vtinput;
using namespace vtinput::test;

TEST_SUITE("decoder")
{
    TEST_CASE("after random garbage, Up and x still decode")
    {
        for (std::uint32_t seed : {1u, 2u, 3u, 42u, 4242u}) {
            INFO("seed " << seed);
            std::mt19937 rng(seed);
            std::string garbage(6000, '\0');
            for (char& c : garbage) {
                c = static_cast<char>(rng() & 0xff);
            }
            // A trailing ESC would make the Up below Alt+Up, which is right but not the point.
            garbage.back() = 'g';
            const std::string input = garbage + "\x1b[A" + "x";
            std::vector<Event> whole;
            CHECK_NOTHROW(whole = decode(input));
            REQUIRE(whole.size() >= 2);
            CHECK(to_json(whole[whole.size() - 2]) == R"({"type":"key","key":"up","mods":[]})");
            CHECK(to_json(whole.back()) == R"({"type":"key","key":"x","mods":[],"text":"x"})");
            // Split invariance holds on garbage too.
            std::vector<std::size_t> cuts;
            for (std::size_t cut = 1; cut < input.size(); cut += 1 + rng() % 13) {
                cuts.push_back(cut);
            }
            CHECK(json(decode_cuts(input, cuts)) == json(whole));
            // And with small caps and the mouse options.
            DecoderOptions o;
            o.csi_cap = 8;
            o.string_cap = 32;
            o.paste_cap = 8;
            o.mouse_utf8 = true;
            std::vector<Event> capped;
            CHECK_NOTHROW(capped = decode(input, o));
            CHECK(json(decode_cuts(input, cuts, o)) == json(capped));
        }
    }

    TEST_CASE("garbage made of sequence fragments never wedges the decoder")
    {
        static constexpr std::string_view pieces[] = {
            "\x1b", "[",    "O",    "P",    "]",    "_",        "\\", "\x07", "1",      ";",
            ":",    "<",    "?",    ">",    "$",    "~",        "M",  "u",    "A",      "200~",
            "201~", "\x9b", "\x9c", "\x90", "\xc3", "\xe2\x82", " ",  "\x7f", "\x00"sv,
        };
        std::mt19937 rng(7);
        std::string input;
        while (input.size() < 20000) {
            input += pieces[rng() % std::size(pieces)];
        }
        // End any paste the fragments may have opened, then a known tail.
        input += "\x1b[201~\x1b[A"
                 "x";
        std::vector<Event> whole;
        CHECK_NOTHROW(whole = decode(input));
        REQUIRE(whole.size() >= 2);
        CHECK(to_json(whole.back()) == R"({"type":"key","key":"x","mods":[],"text":"x"})");
        std::vector<std::size_t> cuts;
        for (std::size_t cut = 1; cut < input.size(); cut += 1 + rng() % 5) {
            cuts.push_back(cut);
        }
        CHECK(json(decode_cuts(input, cuts)) == json(whole));
    }

    TEST_CASE("take_pending on garbage, at random points, gives the events of one decoder")
    {
        DecoderOptions small;
        small.csi_cap = 8;
        small.string_cap = 16;
        small.paste_cap = 8;
        for (const DecoderOptions& o : {DecoderOptions{}, small}) {
            std::mt19937 rng(99);
            std::string input;
            static constexpr std::string_view pieces[] = {
                "\x1b", "[", "O",    "]",    "P",    "\\",   "\x07",     "12",   ";",        ":", "?",       "~",
                "A",    "u", "200~", "201~", "\x90", "\x9c", "\xe2\x82", "\xac", "\xf4\x90", "x", "<0;1;1M", "\x00"sv,
            };
            while (input.size() < 4000) {
                input += pieces[rng() % std::size(pieces)];
            }
            const std::string whole = json(decode(input, o));
            for (int round = 0; round < 200; ++round) {
                std::size_t at = 1 + rng() % (input.size() - 1);
                INFO("hand over at " << at);
                CHECK(decode_handed_over_json(input, at, o) == whole);
            }
        }
    }

    TEST_CASE("take_pending mid-paste, mid-CSI and mid-OSC")
    {
        struct Case {
            std::string_view before, after;
        };
        static constexpr Case cases[] = {
            {"x\x1b[200~hello wo", "rld\x1b[201~y"},
            {"\x1b[200~hello\x1b[20", "1~y"},
            {"\x1b[1;", "5Ay"},
            {"\x1b]11;rgb:00", "00/0000/0000\x1b\\y"},
            {"\x1b]11;rgb:0\x1b", "\\y"},
            {"\x1bP>|XTe", "rm(1)\x1b\\y"},
            {"\xe2\x82", "\xac"},
            {"\x1b", "y"},
            {"\x1b[M ", "!!"},
        };
        for (const Case& c : cases) {
            const std::string whole = std::string(c.before) + std::string(c.after);
            INFO(hex(whole));
            Decoder a;
            std::vector<Event> out;
            a.feed(c.before, t0, out);
            CHECK(a.pending_bytes() > 0);
            std::string handed = a.take_pending();
            CHECK_FALSE(handed.empty());
            CHECK(a.pending_bytes() == 0);
            CHECK_FALSE(a.deadline().has_value());
            Decoder b;
            b.feed(handed, t0, out);
            b.feed(c.after, t0 + 1ms, out);
            b.finish(out);
            CHECK(json(out) == decode_json(whole));
        }
    }

    TEST_CASE("take_pending after a paste part was delivered")
    {
        DecoderOptions o;
        o.paste_cap = 4;
        const std::string input = "\x1b[200~abcdefghij\x1b[201~";
        const std::string want = decode_json(input, o);
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            INFO("hand over at " << cut);
            CHECK(decode_handed_over_json(input, cut, o) == want);
        }
    }

    TEST_CASE("CSI 1;5R is Ctrl+F3 unless a cursor position was requested")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[1;5R", t0, out);
        CHECK(json(out) == R"({"type":"key","key":"f3","mods":["ctrl"]})");
        out.clear();
        d.expect_cursor_position();
        d.feed("\x1b[1;5R", t0, out);
        CHECK(json(out) == R"({"type":"cursor_position","row":1,"col":5})");
        // One request, one report: the next one is a key again.
        out.clear();
        d.feed("\x1b[1;5R", t0, out);
        CHECK(json(out) == R"({"type":"key","key":"f3","mods":["ctrl"]})");
        // Two requests: an unambiguous report uses one up too.
        out.clear();
        d.expect_cursor_position();
        d.expect_cursor_position();
        d.feed("\x1b[12;42R\x1b[1;2R\x1b[1;2R", t0, out);
        CHECK(json(out) == R"({"type":"cursor_position","row":12,"col":42} )"
                           R"({"type":"cursor_position","row":1,"col":2} )"
                           R"({"type":"key","key":"f3","mods":["shift"]})");
    }

    TEST_CASE("the mouse options can be changed between feeds")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[<0;10;10M", t0, out);
        DecoderOptions o = d.options();
        o.mouse_pixels = true;
        d.set_options(o);
        CHECK(d.options().mouse_pixels);
        d.feed("\x1b[<0;10;10M", t0, out);
        CHECK(json(out) == R"({"type":"mouse","action":"press","button":"left","x":9,"y":9,"mods":[]} )"
                           R"({"type":"mouse","action":"press","button":"left","x":9,"y":9,"mods":[],"pixels":true})");
    }

    TEST_CASE("a moved-from decoder's successor keeps its pending input")
    {
        Decoder a;
        std::vector<Event> out;
        a.feed("\x1b[1;", t0, out);
        Decoder b(std::move(a));
        b.feed("5A", t0, out);
        CHECK(json(out) == R"({"type":"key","key":"up","mods":["ctrl"]})");
    }
}
