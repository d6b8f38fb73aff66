// Decoder time: the ESC timeout and the stale timeout, with explicit time points (the decoder
// never reads a clock; deadline() says when it needs flush()).
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "decoder_test.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"

using namespace std::literals;
using namespace vtinput;
using namespace vtinput::test;

namespace {

// Feeds `in` at t0 and checks that nothing comes out, the deadline is t0 + `wait`, and a flush
// just before it (so at the ESC timeout too, for what waits longer) resolves nothing.
void check_held_until(std::string_view in, std::chrono::milliseconds wait)
{
    INFO(hex(in));
    Decoder d;
    std::vector<Event> out;
    d.feed(in, t0, out);
    CHECK(out.empty());
    REQUIRE(d.deadline().has_value());
    CHECK(*d.deadline() == t0 + wait);
    d.flush(t0 + wait - 1ns, out);
    CHECK(out.empty());
}

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("a lone ESC waits exactly esc_timeout")
    {
        Decoder d;
        std::vector<Event> out;
        CHECK_FALSE(d.deadline().has_value());
        d.feed("\x1b", t0, out);
        CHECK(out.empty());
        REQUIRE(d.deadline().has_value());
        CHECK(*d.deadline() == t0 + d.options().esc_timeout);
        d.flush(t0 + d.options().esc_timeout - 1ns, out);
        CHECK(out.empty());
        CHECK(d.deadline().has_value());
        d.flush(t0 + d.options().esc_timeout, out);
        CHECK(json(out) == R"({"type":"key","key":"escape","mods":[]})");
        CHECK_FALSE(d.deadline().has_value());
        // Flushing again, later, has nothing to resolve.
        d.flush(t0 + 1h, out);
        CHECK(out.size() == 1);
    }

    TEST_CASE("a custom esc_timeout is honoured")
    {
        DecoderOptions o;
        o.esc_timeout = 5ms;
        Decoder d(o);
        std::vector<Event> out;
        d.feed("\x1b", t0, out);
        CHECK(*d.deadline() == t0 + 5ms);
        d.flush(t0 + 4ms, out);
        CHECK(out.empty());
        d.flush(t0 + 5ms, out);
        CHECK(out.size() == 1);
    }

    TEST_CASE("ESC [ that times out is Alt+[")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[", t0, out);
        CHECK(*d.deadline() == t0 + d.options().esc_timeout);
        d.flush(*d.deadline(), out);
        CHECK(json(out) == R"({"type":"key","key":"[","mods":["alt"]})");
        CHECK_FALSE(d.deadline().has_value());
    }

    TEST_CASE("ESC [ then A 10 ms later, with no flush in between, is Up")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[", t0, out);
        d.feed("A", t0 + 10ms, out);
        CHECK(json(out) == R"({"type":"key","key":"up","mods":[]})");
        CHECK_FALSE(d.deadline().has_value());
    }

    TEST_CASE("a flush before the deadline does not split a sequence")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b", t0, out);
        d.flush(t0 + 49ms, out);
        d.feed("[", t0 + 49ms, out);
        d.flush(t0 + 60ms, out);  // deadline moved to 49 + 50 ms
        d.feed("B", t0 + 70ms, out);
        CHECK(json(out) == R"({"type":"key","key":"down","mods":[]})");
    }

    TEST_CASE("a sequence with parameters waits stale_timeout and then comes out as unknown")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[1;5", t0, out);
        REQUIRE(d.deadline().has_value());
        CHECK(*d.deadline() == t0 + d.options().stale_timeout);
        d.flush(t0 + d.options().esc_timeout, out);
        CHECK(out.empty());
        d.flush(t0 + d.options().stale_timeout - 1ns, out);
        CHECK(out.empty());
        d.flush(t0 + d.options().stale_timeout, out);
        CHECK(json(out) == R"({"type":"unknown","bytes":"1b5b313b35"})");
        CHECK_FALSE(d.deadline().has_value());
        // A key typed afterwards is itself.
        d.feed("A", t0 + 2s, out);
        CHECK(json(out) == R"({"type":"unknown","bytes":"1b5b313b35"} {"type":"key","key":"A","mods":[],"text":"A"})");
    }

    TEST_CASE("the deadline counts from the last byte fed")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[1", t0, out);
        d.feed(";5", t0 + 900ms, out);
        CHECK(*d.deadline() == t0 + 900ms + d.options().stale_timeout);
        d.flush(t0 + 1s, out);
        CHECK(out.empty());
        d.feed("A", t0 + 1800ms, out);
        CHECK(json(out) == R"({"type":"key","key":"up","mods":["ctrl"]})");
    }

