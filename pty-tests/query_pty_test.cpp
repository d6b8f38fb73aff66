// Correlated queries (InputDevice::query and its typed helpers) and the two-round capability
// probe (InputDevice::query_capabilities) inside a real PTY, the parent playing the terminal: it
// waits for each request on the master, then answers (or stays silent) in an order and with
// delays the scenario chooses, with keys typed among the replies.
//
// What each scenario proves, as a user would notice it:
// - several queries in flight from several threads each get their own reply, whether the
//   terminal answers in wire order or out of it (replies told apart by their kind and key: mode
//   number, palette index, cell or text-area size), while keys typed meanwhile reach the
//   receiver in order and nothing of a reply does;
// - a key typed while a query waits reaches the receiver before the terminal has answered;
// - a request the terminal does not know ends at its sentinel (DA1), not at the timeout;
// - a silent terminal costs each typed helper its timeout and it returns "nothing"; replies that
//   come after their query gave up arrive as the reports they are (their sentinels' DA1s, ours,
//   do not), and do not answer a later query of their kind about something else;
// - cursor_position() falls back from DECXCPR to the plain CPR and reads `CSI 1 ; m R` as a
//   position;
// - the probe against a scripted xterm answering both rounds, keys typed before, between and
//   inside the rounds: every Capabilities field as answered, every key exactly once and in
//   order on every receiver; against one that answers round one only: round one's fields, round
//   two's unknown, and round two's late replies as reports; replies in another order than asked
//   (DA2 before XTVERSION, per-name XTGETTCAP answers reversed) fill the right fields; queries
//   issued while the probe runs each get their own reply, also one answered before the probe's.
//
// Delays (PtyChild::linger) are the scripted terminal's, to make an ordering likely; no
// outcome depends on them.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness.hpp"
#include "vtinput/capabilities.hpp"
#include "vtinput/input_device.hpp"
#include "vtinput/replies.hpp"

using namespace vtinput;
using namespace std::chrono_literals;
using pty::PtyChild;
using pty::Reporter;

namespace {

constexpr auto k_long = std::chrono::duration_cast<std::chrono::milliseconds>(pty::k_child_timeout);

std::string rgb_text(const std::optional<Rgb>& c) { return c ? c->hex() : std::string("none"); }

std::string position_text(const std::optional<CursorPositionEvent>& p)
{
    return p ? std::to_string(p->row) + "," + std::to_string(p->col) : std::string("none");
}

// Timeouts of the scenarios in which the terminal stays silent: short, since they are waited
// out. The probe's must also cover round one's answer, which the parent sends at once.
constexpr auto k_silent = 150ms;
constexpr auto k_probe_timeout = 500ms;

// The child's TERM (the harness sets it): what the probe's first round is tailored to.
constexpr std::string_view k_term = "xterm-256color";

constexpr std::string_view k_da1 = "\x1b[?62;22c";  // a DA1 reply, for the sentinels

std::string hex(std::string_view s)
{
    static constexpr char k_digits[] = "0123456789ABCDEF";  // upper case, as xterm writes it
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        out += k_digits[c >> 4];
        out += k_digits[c & 0xf];
    }
    return out;
}

// An XTGETTCAP reply that knows every name: `DCS 1 + r name=value;... ST`, a boolean (empty
// value) without `=value`.
std::string termcap_answer(std::initializer_list<std::pair<std::string_view, std::string_view>> entries)
{
    std::string out = "\x1bP1+r";
    bool first = true;
    for (const auto& [name, value] : entries) {
        out += first ? "" : ";";
        out += hex(name);
        if (!value.empty()) {
            out += "=" + hex(value);
        }
        first = false;
    }
    return out + "\x1b\\";
}

// A scripted xterm, patch 390, run as xterm-direct (it knows RGB). Round one as it answers it,
// in the order asked, in three parts so that keys can go between them: the mode reports (it
// knows no `CSI ? u` and no `CSI ? 996 n`), then colours, sizes, XTVERSION and DA2, then DA1.
constexpr std::string_view k_xterm_modes = "\x1b[?1;1$y\x1b[?1000;2$y\x1b[?1002;2$y\x1b[?1003;2$y\x1b[?1004;2$y"
                                           "\x1b[?1006;2$y\x1b[?1016;2$y\x1b[?2004;2$y\x1b[?2026;0$y\x1b[?2027;0$y"
                                           "\x1b[?2031;0$y\x1b[?2048;0$y\x1b[?9001;0$y";
