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

    TEST_CASE("round one: saved cursor, kitty flags, each mode, scheme, colours, pixel sizes, version, DA2, cursor "
              "restored, DA1 last")
    {
        CHECK(capability_query() ==
              "\x1b"
              "7"
              "\x1b[?u"
              "\x1b[?1$p\x1b[?1000$p\x1b[?1002$p\x1b[?1003$p\x1b[?1004$p\x1b[?1006$p\x1b[?1016$p\x1b[?2004$p"
              "\x1b[?2026$p\x1b[?2027$p\x1b[?2031$p\x1b[?2048$p\x1b[?9001$p"
              "\x1b[?996n"
              "\x1b]10;?\x1b\\\x1b]11;?\x1b\\"
              "\x1b[14t\x1b[16t"
              "\x1b[>0q"
              "\x1b[>0c"
              "\x1b"
              "8"
              "\x1b[c");
        // The Linux console prints the tail of `CSI > ...` and `CSI ? n $ p`; Eterm answers
        // `CSI > c` with its DA1 reply, which would end the probe early.
        const std::string linux_q = capability_query("linux");
        CHECK(linux_q.find("$p") == std::string::npos);
        CHECK(linux_q.find("\x1b[>") == std::string::npos);
        CHECK(linux_q.ends_with("\x1b"
                                "8"
                                "\x1b[c"));
        const std::string eterm_q = capability_query("Eterm-color");
        CHECK(eterm_q.find("\x1b[>0c") == std::string::npos);
        CHECK(eterm_q.find("\x1b[>0q") != std::string::npos);
    }

    TEST_CASE("round two only after an XTVERSION answer: termcap, graphics (not under tmux), XTQMODKEYS from xterm "
              "377, DA1 last")
    {
        Capabilities silent;
        CHECK(capability_followup(silent).empty());
        Capabilities kitty;
        kitty.version = "kitty(0.31.0)";
        CHECK(capability_followup(kitty) == "\x1bP+q544e;524742;636f6c6f7273\x1b\\"
                                            "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
                                            "\x1b[c");
        Capabilities tmux;
        tmux.version = "tmux 3.3a";
        CHECK(capability_followup(tmux) == "\x1bP+q544e;524742;636f6c6f7273\x1b\\\x1b[c");
        Capabilities xterm;
        xterm.version = "XTerm(390)";
        CHECK(capability_followup(xterm).ends_with("\x1b[?4m\x1b[c"));
        xterm.version = "XTerm(376)";
        CHECK(capability_followup(xterm).find("\x1b[?4m") == std::string::npos);
    }

    TEST_CASE("choose_keyboard: kitty where CSI ? u was answered, else modifyOtherKeys by XTQMODKEYS or identity, "
              "else legacy")
    {
        using Kind = KeyboardProtocol::Kind;
        Capabilities kitty;
        kitty.kitty_flags = 0;
        kitty.version = "XTerm(390)";  // a kitty answer wins over an identity
        CHECK(choose_keyboard(kitty) == KeyboardProtocol{Kind::kitty, 1, 0});
        CHECK(choose_keyboard(kitty, 0b11101) == KeyboardProtocol{Kind::kitty, 0b11101, 0});
        Capabilities xterm;
        xterm.version = "XTerm(390)";
        CHECK(choose_keyboard(xterm) == KeyboardProtocol{Kind::modify_other_keys, 0, 2});
        CHECK(choose_keyboard(xterm, 0, 1) == KeyboardProtocol{Kind::modify_other_keys, 0, 1});
        for (const char* v : {"WezTerm 20240203-110809-5046fc22", "iTerm2 3.5.0"}) {
            Capabilities c;
            c.version = v;
            CHECK(choose_keyboard(c).kind == Kind::modify_other_keys);
        }
        Capabilities mintty;
        mintty.secondary_attributes = {77, 30105, 0};
        CHECK(choose_keyboard(mintty).kind == Kind::modify_other_keys);
        Capabilities asked;  // XTQMODKEYS answered, whoever it is
        asked.modify_other_keys = 0;
        CHECK(choose_keyboard(asked).kind == Kind::modify_other_keys);
        for (const char* v : {"tmux 3.3a", "VTE(7600)", "foot(1.16.2)", ""}) {
            Capabilities c;
            c.version = v;
            c.secondary_attributes = {1, 7600, 1};
            CHECK(choose_keyboard(c) == KeyboardProtocol{});
        }
        CHECK(to_string(KeyboardProtocol{Kind::kitty, 1, 0}) == "kitty flags 1");
        CHECK(to_string(KeyboardProtocol{Kind::modify_other_keys, 0, 2}) == "modifyOtherKeys 2");
        CHECK(to_string(KeyboardProtocol{}) == "legacy");
        CHECK(to_string(Kind::modify_other_keys) == "modify_other_keys");
    }

    // An answer to the whole query in the forms kitty sends (kitty/screen.c, graphics.c: DA2
    // `CSI > 1;4000;N c`, colours as rgb:RRRR/GGGG/BBBB, one XTGETTCAP reply per name, the
    // graphics query's `APC G i=31;OK ST`), in request order.
    constexpr const char* k_kitty_answer =
        "\x1b[?1u"
        "\x1b[?1;2$y\x1b[?1000;2$y\x1b[?1002;2$y\x1b[?1003;2$y\x1b[?1004;2$y\x1b[?1006;2$y\x1b[?1016;2$y"
        "\x1b[?2004;2$y\x1b[?2026;2$y\x1b[?2027;0$y\x1b[?2031;2$y\x1b[?2048;2$y\x1b[?9001;0$y"
        "\x1bP>|kitty(0.31.0)\x1b\\"
        "\x1b[>1;4000;31c"
        "\x1b]10;rgb:dddd/dddd/dddd\x1b\\"
        "\x1b]11;rgb:0000/0000/0000\x1b\\"
        "\x1b[?997;1n"
        "\x1bP1+r544e=787465726d2d6b69747479\x1b\\"
        "\x1bP1+r524742=382f382f38\x1b\\"
        "\x1bP1+r636f6c6f7273=323536\x1b\\"
        "\x1b_Gi=31;OK\x1b\\"
        "\x1b[6;20;10t"
        "\x1b[4;960;1600t"
        "\x1b[?62;52c";

    TEST_CASE("the wide probe reads a kitty terminal's whole answer into typed fields")
    {
        CapabilityProbe probe;
        auto rest = offer_all(probe, k_kitty_answer);
        CHECK(rest.empty());
        REQUIRE(probe.done());
        Capabilities c = probe.result(900us);
        CHECK(c.kitty_flags == 1u);
        CHECK(c.version == "kitty(0.31.0)");
        CHECK(c.secondary_attributes == std::vector<int>{1, 4000, 31});
        CHECK(c.foreground == Rgb{0xdddd, 0xdddd, 0xdddd});
        CHECK(c.background == Rgb{0, 0, 0});
        CHECK(c.color_scheme == ColorScheme::dark);
        CHECK(c.terminal_name == "xterm-kitty");
        CHECK(c.truecolor == true);
        CHECK(c.colors == 256);
        CHECK(c.kitty_graphics == true);
        CHECK_FALSE(c.sixel());
        CHECK(c.synchronized_output());
        CHECK(c.mode(2027) == ModeSupport::not_recognized);
        CHECK_FALSE(c.modify_other_keys.has_value());  // no XTQMODKEYS reply in this answer
        CHECK(c.cell_pixels == PixelSize{10, 20});
        CHECK(c.window_pixels == PixelSize{1600, 960});
    }

    TEST_CASE("xterm: one XTGETTCAP reply stopping at an unknown name, XTQMODKEYS, sixel, a light background")
    {
        CapabilityProbe probe;
        auto rest = offer_all(probe,
                              "\x1b[?1;2$y\x1b[?2026;0$y"
                              "\x1bP>|XTerm(390)\x1b\\"
                              "\x1b[>41;390;0c"
                              "\x1b]10;rgb:0000/0000/0000\x1b\\"
                              "\x1b]11;rgb:ffff/ffff/dddd\x1b\\"
                              "\x1bP1+r544e=787465726d\x1b\\"  // TN=xterm
                              "\x1bP0+r524742\x1b\\"           // RGB unknown (xterm without direct colour)
                              "\x1b[>4;1m"
                              "\x1b[?64;1;2;4;6;9;15;18;21;22c");
        CHECK(rest.empty());
        Capabilities c = probe.result(0us);
        CHECK(c.secondary_attributes == std::vector<int>{41, 390, 0});
        CHECK(c.color_scheme == ColorScheme::light);  // by luminance: no 997 answer
        CHECK(c.terminal_name == "xterm");
        CHECK(c.truecolor == false);
        CHECK_FALSE(c.colors.has_value());
        CHECK(c.modify_other_keys == 1);
        CHECK(c.sixel());
        CHECK_FALSE(c.synchronized_output());
        CHECK_FALSE(c.kitty_graphics.has_value());
        CHECK(c.mode(2031) == ModeSupport::unknown);
    }

    TEST_CASE("a terminal that answers only DA1 (the Linux console): every new field unknown")
    {
        CapabilityProbe probe;
        CHECK(offer_all(probe, "\x1b[?6c").empty());
        Capabilities c = probe.result(0us);
        CHECK(c.answered());
        CHECK(c.color_scheme == ColorScheme::unknown);
        CHECK_FALSE(c.foreground.has_value());
        CHECK_FALSE(c.truecolor.has_value());
        CHECK_FALSE(c.cell_pixels.has_value());
        CHECK(c.secondary_attributes.empty());
        CHECK(c.terminal_name.empty());
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
                              "\x1b[?1049;1$y"                     // a mode nobody asked about
                              "\x1b[2004;1$y"                      // an ANSI (not DEC private) mode report
                              "\x1b[?2004;2$y"                     // taken
                              "\x1b[?2004;1$y"                     // the same mode again: not ours
                              "\x1b[?1u\x1b[?3u"                   // first kitty reply taken, second left
                              "\x1b[>41;390;0c"                    // DA2: taken
                              "\x1b[>41;390;0c"                    // DA2 again: not ours
                              "\x1b]4;1;rgb:cdcd/0000/0000\x1b\\"  // a palette colour nobody asked for
                              "\x1b[12;5R");                       // a cursor position report
        CHECK(rest.size() == 7);
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

    TEST_CASE("JSON: every field, in order")
    {
        Capabilities c;
        c.status = Capabilities::Status::answered;
        c.elapsed = 2345us;
        c.round_trip = 1200us;
        c.device_attributes = {64, 4, 22};
        c.kitty_flags = 31;
        c.version = "XTerm(390)";
        c.modes = {{1, ModeSupport::reset},
                   {2004, ModeSupport::set},
                   {2026, ModeSupport::not_recognized},
                   {2031, ModeSupport::permanently_set},
                   {9001, ModeSupport::permanently_reset}};
        c.secondary_attributes = {41, 390, 0};
        c.foreground = Rgb{0, 0, 0};
        c.background = Rgb{0xffff, 0xffff, 0xdddd};
        c.color_scheme = ColorScheme::light;
        c.terminal_name = "xterm-256color";
        c.truecolor = false;
        c.colors = 256;
        c.kitty_graphics = true;
        c.modify_other_keys = 2;
        c.cell_pixels = PixelSize{10, 20};
        c.window_pixels = PixelSize{800, 480};
        CHECK(to_json(c) ==
              R"({"type":"capabilities","status":"answered","elapsed_us":2345,"round_trip_us":1200,)"
              R"x("version":"XTerm(390)","terminal_name":"xterm-256color","device_attributes":[64,4,22],)x"
              R"("secondary_attributes":[41,390,0],"kitty_flags":31,"modify_other_keys":2,)"
              R"("foreground":"#000000","background":"#ffffdd","color_scheme":"light","truecolor":false,)"
              R"("colors":256,"sixel":true,"kitty_graphics":true,"cell_pixels":{"width":10,"height":20},)"
              R"("window_pixels":{"width":800,"height":480},"modes":[{"mode":1,"support":"reset"},)"
              R"({"mode":1000,"support":null},{"mode":1002,"support":null},{"mode":1003,"support":null},)"
              R"({"mode":1004,"support":null},{"mode":1006,"support":null},{"mode":1016,"support":null},)"
              R"({"mode":2004,"support":"set"},{"mode":2026,"support":"not_recognized"},)"
              R"({"mode":2027,"support":null},{"mode":2031,"support":"permanently_set"},)"
              R"({"mode":2048,"support":null},{"mode":9001,"support":"permanently_reset"}]})");
    }

    TEST_CASE("JSON: nothing known is null, never left out; the modes keep their shape")
    {
        constexpr std::string_view nothing =
            R"("version":null,"terminal_name":null,"device_attributes":null,"secondary_attributes":null,)"
            R"("kitty_flags":null,"modify_other_keys":null,"foreground":null,"background":null,)"
            R"("color_scheme":null,"truecolor":null,"colors":null,"sixel":null,"kitty_graphics":null,)"
            R"("cell_pixels":null,"window_pixels":null,"modes":[{"mode":1,"support":null},)"
            R"({"mode":1000,"support":null},{"mode":1002,"support":null},{"mode":1003,"support":null},)"
            R"({"mode":1004,"support":null},{"mode":1006,"support":null},{"mode":1016,"support":null},)"
            R"({"mode":2004,"support":null},{"mode":2026,"support":null},{"mode":2027,"support":null},)"
            R"({"mode":2031,"support":null},{"mode":2048,"support":null},{"mode":9001,"support":null}]})";
        // Never asked: no time either.
        CHECK(to_json(Capabilities{}) ==
              std::string(R"({"type":"capabilities","status":"not_queried","elapsed_us":null,"round_trip_us":null,)") +
                  std::string(nothing));
        Capabilities unavailable;
        unavailable.status = Capabilities::Status::unavailable;
        CHECK(
            to_json(unavailable)
                .starts_with(
                    R"({"type":"capabilities","status":"unavailable","elapsed_us":null,"round_trip_us":null,"version":null,)"));
        // A terminal that answered nothing: the time waited, no round trip.
        CapabilityProbe silent;
        CHECK(to_json(silent.result(500ms)) ==
              std::string(R"({"type":"capabilities","status":"timed_out","elapsed_us":500000,"round_trip_us":null,)") +
                  std::string(nothing));
    }

    TEST_CASE("JSON: a DA1 without feature 4 is sixel false; strings are escaped as the event JSON escapes them")
    {
        CapabilityProbe probe;
        offer_all(probe, "\x1bP>|odd \"name\"\\\x1b\\\x1b[?62;22c");
        const std::string json = to_json(probe.result(800us));
        CHECK(json.find(R"("version":"odd \"name\"\\")") != std::string::npos);
        CHECK(json.find(R"("device_attributes":[62,22],)") != std::string::npos);
        CHECK(json.find(R"("sixel":false,)") != std::string::npos);
    }

}  // TEST_SUITE