    TEST_CASE("partial UTF-8 and ESC ESC wait only the ESC timeout")
    {
        for (std::string_view in : {"\xc3"sv, "\xe2\x82"sv, "\x1b\x1b"sv, "\x1b\x1b["sv, "\x1bO"sv, "\x1bP"sv}) {
            check_held_until(in, DecoderOptions{}.esc_timeout);
        }
    }

    TEST_CASE("strings, pastes and mouse reports wait the stale timeout")
    {
        for (std::string_view in :
             {"\x1b]11;"sv, "\x1bP>|"sv, "\x1b[200~abc"sv, "\x1b[200~abc\x1b[20"sv, "\x1b[M "sv, "\x1b[<0;1"sv}) {
            check_held_until(in, DecoderOptions{}.stale_timeout);
        }
    }

    TEST_CASE("a paste that goes stale delivers what it has and goes on")
    {
        // Time never ends a paste (paste.cpp): its tail must not be typed as keys.
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[200~abc", t0, out);
        d.flush(t0 + d.options().stale_timeout, out);
        CHECK(json(out) == R"({"type":"paste","text":"abc","continued":true})");
        CHECK_FALSE(d.deadline().has_value());
        d.feed("x", t0 + 2s, out);
        d.finish(out);
        CHECK(json(out) == R"({"type":"paste","text":"abc","continued":true} {"type":"paste","text":"x"})");
    }

    TEST_CASE("a CSI fed a byte at a time keeps the deadlines of a whole one: ESC timeout until a parameter, then "
              "stale, counted from the last byte")
    {
        // Byte at a time, the decoder appends parameters to the held CSI without parsing it
        // (decoder.cpp, "Linear feeding"); what it waits for must not change.
        const DecoderOptions o;
        Decoder d(o);
        std::vector<Event> out;
        d.feed("\x1b", t0, out);
        CHECK(*d.deadline() == t0 + o.esc_timeout);
        d.feed("[", t0 + 1ms, out);
        CHECK(*d.deadline() == t0 + 1ms + o.esc_timeout);
        d.feed("1", t0 + 2ms, out);
        CHECK(*d.deadline() == t0 + 2ms + o.stale_timeout);
        d.feed(";", t0 + 3ms, out);
        d.feed("5", t0 + 4ms, out);
        CHECK(*d.deadline() == t0 + 4ms + o.stale_timeout);
        CHECK(d.pending_bytes() == 5);
        d.flush(t0 + 4ms + o.stale_timeout - 1ns, out);
        CHECK(out.empty());
        d.feed("A", t0 + 5ms, out);
        CHECK(json(out) == R"({"type":"key","key":"up","mods":["ctrl"]})");
        CHECK_FALSE(d.deadline().has_value());
        // Past csi_cap, the bytes that continue it are dropped as the parser drops them, and
        // the sequence still ends at its final byte as one unknown event of csi_cap bytes.
        DecoderOptions small = o;
        small.csi_cap = 8;
        Decoder e(small);
        out.clear();
        const std::string long_csi = "\x1b[1;2;3;4;5;6;7;8;9m";
        for (char c : long_csi) {
            e.feed(std::string_view(&c, 1), t0, out);
            CHECK(e.pending_bytes() <= small.csi_cap);
        }
        e.feed("z", t0, out);
        CHECK(json(out) == R"({"type":"unknown","bytes":")" + hex(long_csi.substr(0, 8)) +
                               R"("} {"type":"key","key":"z","mods":[],"text":"z"})");
    }

    TEST_CASE("no deadline when nothing is pending")
    {
        Decoder d;
        std::vector<Event> out;
        CHECK_FALSE(d.deadline().has_value());
        d.feed("abc\x1b[A\x1b]11;x\x07", t0, out);
        CHECK(out.size() == 5);
        CHECK_FALSE(d.deadline().has_value());
        CHECK(d.pending_bytes() == 0);
        d.feed("", t0, out);
        CHECK_FALSE(d.deadline().has_value());
    }

    TEST_CASE("set_esc_timeout moves a waiting ESC's deadline; adaptive_esc_timeout follows the round trip")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b", t0, out);
        REQUIRE(d.deadline() == t0 + 50ms);
        d.set_esc_timeout(200ms);
        CHECK(d.deadline() == t0 + 200ms);
        d.flush(t0 + 199ms, out);
        CHECK(out.empty());
        d.flush(t0 + 200ms, out);
        CHECK(json(out) == R"({"type":"key","key":"escape","mods":[]})");
        CHECK(adaptive_esc_timeout(0us) == 50ms);
        CHECK(adaptive_esc_timeout(300us) == 51ms);  // a local terminal
        CHECK(adaptive_esc_timeout(40ms) == 130ms);  // ssh across a continent
        CHECK(adaptive_esc_timeout(5s) == 500ms);    // clamped
        CHECK(adaptive_esc_timeout(-1ms) == 50ms);
    }
}