constexpr std::string_view k_xterm_rest = "\x1b]10;rgb:0000/0000/0000\x1b\\\x1b]11;rgb:ffff/ffff/dddd\x1b\\"
                                          "\x1b[4;384;640t\x1b[6;16;8t\x1bP>|XTerm(390)\x1b\\\x1b[>41;390;0c";
constexpr std::string_view k_xterm_da1 = "\x1b[?64;1;2;4;6;9;15;18;21;22c";

// What round one told the probe that decides round two: xterm 390 (XTQMODKEYS included).
Capabilities xterm_round_one()
{
    Capabilities c;
    c.version = "XTerm(390)";
    return c;
}

// The scripted xterm's answers to round two, in the order asked, without the DA1: XTGETTCAP
// (every name known: one reply), the kitty graphics query (OK), XTQMODKEYS (level 2).
std::string xterm_termcap() { return termcap_answer({{"TN", "xterm-direct"}, {"RGB", ""}, {"colors", "16777216"}}); }
constexpr std::string_view k_graphics_ok = "\x1b_Gi=31;OK\x1b\\";
constexpr std::string_view k_modify_keys = "\x1b[>4;2m";

// Every field of a probe's result that does not depend on the clock, in one line.
std::string describe(const Capabilities& c)
{
    auto list = [](const std::vector<int>& v) {
        std::string out;
        for (std::size_t i = 0; i < v.size(); ++i) {
            out += (i ? "," : "") + std::to_string(v[i]);
        }
        return out.empty() ? std::string("none") : out;
    };
    auto pixels = [](const std::optional<PixelSize>& p) {
        return p ? std::to_string(p->width) + "x" + std::to_string(p->height) : std::string("unknown");
    };
    auto yes_no = [](const std::optional<bool>& b) { return b ? (*b ? "yes" : "no") : "unknown"; };
    auto number = [](const auto& n) { return n ? std::to_string(*n) : std::string("unknown"); };
    std::string out = "status=" + std::string(to_string(c.status));
    out += " version=" + (c.version.empty() ? std::string("none") : c.version);
    out += " da1=" + list(c.device_attributes) + " da2=" + list(c.secondary_attributes);
    out += " kitty=" + number(c.kitty_flags);
    out += " fg=" + rgb_text(c.foreground) + " bg=" + rgb_text(c.background);
    out += c.color_scheme == ColorScheme::dark    ? " scheme=dark"
           : c.color_scheme == ColorScheme::light ? " scheme=light"
                                                  : " scheme=unknown";
    out += " cell=" + pixels(c.cell_pixels) + " window=" + pixels(c.window_pixels);
    out += " tn=" + (c.terminal_name.empty() ? std::string("none") : c.terminal_name);
    out += std::string(" truecolor=") + yes_no(c.truecolor) + " colors=" + number(c.colors);
    out += std::string(" graphics=") + yes_no(c.kitty_graphics) + " modifyotherkeys=" + number(c.modify_other_keys);
    out += std::string(" sixel=") + (c.sixel() ? "yes" : "no") + " modes";
    for (const ModeReport& r : c.modes) {
        out += " " + std::to_string(r.mode) + "=" + std::string(to_string(r.support));
    }
    return out;
}

// The xterm's modes as the probe reads k_xterm_modes.
constexpr std::string_view k_xterm_mode_text = "modes 1=set 1000=reset 1002=reset 1003=reset 1004=reset 1006=reset "
                                               "1016=reset 2004=reset 2026=not recognized 2027=not recognized "
                                               "2031=not recognized 2048=not recognized 9001=not recognized";

// The probe's result from the scripted xterm, both rounds answered.
std::string xterm_caps()
{
    return "status=answered version=XTerm(390) da1=64,1,2,4,6,9,15,18,21,22 da2=41,390,0 kitty=unknown fg=#000000 "
           "bg=#ffffdd scheme=light cell=8x16 window=640x384 tn=xterm-direct truecolor=yes colors=16777216 "
           "graphics=yes modifyotherkeys=2 sixel=yes " +
           std::string(k_xterm_mode_text);
}

// Reports every event of `r` up to and including the key '.', which the parent types last:
// whatever came between the keys it typed (a reply let through, an unknown event) shows.
void report_until_dot(Reporter& report, Receiver& r, std::string_view tag)
{
    while (true) {
        Event e = pty::next_event(r, "the events up to the key '.'");
        report.event(tag, e);
        if (const auto* k = std::get_if<KeyEvent>(&e); k != nullptr && k->key == char_key(U'.')) {
            return;
        }
    }
}

// A named key as a terminal sends it without modifiers (no text).
Event named(Key k)
{
    KeyEvent e;
    e.key = k;
    return e;
}

