// What a user types, clicks, pastes and resizes, through a real pseudo-terminal: the bytes a
// terminal emulator (xterm, kitty) sends for each, written to the master, must come out of the
// input device in the child as the right events.
//
// Most scenarios use the echo child: it opens the device with the given decoder options,
// reports "ready", then reports every event until end of input, which the parent causes by
// hanging up. The bracketed paste has its own child, which checks 1 MiB against the expected
// bytes itself instead of sending them back.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.hpp"
#include "device/lifecycle.hpp"
#include "vtinput/input_device.hpp"

#include "test_util.hpp"

using namespace vtinput;
using pty::PtyChild;
using pty::Reporter;
using pty::typed;

namespace {

// The echo child: every event the device delivers, until end of input.
pty::Scenario echo(DecoderOptions decoder = {})
{
    return [decoder](Reporter& report) {
        std::signal(SIGHUP, SIG_IGN);  // the hang-up must be observed as end of input
        DeviceOptions options;
        options.decoder = decoder;
        auto dev = InputDevice::open(options);
        report.line("ready");
        while (true) {
            Event e = pty::next_event(dev.events(), "the device");
            report.event("dev", e);
            if (std::holds_alternative<EofEvent>(e)) {
                break;
            }
            pty::require(!std::holds_alternative<ErrorEvent>(e), "the device reported an error");
        }
        dev.close();
        pty::require(detail::Lifecycle::instance().wait_idle(pty::k_child_timeout),
                     "the poller did not exit after end of input");
    };
}

// Hangs up and expects the echo child to see end of input and exit cleanly.
void hang_up_and_finish(PtyChild& child)
{
    child.hangup();
    child.expect_event(EofEvent{});
    child.finish();
}

Event key(Key k, Mods mods = {}, KeyKind kind = KeyKind::press)
{
    KeyEvent e;
    e.key = k;
    e.mods = mods;
    e.kind = kind;
    return e;
}

using vtinput::test::mouse;

// An X10/normal mouse report (CSI M Cb Cx Cy) with 1-based coordinates as raw bytes, each
// value + 32: column 223 is the largest a byte can carry (255).
std::string x10(int button, int col, int row)
{
    std::string s = "\x1b[M";
    for (int v : {button, col, row}) {
        s += static_cast<char>(static_cast<unsigned char>(32 + v));
    }
    return s;
}

// The same with mode 1005: each value + 32 encoded as UTF-8.
std::string x10_utf8(int button, int col, int row)
{
    std::string s = "\x1b[M";
    for (int v : {button, col, row}) {
        append_utf8(s, static_cast<char32_t>(32 + v));
    }
    return s;
}

// ---- the paste ----------------------------------------------------------------------------

constexpr std::size_t k_paste_size = std::size_t{1} << 20;
constexpr std::string_view k_paste_begin = "\x1b[200~";
constexpr std::string_view k_paste_end = "\x1b[201~";

// 1 MiB of what people paste and what a paste can hold: lines of text with LF and CRLF, tabs,
// multi-byte UTF-8, escape sequences (including a nested start marker and near-misses of the
// end marker), C0 controls, NUL, DEL and stray 8-bit bytes. Never the end marker itself.
// Deterministic, so that the child can rebuild it and compare byte for byte.
std::string paste_body()
{
    static const std::vector<std::string_view> pieces = {
        "the quick brown fox ",
        "jumps over ",
        "the lazy dog",
        "\n",
        "\r\n",
        "\t",
        "    ",
        "\xc3\xa9",
        "\xe4\xb8\xad\xe6\x96\x87",
        "\xf0\x9f\x98\x80",
        "\xe2\x82\xac",
        "\x1b[A",
        "\x1b[1;5C",
        "\x1b",
        "\x1b[200~",
        "\x1b[201",
        "\x1b[20",
        "\x1b[2",
        "\x1b[",
        "\x1bOP",
        "\x1b]0;title\x07",
        "\x03",
        "\x04",
        "\x11",
        "\x13",
        "\x1a",
        "\x7f",
        std::string_view("\0", 1),
        "\x9b",
        "\xff",
        "\x80",
        "~",
        "201~",
        "[201~",
        "0123456789",
    };
    std::string body;
    body.reserve(k_paste_size + 64);
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    while (body.size() < k_paste_size) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        body += pieces[x % pieces.size()];
        // Keep the end marker out, whatever the pieces joined into.
        if (body.size() >= k_paste_end.size() &&
            body.compare(body.size() - k_paste_end.size(), k_paste_end.size(), k_paste_end) == 0) {
            body.pop_back();
        }
    }
    body.resize(k_paste_size);
    return body;
}

