// Correlated queries (InputDevice::query and its typed helpers) inside a real PTY, the parent
// playing the terminal: it waits for each request on the master, then answers (or stays
// silent) in the order a terminal would, with keys typed among the replies.
//
// What each scenario proves: several queries in flight from several threads each get their
// own reply, in wire order, while keys typed meanwhile reach the receiver in order and
// nothing of a reply does; a request the terminal does not know ends at its sentinel (DA1),
// not at the timeout; a silent terminal costs the timeout, and a reply that comes after its
// query gave up arrives as the report it is (its sentinel's DA1, ours, does not); cursor_position() falls back from DECXCPR to the
// plain CPR and reads `CSI 1 ; m R` as a position.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include "harness.hpp"
#include "vtinput/input_device.hpp"

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
}
