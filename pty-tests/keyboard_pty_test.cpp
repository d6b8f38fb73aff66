// TerminalModes::keyboard = Keyboard::automatic inside a real PTY, the parent playing the
// terminal: InputDevice::open() probes, chooses the keyboard protocol by the answers
// (choose_keyboard), sets it through the guard, asks which kitty flags were granted, and every
// way out undoes it.
//
// What each scenario proves: a terminal that answers `CSI ? u` gets the kitty flags asked for,
// and keyboard() reports the flags it granted (fewer than asked); an xterm gets modifyOtherKeys
// 2, read from its XTVERSION; a silent terminal costs the probe's timeout once and gets legacy
// keys, with no push written; each protocol is popped on close, on suspend (and pushed again
// on resume) and by a signal's restore, and keys in it decode.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <string>

#include "harness.hpp"
#include "vtinput/input_device.hpp"

using namespace vtinput;
using namespace std::chrono_literals;
using pty::PtyChild;
using pty::Reporter;

namespace {

// The child: opens with an automatic keyboard asking for `kitty_flags`, reports what is in
// effect, reads one key, closes, and says so.
pty::Scenario automatic_keyboard(unsigned kitty_flags, std::chrono::milliseconds probe_timeout)
{
    return [=](Reporter& report) {
        DeviceOptions o;
        o.terminal->keyboard = Keyboard::automatic;
        o.terminal->kitty_flags = kitty_flags;
        o.probe_timeout = probe_timeout;
        auto dev = InputDevice::open(o);
        report.line("keyboard " + to_string(dev.keyboard()));
        report.line("probe " + std::string(to_string(dev.capabilities().status)));
        report.event("dev", pty::next_event(dev.events(), "a key in the chosen protocol"));
        dev.close();
        report.line("closed");
    };
}

Event ctrl_a()
{
    KeyEvent k;
    k.key = char_key(U'a');
    k.mods = Mod::ctrl;
    return k;
}

}  // namespace

TEST_SUITE("pty")
{
    TEST_CASE("keyboard automatic: a kitty terminal gets the flags asked for; keyboard() reports those it granted")
    {
        PtyChild child("keyboard-kitty", automatic_keyboard(0b111, 10s));
        // Round one ends with the sentinel; the terminal speaks kitty and names itself.
        std::size_t at = child.wait_output("\x1b[c");
        child.type("\x1b[?0u\x1bP>|kitty(0.31.0)\x1b\\\x1b[?62;22c");
        // Round two (XTVERSION was answered): answered with its sentinel alone.
        at = child.wait_output("\x1b[c", at + 3);
        child.type("\x1b[?62;22c");
        // The push, then the question which flags are in effect: granted 1 of 7.
        at = child.wait_output("\x1b[>7u", at + 3);
        at = child.wait_output("\x1b[?u\x1b[c", at);
        child.type("\x1b[?1u\x1b[?62;22c");
        child.expect("keyboard kitty flags 1");
        child.expect("probe answered");
        child.type("\x1b[97;5u");
        child.expect_event(ctrl_a());
        child.expect("closed");
        child.wait_output("\x1b[<u", at);
        child.finish();
    }

    TEST_CASE("keyboard automatic: xterm (by its XTVERSION) gets modifyOtherKeys 2, reset on close")
    {
        PtyChild child("keyboard-xterm", automatic_keyboard(0, 10s));
        std::size_t at = child.wait_output("\x1b[c");
        child.type("\x1bP>|XTerm(390)\x1b\\\x1b[>41;390;0c\x1b[?64;1;2;6;9;15;16;17;18;21;22;28c");
        at = child.wait_output("\x1b[?4m\x1b[c", at + 3);
        child.type("\x1b[>4;0m\x1b[?64;1;2c");
        at = child.wait_output("\x1b[>4;2m", at);
        child.expect("keyboard modifyOtherKeys 2");
        child.expect("probe answered");
        child.type("\x1b[27;5;97~");
        child.expect_event(ctrl_a());
        child.expect("closed");
        child.wait_output("\x1b[>4m", at + 6);
        child.finish();
    }

    TEST_CASE("keyboard automatic: a silent terminal costs the probe's timeout once and keeps legacy keys")
    {
        PtyChild child("keyboard-silent", automatic_keyboard(0b1, 200ms));
        child.wait_output("\x1b[c");
        child.expect("keyboard legacy");
        child.expect("probe timed out");
        child.type("\x01");
        child.expect_event(ctrl_a());
        child.expect("closed");
        child.finish();
        const std::string& out = child.terminal_output();
        CHECK(out.find("\x1b[>1u") == std::string::npos);
        CHECK(out.find("\x1b[>4;") == std::string::npos);
        CHECK(out.find("\x1b[<u") == std::string::npos);
    }

    TEST_CASE("keyboard automatic: the chosen protocol is popped on suspend, pushed on resume, popped by SIGTERM")
    {
        PtyChild child("keyboard-signal", {.cooked = true}, [](Reporter& report) {
            DeviceOptions o;
            o.terminal->keyboard = Keyboard::automatic;
            o.terminal->kitty_flags = 0b11;
            o.probe_timeout = 10s;
            auto dev = InputDevice::open(o);
            report.line("keyboard " + to_string(dev.keyboard()));
            pty::await_cue("suspend");
            dev.suspend();
            report.line("suspended");
            pty::await_cue("resume");
            dev.resume();
            report.line("resumed");
            pty::await_cue("never");  // SIGTERM arrives while the child waits here
            pty::require(false, "still running after SIGTERM");
        });
        std::size_t at = child.wait_output("\x1b[c");
        child.type("\x1b[?0u\x1b[?62;22c");  // kitty flags, no XTVERSION: no second round
        at = child.wait_output("\x1b[>3u", at + 3);
        at = child.wait_output("\x1b[?u\x1b[c", at);
        child.type("\x1b[?3u\x1b[?62;22c");
        child.expect("keyboard kitty flags 3");
        child.cue("suspend");
        child.expect("suspended");
        at = child.wait_output("\x1b[<u", at);
        child.cue("resume");
        child.expect("resumed");
        at = child.wait_output("\x1b[>3u", at);
        child.send_signal(SIGTERM);
        int status = child.wait_end();
        CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM), "wait status " << status);
        child.wait_output("\x1b[<u", at);
        child.expect_initial_termios("after SIGTERM");
        child.expect_no_sanitizer_report();
    }
}