std::uint64_t fnv1a(std::string_view s)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) {
        h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    return h;
}

std::string paste_summary(std::string_view text)
{
    return "paste bytes=" + std::to_string(text.size()) + " fnv=" + std::to_string(fnv1a(text));
}

// Collects paste parts until the last one, then checks the whole against paste_body().
void paste_child(Reporter& report)
{
    // The default timeouts: a loaded machine (sanitizers, two CPUs) may pause the parent's
    // writes past the stale timeout, which only splits the paste into more parts.
    auto dev = InputDevice::open(DeviceOptions{});
    const std::string expected = paste_body();
    report.line("ready");
    std::string got;
    std::size_t parts = 0;
    while (true) {
        Event e = pty::next_event(dev.events(), "the device");
        auto* p = std::get_if<PasteEvent>(&e);
        pty::require(p != nullptr, "expected a paste part after " + std::to_string(got.size()) + " bytes, got " +
                                       to_json(e).substr(0, 200));
        got += p->text;
        ++parts;
        if (!p->continued) {
            break;
        }
    }
    if (got != expected) {
        std::size_t at = 0;
        while (at < got.size() && at < expected.size() && got[at] == expected[at]) {
            ++at;
        }
        pty::require(false, "the paste differs at byte " + std::to_string(at) + " (got " + std::to_string(got.size()) +
                                " bytes, expected " + std::to_string(expected.size()) + ")");
    }
    report.line(paste_summary(got));
    report.line("parts " + std::to_string(parts));
    // The end marker was consumed: what follows is input again.
    report.event("dev", pty::next_event(dev.events(), "the device"));
}

}  // namespace

