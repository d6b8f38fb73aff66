// Typed replies (vtinput/replies.hpp): every form each parser accepts, from the terminals that
// send it, and the near misses it must refuse.
#include "vtinput/replies.hpp"

#include <doctest/doctest.h>

#include "vtinput/decoder.hpp"

using namespace vtinput;

namespace {

ReportEvent osc(std::string text) { return ReportEvent{ReportKind::osc, {}, std::move(text), false}; }
ReportEvent tcap(std::string text) { return ReportEvent{ReportKind::xtgettcap, {}, std::move(text), false}; }

// The one event `bytes` decode to.
Event decode_one(std::string_view bytes)
{
    Decoder d;
    std::vector<Event> out;
    d.feed(bytes, Decoder::clock::now(), out);
    d.finish(out);
    REQUIRE(out.size() == 1);
    return out[0];
}

}  // namespace

TEST_SUITE("replies")
{
    TEST_CASE("colours: every XParseColor form terminals reply with")
    {
        // rgb: with 4 digits (xterm, kitty, VTE, WezTerm, Ghostty, foot), 2 digits (scaled:
        // 0xff -> 0xffff), 1 and 3 digits; rgba: (rxvt-unicode with transparency).
        CHECK(parse_color("rgb:1e1e/2e2e/3e3e") == Rgb{0x1e1e, 0x2e2e, 0x3e3e});
        CHECK(parse_color("rgb:ff/80/00") == Rgb{0xffff, 0x8080, 0x0000});
        CHECK(parse_color("rgb:f/8/0") == Rgb{0xffff, 0x8888, 0x0000});
        CHECK(parse_color("rgb:fff/800/000") == Rgb{0xffff, 0x8008, 0x0000});
        CHECK(parse_color("RGB:FFFF/0000/abcd") == Rgb{0xffff, 0, 0xabcd});
        CHECK(parse_color("rgba:0000/ffff/0000/c0c0") == Rgb{0, 0xffff, 0});
        // # forms: the digits are the high bits.
        CHECK(parse_color("#f80") == Rgb{0xf000, 0x8000, 0x0000});
        CHECK(parse_color("#ff8000") == Rgb{0xff00, 0x8000, 0x0000});
        CHECK(parse_color("#fff888000") == Rgb{0xfff0, 0x8880, 0x0000});
        CHECK(parse_color("#ffff88880000") == Rgb{0xffff, 0x8888, 0x0000});
        for (const char* bad :
             {"", "rgb:", "rgb:ff/ff", "rgb:ff/ff/ff/ff", "rgb:fffff/0/0", "rgb:gg/00/00", "rgb:/00/00",
              "rgba:00/00/00", "#", "#ff", "#fffffffffffffff", "#ggg", "red", "rgbi:1/1/1"}) {
            CAPTURE(bad);
            CHECK_FALSE(parse_color(bad).has_value());
        }
    }

    TEST_CASE("colours: 8-bit form, luminance and the dark/light verdict")
    {
        CHECK(Rgb{0xffff, 0x8080, 0}.hex() == "#ff8000");
        CHECK(Rgb::to8(0x7f7f) == 0x7f);
        CHECK(Rgb{0, 0, 0}.dark());
        CHECK_FALSE(Rgb{0xffff, 0xffff, 0xffff}.dark());
        CHECK(Rgb{0x2828, 0x2c2c, 0x3434}.dark());        // a typical dark theme
        CHECK_FALSE(Rgb{0xfdfd, 0xf6f6, 0xe3e3}.dark());  // solarized light
        CHECK(Rgb{0, 0, 0xffff}.dark());                  // pure blue is dark (BT.709)
    }

    TEST_CASE("OSC 4/10/11/12 replies, BEL- or ST-terminated, decoded then typed")
    {
        CHECK(color_reply(osc("11;rgb:0000/0000/0000")) == ColorReply{11, -1, Rgb{0, 0, 0}});
        CHECK(color_reply(osc("10;rgb:ffff/ffff/ffff")) == ColorReply{10, -1, Rgb{0xffff, 0xffff, 0xffff}});
        CHECK(color_reply(osc("12;#ff0000")) == ColorReply{12, -1, Rgb{0xff00, 0, 0}});
        CHECK(color_reply(osc("4;1;rgb:cdcd/0000/0000")) == ColorReply{4, 1, Rgb{0xcdcd, 0, 0}});
        for (const char* bait : {"\x1b]11;rgb:1c1c/1c1c/1c1c\x07", "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"}) {
            auto e = decode_one(bait);
            REQUIRE(std::holds_alternative<ReportEvent>(e));
            CHECK(color_reply(std::get<ReportEvent>(e)) == ColorReply{11, -1, Rgb{0x1c1c, 0x1c1c, 0x1c1c}});
        }
        for (const char* bad :
             {"11;?", "11;", "13;rgb:0/0/0", "4;rgb:0/0/0", "4;x;rgb:0/0/0", "2;title", "52;c;aGk=", "11"}) {
            CAPTURE(bad);
            CHECK_FALSE(color_reply(osc(bad)).has_value());
        }
        CHECK_FALSE(color_reply(ReportEvent{ReportKind::dcs, {}, "11;rgb:0/0/0", false}).has_value());
    }

    TEST_CASE("XTGETTCAP: valid and invalid replies, hex-decoded; kitty's one-per-name form")
    {
        auto r = termcap_reply(tcap("1+r544e=787465726d2d6b69747479;636f6c6f7273=323536"));
        REQUIRE(r.has_value());
        CHECK(r->valid);
        CHECK(r->value("TN") == "xterm-kitty");
        CHECK(r->value("colors") == "256");
        CHECK_FALSE(r->value("RGB").has_value());
        auto boolean = termcap_reply(tcap("1+r524742"));  // a name without a value
        REQUIRE(boolean.has_value());
        CHECK(boolean->value("RGB") == "");
        auto invalid = termcap_reply(tcap("0+r524742"));
        REQUIRE(invalid.has_value());
        CHECK_FALSE(invalid->valid);
        CHECK(invalid->entries.size() == 1);
        auto e = decode_one("\x1bP1+r544e=787465726d\x1b\\");
        REQUIRE(std::holds_alternative<ReportEvent>(e));
        CHECK(termcap_reply(std::get<ReportEvent>(e))->value("TN") == "xterm");
        for (const char* bad : {"1+r5", "1+r544e=7", "1+rzz", "1+r=78", "1$r0m"}) {
            CAPTURE(bad);
            CHECK_FALSE(termcap_reply(tcap(bad)).has_value());
        }
        CHECK(termcap_query({"TN", "RGB"}) == "\x1bP+q544e;524742\x1b\\");
    }

    TEST_CASE("XTQMODKEYS and XTSMGRAPHICS replies are reports, not unknown bytes")
    {
        auto e = decode_one("\x1b[>4;2m");
        REQUIRE(std::holds_alternative<ReportEvent>(e));
        CHECK(std::get<ReportEvent>(e).what == ReportKind::modify_keys);
        CHECK(modify_other_keys_reply(std::get<ReportEvent>(e)) == 2);
        CHECK(modify_other_keys_reply(std::get<ReportEvent>(decode_one("\x1b[>4m"))) == 0);  // unset
        CHECK_FALSE(modify_other_keys_reply(std::get<ReportEvent>(decode_one("\x1b[>1;2m"))).has_value());
        auto g = decode_one("\x1b[?1;0;256S");
        REQUIRE(std::holds_alternative<ReportEvent>(g));
        CHECK(std::get<ReportEvent>(g).what == ReportKind::xtsmgraphics);
        CHECK(std::get<ReportEvent>(g).params == std::vector<int>{1, 0, 256});
        CHECK(std::get<ReportEvent>(decode_one("\x1b[?1;2;0S")).params == std::vector<int>{1, 2, 0});
    }

    TEST_CASE("pixel sizes: CSI 4 (text area) and CSI 6 (cell) window reports")
    {
        auto area = std::get<ReportEvent>(decode_one("\x1b[4;600;800t"));
        CHECK(window_pixels_reply(area) == PixelSize{800, 600});
        CHECK_FALSE(cell_pixels_reply(area).has_value());
        auto cell = std::get<ReportEvent>(decode_one("\x1b[6;17;8t"));
        CHECK(cell_pixels_reply(cell) == PixelSize{8, 17});
        CHECK_FALSE(window_pixels_reply(std::get<ReportEvent>(decode_one("\x1b[8;24;80t"))).has_value());
    }
}