ReportEvent report_of(ReportKind what, std::vector<int> params, std::string text = {}, bool private_mode = false)
{
    return ReportEvent{what, std::move(params), std::move(text), private_mode};
}

std::string termcap_text(const std::optional<TermcapReply>& r)
{
    if (!r) {
        return "none";
    }
    std::string out = r->valid ? "valid" : "invalid";
    for (const auto& [name, value] : r->entries) {
        out += " " + name + "=" + value;
    }
    return out;
}

}  // namespace

TEST_SUITE("pty")
{
    TEST_CASE("query: three queries in flight from three threads each get their own reply; keys typed among the "
              "replies arrive in order")
    {
        PtyChild child("query-three", [](Reporter& report) {
            auto dev = InputDevice::open();
            // Started one after the other on the parent's cue, so that the wire order is known.
            auto position = std::async(std::launch::async, [&] { return dev.cursor_position(k_long); });
            pty::await_cue("second");
            auto background =
                std::async(std::launch::async, [&] { return dev.query_color(TerminalColor::background, k_long); });
            pty::await_cue("third");
            auto mode = std::async(std::launch::async, [&] { return dev.query_mode(2026, k_long); });
            report.line("position " + position_text(position.get()));
            report.line("background " + rgb_text(background.get()));
            report.line("mode2026 " + std::string(to_string(mode.get())));
            for (int i = 0; i < 3; ++i) {
                report.event("dev", pty::next_event(dev.events(), "the keys typed among the replies"));
            }
        });
        std::size_t at = child.wait_output("\x1b[?6n\x1b[c");
        child.cue("second");
        at = child.wait_output("\x1b]11;?\x1b\\\x1b[c", at);
        child.cue("third");
        child.wait_output("\x1b[?2026$p\x1b[c", at);
        // The answers, in wire order, in three writes, with keys between them.
        child.type("a\x1b[?12;40;1R\x1b[?62;22c\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\");
        child.type("b\x1b[?62;22c\x1b[?2026;2$y");
        child.type("\x1b[?62;22cc");
        child.expect("position 12,40");
        child.expect("background #1c1c1c");
        child.expect("mode2026 reset");
        child.expect_event(pty::typed(U'a'));
        child.expect_event(pty::typed(U'b'));
        child.expect_event(pty::typed(U'c'));
        child.finish();
    }

    TEST_CASE("query: a request the terminal does not know ends at the sentinel, not at the timeout")
    {
        PtyChild child("query-unknown", [](Reporter& report) {
            auto dev = InputDevice::open();
            auto start = std::chrono::steady_clock::now();
            auto color = dev.query_color(TerminalColor::cursor, k_long);
            auto waited = std::chrono::steady_clock::now() - start;
            report.line("cursor colour " + rgb_text(color) +
                        (waited < k_long ? " before the timeout" : " at the timeout"));
            report.event("dev", pty::next_event(dev.events(), "the key after"));
        });
        child.wait_output("\x1b]12;?\x1b\\\x1b[c");
        child.type("\x1b[?6c");  // the Linux console: DA1 only
        child.expect("cursor colour none before the timeout");
        child.type("z");
        child.expect_event(pty::typed(U'z'));
        child.finish();
    }

    TEST_CASE("query: a silent terminal costs the timeout; the late reply arrives as a report, its sentinel is taken")
    {
        PtyChild child("query-silent", [](Reporter& report) {
            auto dev = InputDevice::open();
            auto start = std::chrono::steady_clock::now();
            auto size = dev.query_cell_pixels(300ms);
            auto waited =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
            report.line(std::string("cell ") + (size ? "answered" : "none") +
                        (waited >= 300ms ? " after the timeout" : " early"));
            for (int i = 0; i < 2; ++i) {
                report.event("dev", pty::next_event(dev.events(), "the late reply and a key"));
            }
        });
        child.wait_output("\x1b[16t\x1b[c");
        child.expect("cell none after the timeout");
        child.type("\x1b[6;20;10t\x1b[?62;22cq");
        child.expect_event(ReportEvent{ReportKind::window, {6, 20, 10}, {}, false});  // DA1 was ours: gone
        child.expect_event(pty::typed(U'q'));
        child.finish();
    }

    TEST_CASE("query: cursor_position falls back to the plain CPR, whose `CSI 1 ; 5 R` is a position, not Ctrl+F3")
    {
        PtyChild child("query-cpr", [](Reporter& report) {
            auto dev = InputDevice::open();
            report.line("position " + position_text(dev.cursor_position(k_long)));
            report.event("dev", pty::next_event(dev.events(), "the key after"));
        });
        std::size_t at = child.wait_output("\x1b[?6n\x1b[c");
        child.type("\x1b[?6c");  // no DECXCPR here
        child.wait_output("\x1b[6n\x1b[c", at);
        child.type("\x1b[1;5R\x1b[?6cw");
        child.expect("position 1,5");
        child.expect_event(pty::typed(U'w'));
        child.finish();
    }

    TEST_CASE("query: a key typed while a query waits reaches the receiver before the terminal answers")
    {
        PtyChild child("query-key-first", [](Reporter& report) {
            auto dev = InputDevice::open();
            auto mode = std::async(std::launch::async, [&] { return dev.query_mode(2004, k_long); });
            report.event("dev", pty::next_event(dev.events(), "the key typed while the query waits"));
            report.line(mode.wait_for(0s) == std::future_status::ready ? "the query had returned"
                                                                       : "the query still waits");
            report.line("mode2004 " + std::string(to_string(mode.get())));
            report.event("dev", pty::next_event(dev.events(), "the key after the reply"));
        });
        child.wait_output("\x1b[?2004$p\x1b[c");
        child.type("k");
        // The terminal answers only once the key has been seen: it cannot have waited for the reply.
        child.expect_event(pty::typed(U'k'));
        child.expect("the query still waits");
        child.type("\x1b[?2004;1$y" + std::string(k_da1) + "z");
        child.expect("mode2004 set");
        child.expect_event(pty::typed(U'z'));
        child.finish();
    }

    TEST_CASE("query: six helpers in flight from six threads, answered out of order with delays, each get their "
              "own reply; keys typed among the replies arrive in order")
    {
        PtyChild child("query-out-of-order", [](Reporter& report) {
            auto dev = InputDevice::open();
            // Started one after the other on the parent's cues, so that the wire order is known.
            auto palette1 = std::async(std::launch::async, [&] { return dev.query_palette(1, k_long); });
            pty::await_cue("palette2");
            auto palette2 = std::async(std::launch::async, [&] { return dev.query_palette(2, k_long); });
            pty::await_cue("mode2004");
            auto mode2004 = std::async(std::launch::async, [&] { return dev.query_mode(2004, k_long); });
            pty::await_cue("mode2026");
            auto mode2026 = std::async(std::launch::async, [&] { return dev.query_mode(2026, k_long); });
            pty::await_cue("window");
            auto window = std::async(std::launch::async, [&] { return dev.query_window_pixels(k_long); });
            pty::await_cue("cell");
            auto cell = std::async(std::launch::async, [&] { return dev.query_cell_pixels(k_long); });
            auto pixels = [](const std::optional<PixelSize>& p) {
                return p ? std::to_string(p->width) + "x" + std::to_string(p->height) : std::string("none");
            };
            report.line("palette1 " + rgb_text(palette1.get()));
            report.line("palette2 " + rgb_text(palette2.get()));
            report.line("mode2004 " + std::string(to_string(mode2004.get())));
            report.line("mode2026 " + std::string(to_string(mode2026.get())));
            report.line("window " + pixels(window.get()));
            report.line("cell " + pixels(cell.get()));
            report_until_dot(report, dev.events(), "dev");
        });
        std::size_t at = 0;
        const std::pair<std::string_view, std::string_view> requests[] = {{"\x1b]4;1;?\x1b\\\x1b[c", "palette2"},
                                                                          {"\x1b]4;2;?\x1b\\\x1b[c", "mode2004"},
                                                                          {"\x1b[?2004$p\x1b[c", "mode2026"},
                                                                          {"\x1b[?2026$p\x1b[c", "window"},
                                                                          {"\x1b[14t\x1b[c", "cell"},
                                                                          {"\x1b[16t\x1b[c", ""}};
        for (const auto& [request, next] : requests) {
            at = child.wait_output(request, at) + request.size();
            if (!next.empty()) {
                child.cue(next);
            }
        }
        // The replies in another order than the requests, the later of each pair of siblings
        // (palette 1 and 2, modes 2004 and 2026, text area and cell) first: the oldest query of
        // its kind is offered it first and must let it pass. The sentinels' DA1s come last.
        child.type("\x1b[6;24;12t\x1b[?2026;2$y");
        child.linger(30ms);
        child.type("\x1b]4;2;rgb:0000/cdcd/0000\x1b\\p");
        child.linger(30ms);
        child.type("\x1b[4;600;1000tq\x1b[?2004;1$y\x1b]4;1;rgb:cdcd/0000/0000\x1b\\");
        child.linger(30ms);
        std::string sentinels;
        for (int i = 0; i < 6; ++i) {
            sentinels += k_da1;
        }
        child.type(sentinels + ".");
        child.expect("palette1 #cd0000");
        child.expect("palette2 #00cd00");
        child.expect("mode2004 set");
        child.expect("mode2026 reset");
        child.expect("window 1000x600");
        child.expect("cell 12x24");
        child.expect_event(pty::typed(U'p'));
        child.expect_event(pty::typed(U'q'));
        child.expect_event(pty::typed(U'.'));
        child.finish();
    }

    TEST_CASE("query: a silent terminal costs each typed helper its timeout and it returns nothing; the late replies "
              "arrive as reports, never as keys")
    {
        PtyChild child("query-silent-helpers", [](Reporter& report) {
            auto dev = InputDevice::open();
            auto timed = [&](const std::string& name, const auto& ask) {
                auto start = std::chrono::steady_clock::now();
                std::string result = ask();
                auto waited = std::chrono::steady_clock::now() - start;
                report.line(name + " " + result + (waited >= k_silent ? " after its timeout" : " early"));
            };
            timed("foreground", [&] { return rgb_text(dev.query_color(TerminalColor::foreground, k_silent)); });
            timed("palette7", [&] { return rgb_text(dev.query_palette(7, k_silent)); });
            timed("mode2026", [&] { return std::string(to_string(dev.query_mode(2026, k_silent))); });
            timed("termcap", [&] { return termcap_text(dev.query_termcap({"TN"}, k_silent)); });
            timed("cell", [&] { return dev.query_cell_pixels(k_silent) ? "answered" : "none"; });
            timed("window", [&] { return dev.query_window_pixels(k_silent) ? "answered" : "none"; });
            timed("position", [&] { return position_text(dev.cursor_position(k_silent)); });
            report_until_dot(report, dev.events(), "dev");
        });
        child.expect("foreground none after its timeout");
        child.expect("palette7 none after its timeout");
        child.expect("mode2026 unknown after its timeout");
        child.expect("termcap none after its timeout");
        child.expect("cell none after its timeout");
        child.expect("window none after its timeout");
        child.expect("position none after its timeout");
        // Every request went out, each with its sentinel (cursor_position: DECXCPR alone; it
        // falls back to the plain CPR only when the sentinel comes first).
        std::size_t at = 0;
        for (std::string_view request :
             {"\x1b]10;?\x1b\\\x1b[c", "\x1b]4;7;?\x1b\\\x1b[c", "\x1b[?2026$p\x1b[c", "\x1bP+q544e\x1b\\\x1b[c",
              "\x1b[16t\x1b[c", "\x1b[14t\x1b[c", "\x1b[?6n\x1b[c"}) {
            at = child.wait_output(request, at) + request.size();
        }
        // The terminal was slow, not dead: it answers everything now, in order, each reply with
        // its DA1. The DA1s were the given-up queries' sentinels.
        const std::string d(k_da1);
        child.type("\x1b]10;rgb:eeee/eeee/eeee\x1b\\" + d + "\x1b]4;7;rgb:e5e5/e5e5/e5e5\x1b\\" + d + "\x1b[?2026;2$y" +
                   d + termcap_answer({{"TN", "xterm-256color"}}) + d + "\x1b[6;16;8t" + d + "\x1b[4;384;640t" + d +
                   "\x1b[?5;1R" + d + ".");
        child.expect_event(report_of(ReportKind::osc, {}, "10;rgb:eeee/eeee/eeee"));
        child.expect_event(report_of(ReportKind::osc, {}, "4;7;rgb:e5e5/e5e5/e5e5"));
        child.expect_event(report_of(ReportKind::decrpm, {2026, 2}, {}, true));
        child.expect_event(report_of(ReportKind::xtgettcap, {}, "1+r544E=" + hex("xterm-256color")));
        child.expect_event(report_of(ReportKind::window, {6, 16, 8}));
        child.expect_event(report_of(ReportKind::window, {4, 384, 640}));
        child.expect_event(CursorPositionEvent{5, 1});  // DECXCPR's
        child.expect_event(pty::typed(U'.'));
        child.finish();
    }

    TEST_CASE("query: a late reply to a query that gave up does not answer the next query of its kind about another "
              "mode or palette entry")
    {
        PtyChild child("query-late-other-key", [](Reporter& report) {
            auto dev = InputDevice::open();
            report.line("mode2004 " + std::string(to_string(dev.query_mode(2004, k_silent))));
            report.line("palette1 " + rgb_text(dev.query_palette(1, k_silent)));
            auto mode = std::async(std::launch::async, [&] { return dev.query_mode(2026, k_long); });
            auto palette = std::async(std::launch::async, [&] { return dev.query_palette(2, k_long); });
            report.line("mode2026 " + std::string(to_string(mode.get())));
            report.line("palette2 " + rgb_text(palette.get()));
            report_until_dot(report, dev.events(), "dev");
        });
        child.expect("mode2004 unknown");
        child.expect("palette1 none");
        child.wait_output("\x1b[?2026$p\x1b[c");
        child.wait_output("\x1b]4;2;?\x1b\\\x1b[c");
        // Slow, not silent: the given-up queries' replies first, as a terminal answers in order.
        const std::string d(k_da1);
        child.type("\x1b[?2004;1$y" + d + "\x1b]4;1;rgb:cdcd/0000/0000\x1b\\" + d);
        child.linger(30ms);
        child.type("\x1b[?2026;2$y\x1b]4;2;rgb:0000/cdcd/0000\x1b\\" + d + d + ".");
        child.expect("mode2026 reset");
        child.expect("palette2 #00cd00");
        child.expect_event(report_of(ReportKind::decrpm, {2004, 1}, {}, true));
        child.expect_event(report_of(ReportKind::osc, {}, "4;1;rgb:cdcd/0000/0000"));
        child.expect_event(pty::typed(U'.'));
        child.finish();
    }

    // query_termcap's is_reply checks the name a reply answers, as query_mode and query_palette
    // check the mode and the index: a reply that comes after its query gave up is not taken as
    // the answer of the next query_termcap, for other names; it reaches the receivers.
    TEST_CASE("query: a late XTGETTCAP reply does not answer the next query_termcap, for other names")
    {
        PtyChild child("query-late-termcap", [](Reporter& report) {
            auto dev = InputDevice::open();
            report.line("RGB " + termcap_text(dev.query_termcap({"RGB"}, k_silent)));
            report.line("TN " + termcap_text(dev.query_termcap({"TN"}, k_long)));
            report_until_dot(report, dev.events(), "dev");
        });
        std::size_t at = child.wait_output(termcap_query({"RGB"}) + "\x1b[c");
        child.expect("RGB none");
        child.wait_output(termcap_query({"TN"}) + "\x1b[c", at + 1);
        // Slow, not silent: both answers now, in order, each with its DA1.
        child.type(termcap_answer({{"RGB", "8/8/8"}}) + std::string(k_da1) + termcap_answer({{"TN", "xterm-kitty"}}) +
                   std::string(k_da1) + ".");
        child.expect("TN valid TN=xterm-kitty");
        child.expect_event(report_of(ReportKind::xtgettcap, {}, "1+r524742=" + hex("8/8/8")));
        child.expect_event(pty::typed(U'.'));
        child.finish();
    }

    // The typed helpers promise nullopt "when the terminal did not answer within `timeout`"
    // (input_device.hpp). cursor_position falls back to the plain CPR only when the sentinel
    // ended DECXCPR (the terminal does not know it), and query_termcap asks its names within
    // one timeout: so against a silent terminal neither writes a second request, which shows
    // without timing anything.
    TEST_CASE("query: against a silent terminal cursor_position writes no plain CPR after DECXCPR timed out")
    {
        PtyChild child("query-silent-position", [](Reporter& report) {
            auto dev = InputDevice::open();
            report.line("position " + position_text(dev.cursor_position(300ms)));
        });
        child.wait_output("\x1b[?6n\x1b[c");
        child.expect("position none");
        child.finish();
        CHECK(child.terminal_output().find("\x1b[6n") == std::string::npos);
    }

    TEST_CASE("query: against a silent terminal query_termcap asks one name, not one timeout per name")
    {
        PtyChild child("query-silent-termcap", [](Reporter& report) {
            auto dev = InputDevice::open();
            report.line("termcap " + termcap_text(dev.query_termcap({"TN", "RGB", "colors"}, 200ms)));
        });
        child.wait_output(termcap_query({"TN"}) + "\x1b[c");
        child.expect("termcap none");
        child.finish();
        CHECK(child.terminal_output().find(termcap_query({"RGB"})) == std::string::npos);
        CHECK(child.terminal_output().find(termcap_query({"colors"})) == std::string::npos);
    }

    TEST_CASE("capabilities: the two-round probe against a scripted xterm: every field as answered; keys typed "
              "before, between and inside the rounds reach every receiver once, in order")
    {
        PtyChild child("probe-xterm", [](Reporter& report) {
            auto dev = InputDevice::open();
            Receiver sub = dev.subscribe();
            const Capabilities& caps = dev.query_capabilities(k_long);
            report.line("caps " + describe(caps));
            report.line(std::string("round trip ") +
                        (caps.round_trip > 0us && caps.round_trip < caps.elapsed ? "measured" : "missing"));
            report_until_dot(report, dev.events(), "dev");
            report_until_dot(report, sub, "sub");
        });
        const std::string round_one = capability_query(k_term);
        std::size_t at = child.wait_output(round_one) + round_one.size();
        child.type("a");  // before any reply
        child.type(std::string(k_xterm_modes) + "\x1b[15~");
        child.linger(20ms);
        // 'b' after round one's DA1, in the same write: typed before round two is asked.
        child.type(std::string(k_xterm_rest) + std::string(k_xterm_da1) + "b");
        child.wait_output(capability_followup(xterm_round_one()), at);
        child.type("c");     // while round two waits
        child.linger(50ms);  // the terminal takes its time with round two
        child.type(xterm_termcap() + "\x1bOA" + std::string(k_graphics_ok) + std::string(k_modify_keys));
        child.linger(20ms);
        child.type(std::string(k_xterm_da1));
        child.expect("caps " + xterm_caps());
        child.expect("round trip measured");
        child.type(".");
        for (std::string_view tag : {"dev", "sub"}) {
            child.expect_event(pty::typed(U'a'), tag);
            child.expect_event(named(function_key(5)), tag);
            child.expect_event(pty::typed(U'b'), tag);
            child.expect_event(pty::typed(U'c'), tag);
            child.expect_event(named(Key::up), tag);
            child.expect_event(pty::typed(U'.'), tag);
        }
        child.finish();
    }

    TEST_CASE("capabilities: a terminal silent in round two: the probe returns round one's fields and unknown for "
              "round two's; round two's late replies arrive as reports, never as keys")
    {
        PtyChild child("probe-silent-round-two", [](Reporter& report) {
            auto dev = InputDevice::open();
            const Capabilities& caps = dev.query_capabilities(k_probe_timeout);
            report.line("caps " + describe(caps));
            report.line(std::string("round two waited ") +
                        (caps.elapsed - caps.round_trip >= k_probe_timeout ? "its timeout" : "less"));
            report_until_dot(report, dev.events(), "dev");
        });
        const std::string round_one = capability_query(k_term);
        std::size_t at = child.wait_output(round_one) + round_one.size();
        child.type(std::string(k_xterm_modes) + std::string(k_xterm_rest) + std::string(k_xterm_da1));
        child.wait_output(capability_followup(xterm_round_one()), at);
        child.type("k");  // while round two waits for answers that do not come
        child.expect("caps status=timed out version=XTerm(390) da1=64,1,2,4,6,9,15,18,21,22 da2=41,390,0 "
                     "kitty=unknown fg=#000000 bg=#ffffdd scheme=light cell=8x16 window=640x384 tn=none "
                     "truecolor=unknown colors=unknown graphics=unknown modifyotherkeys=unknown sixel=yes " +
                     std::string(k_xterm_mode_text));
        child.expect("round two waited its timeout");
        // The probe has returned: the terminal answers round two after all.
        child.type(xterm_termcap() + std::string(k_graphics_ok) + std::string(k_modify_keys) +
                   std::string(k_xterm_da1) + ".");
        child.expect_event(pty::typed(U'k'));
        child.expect_event(report_of(ReportKind::xtgettcap, {}, xterm_termcap().substr(2, xterm_termcap().size() - 4)));
        child.expect_event(report_of(ReportKind::apc, {}, "Gi=31;OK"));
        child.expect_event(report_of(ReportKind::modify_keys, {4, 2}));
        child.expect_event(pty::typed(U'.'));  // the DA1 was round two's sentinel: taken
        child.finish();
    }

    TEST_CASE("capabilities: replies in another order than asked (DA2 before XTVERSION, per-name XTGETTCAP answers "
              "reversed) fill the right fields")
    {
        PtyChild child("probe-reordered", [](Reporter& report) {
            auto dev = InputDevice::open();
            report.line("caps " + describe(dev.query_capabilities(k_long)));
            report_until_dot(report, dev.events(), "dev");
        });
        const std::string round_one = capability_query(k_term);
        std::size_t at = child.wait_output(round_one) + round_one.size();
        // A kitty-like terminal, answering round one back to front (DA1 last, as always): the
        // colour scheme, DA2 before XTVERSION, the cell before the text area, the background
        // before the foreground (BEL-terminated), the modes in reverse, the keyboard flags last.
        child.type("\x1b[?997;1n\x1b[>1;4000;35c\x1bP>|kitty(0.35.2)\x1b\\\x1b[6;20;10t\x1b[4;480;800t"
                   "\x1b]11;rgb:ffff/ffff/ffff\x07\x1b]10;rgb:1111/1111/1111\x07");
        child.type("\x1b[?9001;0$y\x1b[?2048;2$y\x1b[?2031;2$y\x1b[?2027;0$y\x1b[?2026;2$y\x1b[?2004;2$y"
                   "\x1b[?1016;2$y\x1b[?1006;2$y\x1b[?1004;2$y\x1b[?1003;2$y\x1b[?1002;2$y\x1b[?1000;2$y\x1b[?1;1$y"
                   "\x1b[?0u" +
                   std::string(k_da1));
        Capabilities kitty;
        kitty.version = "kitty(0.35.2)";
        child.wait_output(capability_followup(kitty), at);
        // Round two: the graphics reply before XTGETTCAP's, which come one per name, reversed.
        child.type(std::string(k_graphics_ok) + termcap_answer({{"colors", "256"}}) +
                   termcap_answer({{"RGB", "8/8/8"}}) + termcap_answer({{"TN", "xterm-kitty"}}) + std::string(k_da1) +
                   ".");
        // The scheme is the one the terminal named (dark), though its background is white.
        child.expect("caps status=answered version=kitty(0.35.2) da1=62,22 da2=1,4000,35 kitty=0 fg=#111111 "
                     "bg=#ffffff scheme=dark cell=10x20 window=800x480 tn=xterm-kitty truecolor=yes colors=256 "
                     "graphics=yes modifyotherkeys=unknown sixel=no modes 1=set 1000=reset 1002=reset 1003=reset "
                     "1004=reset 1006=reset 1016=reset 2004=reset 2026=reset 2027=not recognized 2031=reset "
                     "2048=reset 9001=not recognized");
        child.expect_event(pty::typed(U'.'));
        child.finish();
    }

    TEST_CASE("capabilities: queries issued while the probe runs each get their own reply, also one answered before "
              "the probe's replies")
    {
        PtyChild child("probe-and-queries", [](Reporter& report) {
            auto dev = InputDevice::open();
            std::future<std::optional<Rgb>> background;
            std::future<std::optional<CursorPositionEvent>> position;
            // One thread takes the parent's cues (the cue socket has one reader) and starts a
            // query on each, while the main thread is inside the probe.
            auto asker = std::async(std::launch::async, [&] {
                pty::await_cue("round-one");
                background =
                    std::async(std::launch::async, [&] { return dev.query_color(TerminalColor::background, k_long); });
                pty::await_cue("round-two");
                position = std::async(std::launch::async, [&] { return dev.cursor_position(k_long); });
            });
            const Capabilities& caps = dev.query_capabilities(k_long);
            asker.get();
            report.line("caps " + describe(caps));
            report.line("background " + rgb_text(background.get()));
            report.line("position " + position_text(position.get()));
            report_until_dot(report, dev.events(), "dev");
        });
        const std::string round_one = capability_query(k_term);
        std::size_t at = child.wait_output(round_one) + round_one.size();
        child.cue("round-one");
        const std::string_view colour_request = "\x1b]11;?\x1b\\\x1b[c";
        at = child.wait_output(colour_request, at) + colour_request.size();
        // Round one, in order, a key among its replies, then the colour query's own reply: the
        // background changed in between (a theme switch), so that the two can be told apart.
        child.type(std::string(k_xterm_modes) + "x" + std::string(k_xterm_rest) + std::string(k_xterm_da1) +
                   "\x1b]11;rgb:2020/4040/6060\x1b\\" + std::string(k_da1));
        const std::string round_two = capability_followup(xterm_round_one());
        at = child.wait_output(round_two, at) + round_two.size();
        child.cue("round-two");
        child.wait_output("\x1b[?6n\x1b[c", at);
        // The position first, though asked after round two (as a multiplexer answers what it
        // knows itself), round two's replies after a delay, the DA1s in order.
        child.type("\x1b[?5;7R");
        child.linger(30ms);
        child.type("y" + xterm_termcap() + std::string(k_graphics_ok) + std::string(k_modify_keys) +
                   std::string(k_xterm_da1) + std::string(k_da1));
        child.expect("caps " + xterm_caps());
        child.expect("background #204060");
        child.expect("position 5,7");
        child.type(".");
        child.expect_event(pty::typed(U'x'));
        child.expect_event(pty::typed(U'y'));
        child.expect_event(pty::typed(U'.'));
        child.finish();
    }
}