TEST_SUITE("pty")
{

    TEST_CASE("keyboard: xterm and kitty modifiers, lone ESC, split CSI, Alt by ESC")
    {
        PtyChild child("keyboard", echo());
        child.expect("ready");
        // xterm: CSI 1 ; mod <final> and CSI n ; mod ~, mod = 1 + bits.
        child.type("\x1b[1;5A");
        child.expect_event(key(Key::up, Mod::ctrl));
        child.type("\x1b[15;3~");
        child.expect_event(key(function_key(5), Mod::alt));
        child.type("\x1b[Z");
        child.expect_event(key(Key::tab, Mod::shift));
        // kitty keyboard protocol: CSI code ; mods [: event type] u.
        child.type("\x1b[97;5u");
        child.expect_event(key(char_key(U'a'), Mod::ctrl));
        child.type("\x1b[97;1:3u");
        child.expect_event(key(char_key(U'a'), {}, KeyKind::release));
        // A lone ESC is Escape once the ESC timeout (50 ms) has passed: the poller's timer fires.
        child.type("\x1b");
        child.expect_event(key(Key::escape));
        // A sequence cut across two writes is still one key.
        child.type("\x1b[");
        child.type("A");
        child.expect_event(key(Key::up));
        // Alt+x as terminals send it by default: ESC then the key.
        child.type("\x1bx");
        child.expect_event(key(char_key(U'x'), Mod::alt));
        child.type("q");
        child.expect_event(typed(U'q'));
        hang_up_and_finish(child);
    }

    TEST_CASE("mouse: SGR and X10 reports, coordinates up to column 223 as raw bytes")
    {
        PtyChild child("mouse", echo());
        child.expect("ready");
        child.type("\x1b[<0;10;5M");
        child.expect_event(mouse(MouseAction::press, MouseButton::left, 9, 4));
        child.type("\x1b[<0;300;5m");  // SGR has no column limit
        child.expect_event(mouse(MouseAction::release, MouseButton::left, 299, 4));
        child.type(x10(0, 1, 1));
        child.expect_event(mouse(MouseAction::press, MouseButton::left, 0, 0));
        child.type(x10(0, 223, 24));  // column byte 0xff
        child.expect_event(mouse(MouseAction::press, MouseButton::left, 222, 23));
        child.type(x10(3, 223, 24));  // X10 release: no button
        child.expect_event(mouse(MouseAction::release, MouseButton::none, 222, 23));
        child.type(x10(2, 100, 96));  // 8-bit bytes 0x84 and 0x80
        child.expect_event(mouse(MouseAction::press, MouseButton::right, 99, 95));
        hang_up_and_finish(child);
    }

    TEST_CASE("mouse: UTF-8 coordinates (mode 1005) past column 223")
    {
        DecoderOptions decoder;
        decoder.mouse_utf8 = true;
        PtyChild child("mouse-utf8", echo(decoder));
        child.expect("ready");
        child.type(x10_utf8(0, 300, 5));
        child.expect_event(mouse(MouseAction::press, MouseButton::left, 299, 4));
        child.type(x10_utf8(0, 224, 200));  // just past what a raw byte can carry
        child.expect_event(mouse(MouseAction::press, MouseButton::left, 223, 199));
        child.type(x10_utf8(3, 2000, 1));
        child.expect_event(mouse(MouseAction::release, MouseButton::none, 1999, 0));
        child.type(x10_utf8(0, 10, 5));  // small values are single bytes, as without 1005
        child.expect_event(mouse(MouseAction::press, MouseButton::left, 9, 4));
        hang_up_and_finish(child);
    }

    TEST_CASE("bracketed paste: 1 MiB with newlines, tabs, UTF-8 and escape bytes arrives byte for byte")
    {
        const std::string body = paste_body();
        REQUIRE(body.size() == k_paste_size);
        REQUIRE(body.find(k_paste_end) == std::string::npos);
        PtyChild child("paste", paste_child);
        child.expect("ready");
        child.type(k_paste_begin);
        child.type(body, 4096);
        child.type(k_paste_end);
        child.expect(paste_summary(body));
        std::string parts = child.expect_prefix("parts ");
        MESSAGE("1 MiB paste arrived in " << parts << " paste event(s)");
        child.type("z");
        child.expect_event(typed(U'z'));
        child.finish();
    }

    TEST_CASE("utf-8: multi-byte characters split across writes arrive as single keys")
    {
        PtyChild child("utf8", echo());
        child.expect("ready");
        for (std::u32string_view chars :
             {std::u32string_view(U"\u00e9"), std::u32string_view(U"\u4e2d"), std::u32string_view(U"\U0001F600")}) {
            char32_t c = chars[0];
            std::string bytes;
            append_utf8(bytes, c);
            // Every byte in a write of its own.
            for (char b : bytes) {
                child.type(std::string(1, b));
            }
            child.expect_event(typed(c));
            // Every way of cutting it in two.
            for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
                child.type(std::string_view(bytes).substr(0, cut));
                child.type(std::string_view(bytes).substr(cut));
                child.expect_event(typed(c));
            }
        }
        hang_up_and_finish(child);
    }

    TEST_CASE("sigwinch: a resize of the window arrives as a resize event with the new size")
    {
        PtyChild child("sigwinch", echo(), {80, 24});
        child.expect("ready");
        // A key round trip first: once the poller has delivered a key it is inside its loop, and
        // its SIGWINCH watcher was started before that (see the separate test on the window
        // between open() and the thread's start).
        child.type("k");
        child.expect_event(typed(U'k'));
        child.resize(100, 40, 800, 640);
        child.expect_event(ResizeEvent{100, 40, 800, 640});
        child.resize(132, 50);
        child.expect_event(ResizeEvent{132, 50, 0, 0});
        child.type("k");
        child.expect_event(typed(U'k'));
        hang_up_and_finish(child);
    }

    constexpr int k_early_resizes = 5;

    TEST_CASE("sigwinch: a resize just after open() returns is not lost")
    {
        // Only the child knows the moment open() returns, so the child resizes its own terminal:
        // TIOCSWINSZ on the slave does what it does on the master (the new size, then SIGWINCH to
        // the foreground process group). Each round starts a new poller generation.
        PtyChild child("sigwinch-after-open", [](Reporter& report) {
            for (int i = 0; i < k_early_resizes; ++i) {
                pty::require(detail::Lifecycle::instance().wait_idle(pty::k_child_timeout), "the poller did not exit");
                auto dev = InputDevice::open();
                winsize ws{};
                ws.ws_col = static_cast<unsigned short>(90 + i);
                ws.ws_row = 30;
                pty::require(::ioctl(STDOUT_FILENO, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ");
                report.event("dev", pty::next_event(dev.events(), "the device after a resize"));
            }
        });
        for (int i = 0; i < k_early_resizes; ++i) {
            child.expect_event(ResizeEvent{90 + i, 30, 0, 0});
        }
        child.finish();
    }

    TEST_CASE("focus: CSI I and CSI O arrive as focus in and out")
    {
        PtyChild child("focus", echo());
        child.expect("ready");
        child.type("\x1b[I");
        child.expect_event(FocusEvent{true});
        child.type("\x1b[O");
        child.expect_event(FocusEvent{false});
        child.type("\x1b[I\x1b[O");
        child.expect_event(FocusEvent{true});
        child.expect_event(FocusEvent{false});
        hang_up_and_finish(child);
    }

}  // TEST_SUITE
