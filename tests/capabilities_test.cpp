// Capability detection: the query's bytes, the probe picking replies out of a decoded stream
// (and leaving everything else alone), and the one-line summary.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "vtinput/capabilities.hpp"
#include "vtinput/decoder.hpp"

using namespace vtinput;
using namespace std::chrono_literals;

namespace {

std::vector<Event> decode(std::string_view bytes)
{
    Decoder d;
    std::vector<Event> out;
    d.feed(bytes, Decoder::clock::now(), out);
    d.finish(out);
    return out;
}

// Offers every event of `bytes` to `probe`; returns those it did not take.
std::vector<Event> offer_all(CapabilityProbe& probe, std::string_view bytes)
{
    std::vector<Event> rest;
    for (Event& e : decode(bytes)) {
        if (!probe.offer(e)) {
            rest.push_back(std::move(e));
        }
    }
    return rest;
}

// What xterm 390 with kitty-less defaults might answer, with a key typed in the middle.
constexpr std::string_view k_answer =
    "\x1b[?1000;2$y\x1b[?1002;2$y\x1b[?1003;2$y\x1b[?1004;2$y\x1b[?1006;2$y\x1b[?1016;0$y"
    "x"
    "\x1b[?2004;1$y\x1b[?2048;0$y\x1bP>|XTerm(390)\x1b\\\x1b[?64;1;2;6;9;15;16;17;18;21;22;28c";

}  // namespace

TEST_SUITE("capabilities")
{

    TEST_CASE("the query asks for kitty flags, each mode, the version, and DA1 last")
    {
        CHECK(capability_query() ==
              "\x1b[?u"
              "\x1b[?1000$p\x1b[?1002$p\x1b[?1003$p\x1b[?1004$p\x1b[?1006$p\x1b[?1016$p\x1b[?2004$p\x1b[?2048$p"
              "\x1b[>0q"
              "\x1b[c");
    }

    TEST_CASE("the probe takes the replies and leaves a key typed among them")
    {
        CapabilityProbe probe;
        auto rest = offer_all(probe, k_answer);
        REQUIRE(rest.size() == 1);
        CHECK(to_string(rest[0]) == "x");
        REQUIRE(probe.done());
        Capabilities c = probe.result(1500us);
        CHECK(c.status == Capabilities::Status::answered);
        CHECK(c.answered());
        CHECK(c.elapsed == 1500us);
        CHECK(c.device_attributes == std::vector<int>{64, 1, 2, 6, 9, 15, 16, 17, 18, 21, 22, 28});
        CHECK(c.version == "XTerm(390)");
        CHECK_FALSE(c.kitty_flags.has_value());
        CHECK(c.mode(1000) == ModeSupport::reset);
        CHECK(c.mode(2004) == ModeSupport::set);
        CHECK(c.mode(1016) == ModeSupport::not_recognized);
        CHECK(c.mode(2048) == ModeSupport::not_recognized);
        CHECK(c.mode(9999) == ModeSupport::unknown);  // never asked
        CHECK(c.supports(1006));
        CHECK_FALSE(c.supports(2048));
        CHECK(c.modes.size() == std::size(k_queried_modes));
    }

    TEST_CASE("a kitty terminal reports its flags; permanent modes are read as such")
    {
        CapabilityProbe probe;
        auto rest = offer_all(probe, "\x1b[?5u\x1b[?2004;4$y\x1b[?1004;3$y\x1b[?62;22c");
        CHECK(rest.empty());
        Capabilities c = probe.result(0us);
        REQUIRE(c.kitty_flags.has_value());
        CHECK(*c.kitty_flags == 5);
        CHECK(c.mode(2004) == ModeSupport::permanently_reset);
        CHECK(c.mode(1004) == ModeSupport::permanently_set);
        CHECK(c.supports(1004));
        CHECK(c.mode(1000) == ModeSupport::unknown);  // this terminal did not answer DECRQM for it
    }

    TEST_CASE("only the replies the query asked for are taken, each once")
    {
        CapabilityProbe probe;
        auto rest = offer_all(probe,
                              "\x1b[?1049;1$y"    // a mode nobody asked about
                              "\x1b[2004;1$y"     // an ANSI (not DEC private) mode report
                              "\x1b[?2004;2$y"    // taken
                              "\x1b[?2004;1$y"    // the same mode again: not ours
                              "\x1b[?1u\x1b[?3u"  // first kitty reply taken, second left
                              "\x1b[>41;390;0c"   // DA2 is not asked for
                              "\x1b[12;5R");      // a cursor position report
        CHECK(rest.size() == 6);
        CHECK_FALSE(probe.done());
        Capabilities c = probe.result(500ms);
        CHECK(c.status == Capabilities::Status::timed_out);
        CHECK(c.mode(2004) == ModeSupport::reset);
        CHECK(*c.kitty_flags == 1);
        CHECK(c.device_attributes.empty());
    }

    TEST_CASE("after the DA1 sentinel nothing more is taken")
    {
        CapabilityProbe probe;
        CHECK(offer_all(probe, "\x1b[?62c").empty());
        CHECK(probe.done());
        auto rest = offer_all(probe, "\x1b[?62c\x1b[?2004;1$y\x1b[?1u");
        CHECK(rest.size() == 3);  // an application's own later queries reach it
    }

    TEST_CASE("summary line")
    {
        CHECK(to_string(Capabilities{}) == "not queried");
        CapabilityProbe probe;
        offer_all(probe, "\x1b[?7u\x1b[?2004;2$y\x1b[?2048;0$y\x1bP>|kitty(0.31.0)\x1b\\\x1b[?62;22c");
        CHECK(to_string(probe.result(1234us)) ==
              "answered in 1.2 ms; version kitty(0.31.0); DA1 62;22; kitty flags 7; modes 2004 reset, "
              "2048 not recognized");
        CapabilityProbe silent;
        CHECK(to_string(silent.result(300ms)) == "timed out after 300.0 ms");
        CapabilityProbe legacy;
        offer_all(legacy, "\x1b[?1;2c");
        CHECK(to_string(legacy.result(800us)) == "answered in 0.8 ms; DA1 1;2; no kitty keyboard");
    }

}  // TEST_SUITE
