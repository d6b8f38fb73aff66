// Terminal modes restored on every way out, and capability queries, inside a real PTY.
//
// Ways out: each scenario starts from a cooked, distinctive terminal (pty::cooked_termios: a
// restore is then observable field by field), opens the device with several protocol modes and
// the application's own enter/leave bytes (alternate screen, hidden cursor), and leaves one
// way: the device destroyed normally, destroyed by exception unwinding, exit() with the device
// still open (the atexit restore), SIGTERM, a real SIGSEGV, and a stop and continue
// (SIGTSTP/SIGCONT). The parent checks the slave's termios through the master while the child
// waits on a cue, and again once the child is gone, and checks that what the child wrote to
// the terminal is the enable sequence (the modes, then the application's enter bytes) followed
// by the disable sequence (its leave bytes, then the modes) and nothing else. Keypad-transmit
// mode is left to the device there, so every way out also proves that the terminal's rmkx comes
// last (the child's TERM is xterm-256color: smkx first on, rmkx last off). The mode tests check
// those sequences byte for byte for chosen modes, and where keypad transmit's bytes come from:
// the key table's terminfo entry, none without one, the application's own.
//
// Capabilities: the parent plays a terminal that answers the query (with a key typed in the
// middle of the replies), one that answers nothing, and one that answers late.
#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "sanitizers.hpp"
#include "harness.hpp"
#include "vtinput/capabilities.hpp"
#include "vtinput/input_device.hpp"
#include "vtinput/terminal.hpp"

using namespace vtinput;
using namespace std::chrono_literals;
using pty::PtyChild;
using pty::Reporter;
using pty::require;
using pty::typed;

namespace {

// Sanitizers install a SIGSEGV handler of their own. Ours runs first (it was installed later),
// restores the terminal and chains to it; it then prints its report and exits with a status
// rather than dying by the signal.
using vtinput::test::k_sanitized;

// Mouse drag, bracketed paste, focus, kitty flags 5 and in-band resize, with the application's
// own bytes around them (a TUI's alternate screen and hidden cursor), and what they send: the
// application's enter bytes after the modes, its leave bytes before them. Keypad transmit is
// left to the device: xterm-256color's, first on and last off.
TerminalModes many_modes()
{
    TerminalModes m;
    m.mouse = MouseTracking::drag;
    m.bracketed_paste = true;
    m.focus = true;
    m.kitty_flags = 5;
    m.in_band_resize = true;
    m.app_enter = "\x1b[?1049h\x1b[?25l";
    m.app_leave = "\x1b[?25h\x1b[?1049l";
    return m;
}
constexpr std::string_view k_many_enable = "\x1b[?1h\x1b="
                                           "\x1b[?1002h\x1b[?1006h\x1b[?2004h\x1b[?1004h\x1b[>5u\x1b[?2048h"
                                           "\x1b[?1049h\x1b[?25l";
constexpr std::string_view k_many_disable = "\x1b[?25h\x1b[?1049l"
                                            "\x1b[?2048l\x1b[<u\x1b[?1004l\x1b[?2004l\x1b[?1006l\x1b[?1002l"
                                            "\x1b[?1l\x1b>";

DeviceOptions with_modes(const TerminalModes& modes)
{
    DeviceOptions o;
    o.terminal = modes;
    return o;
}

std::string repeat(std::string_view a, std::string_view b, int times)
{
    std::string out;
    for (int i = 0; i < times; ++i) {
        out += a;
        out += b;
    }
    return out;
}

// The child has reported "open": the terminal must be raw, and the modes enabled.
termios expect_open(PtyChild& child)
{
    termios t = child.terminal_termios();
    CHECK_MESSAGE(pty::is_raw(t), child.name() << ": the device is open but the terminal is not raw");
    child.wait_output(k_many_enable);
    return t;
}

// What the child wrote, all of it: the modes enabled, then disabled, `times` times over.
void expect_sequences(PtyChild& child, int times = 1)
{
    CHECK_MESSAGE(child.terminal_output() == repeat(k_many_enable, k_many_disable, times),
                  child.name() << ": unexpected terminal output\n"
                               << child.transcript());
}

void crash()
{
    // A real fault: a store to a page that cannot be written. (Not through a null pointer,
    // which UBSan would catch as undefined behaviour before any fault happened.)
    void* page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    require(page != MAP_FAILED, "mmap");
    *static_cast<volatile char*>(page) = 1;
}

std::string describe(const Capabilities& caps)
{
    std::string out = "status=" + std::string(to_string(caps.status));
    out += " kitty=" + (caps.kitty_flags ? std::to_string(*caps.kitty_flags) : std::string("none"));
    out += " version=" + caps.version + " da1=";
    for (std::size_t i = 0; i < caps.device_attributes.size(); ++i) {
        out += (i ? "," : "") + std::to_string(caps.device_attributes[i]);
    }
    out += " tn=" + caps.terminal_name;
    for (const ModeReport& r : caps.modes) {
        out += " " + std::to_string(r.mode) + "=" + std::string(to_string(r.support));
    }
    return out;
}

// The child's $TERM, which the probe's first round is tailored to.
std::string term()
{
    const char* t = std::getenv("TERM");
    return t != nullptr ? t : "";
}

// An application's handler of the common kind that lets the signal kill the process: it does
// its own clean-up (here, it marks the terminal output), puts the default action back and
// re-raises. It runs inside the library's handler, with the signal blocked, so the re-raised
// signal is delivered only when the library's handler returns.
constexpr std::string_view k_app_marker = "[app handler]";
void reraising_handler(int sig)
{
    ssize_t n = ::write(STDOUT_FILENO, k_app_marker.data(), k_app_marker.size());
    (void)n;
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(sig, &dfl, nullptr);
    ::raise(sig);
}

// An application's handler that carries on: it records the terminal's termios as it finds
// them and tells the main thread through a pipe (the signal may be handled on any thread).
int g_handled[2] = {-1, -1};
termios g_termios_in_handler{};
void carrying_on_handler(int)
{
    int saved_errno = errno;
    ::tcgetattr(STDIN_FILENO, &g_termios_in_handler);
    ssize_t n = ::write(g_handled[1], "!", 1);
    (void)n;
    errno = saved_errno;
}

constexpr auto k_timeout = 300ms;  // of the silent terminal's query

ReportEvent report_event(ReportKind what, std::vector<int> params, bool private_mode = false)
{
    ReportEvent r;
    r.what = what;
    r.params = std::move(params);
    r.private_mode = private_mode;
    return r;
}

}  // namespace

TEST_SUITE("pty")
{

    TEST_CASE("modes: the enable and disable sequences of the modes asked for, in order, and nothing else")
    {
        CHECK(enable_sequence(pty::as_device_sets(many_modes())) == k_many_enable);
        CHECK(disable_sequence(pty::as_device_sets(many_modes())) == k_many_disable);
        PtyChild child("modes-many", [](Reporter& report) {
            auto dev = InputDevice::open(with_modes(many_modes()));
            report.line(dev.terminal()->modes().keypad_transmit ==
                                KeypadTransmit{std::string(pty::k_xterm_smkx), std::string(pty::k_xterm_rmkx)}
                            ? "open"
                            : "open, the guard's keypad_transmit not xterm-256color's");
            pty::await_cue("close");
            dev.close();
            report.line("closed");
        });
        child.expect("open");
        child.wait_output(k_many_enable);
        CHECK(child.terminal_output() == k_many_enable);  // nothing disabled while open
        child.cue("close");
        child.expect("closed");
        child.finish();
        expect_sequences(child);
    }

    TEST_CASE("modes: with only bracketed paste (keypad transmit off), no other sequence")
    {
        PtyChild child("modes-paste", [](Reporter& report) {
            TerminalModes m;
            m.bracketed_paste = true;
            m.keypad_transmit = KeypadTransmit{};
            auto dev = InputDevice::open(with_modes(m));
            report.line("open");
        });
        child.expect("open");
        child.finish();
        const std::string& out = child.terminal_output();
        CHECK(out == "\x1b[?2004h\x1b[?2004l");
        for (const char* absent :
             {"\x1b[?1000", "\x1b[?1002", "\x1b[?1003", "\x1b[?1006", "\x1b[?1016", "\x1b[?1004", "\x1b[>", "\x1b[<",
              "\x1b[?2048", "\x1b[?9001", "\x1b[?1h", "\x1b[?1l", "\x1b=", "\x1b>"}) {
            CHECK_MESSAGE(out.find(absent) == std::string::npos, "unexpected sequence " << (absent + 1));
        }
    }

    TEST_CASE("modes: keypad transmit comes from the key table's terminfo entry, or from the application")
    {
        struct Case {
            const char* name;
            const char* term_env;  // the child's TERM; nullptr: unset
            const char* term;      // DeviceOptions::term
            std::optional<KeypadTransmit> given;
            bool win32_input;
            std::string_view on;   // all the device writes at open ...
            std::string_view off;  // ... and at close
        };
        const Case cases[] = {
            // TERM=xterm-256color, left to the device: its smkx and rmkx.
            {"keypad-xterm", "xterm-256color", "", std::nullopt, false, "\x1b[?1h\x1b=\x1b[?2004h",
             "\x1b[?2004l\x1b[?1l\x1b>"},
            // DeviceOptions::term names the entry of the key table, and so of the bytes: urxvt's
            // DECKPAM alone, whatever TERM says.
            {"keypad-term-option", "xterm-256color", "rxvt-unicode", std::nullopt, false, "\x1b=\x1b[?2004h",
             "\x1b[?2004l\x1b>"},
            // No smkx in the entry: nothing.
            {"keypad-dumb", "dumb", "", std::nullopt, false, "\x1b[?2004h", "\x1b[?2004l"},
            // An unknown entry (the built-in grammar decodes alone): nothing.
            {"keypad-unknown", "no-such-term-xyz", "", std::nullopt, false, "\x1b[?2004h", "\x1b[?2004l"},
            // TERM unset: the key table's fallback name is a guess, not written to.
            {"keypad-unset", nullptr, "", std::nullopt, false, "\x1b[?2004h", "\x1b[?2004l"},
            // The application's own (kitty's smkx: DECCKM alone), whatever TERM says.
            {"keypad-given", "xterm-256color", "", KeypadTransmit{"\x1b[?1h", "\x1b[?1l"}, false, "\x1b[?1h\x1b[?2004h",
             "\x1b[?2004l\x1b[?1l"},
            // win32-input-mode (9001) beside them, after bracketed paste.
            {"keypad-win32", "xterm-256color", "", std::nullopt, true, "\x1b[?1h\x1b=\x1b[?2004h\x1b[?9001h",
             "\x1b[?9001l\x1b[?2004l\x1b[?1l\x1b>"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.name);
            PtyChild child(c.name, [&c](Reporter& report) {
                if (c.term_env != nullptr) {
                    ::setenv("TERM", c.term_env, 1);
                } else {
                    ::unsetenv("TERM");
                }
                DeviceOptions o;
                o.term = c.term;
                TerminalModes m;
                m.bracketed_paste = true;
                m.keypad_transmit = c.given;
                m.win32_input = c.win32_input;
                o.terminal = m;
                auto dev = InputDevice::open(o);
                report.line("open");
                pty::await_cue("close");
            });
            child.expect("open");
            child.wait_output(c.on);
            CHECK_MESSAGE(child.terminal_output() == c.on, child.transcript());
            child.cue("close");
            child.finish();
            CHECK_MESSAGE(child.terminal_output() == std::string(c.on) + std::string(c.off), child.transcript());
        }
    }

    TEST_CASE("keypad transmit: keys in its forms decode; suspend writes rmkx, resume smkx again")
    {
        PtyChild child("keypad-release", [](Reporter& report) {
            TerminalModes m;
            m.bracketed_paste = true;
            auto dev = InputDevice::open(with_modes(m));
            report.line("open");
            report.event("dev", pty::next_key(dev.events(), "the device, keypad transmit on"));
            report.event("dev", pty::next_key(dev.events(), "the device, keypad transmit on"));
            dev.suspend();
            report.line("suspended");
            pty::await_cue("resume");
            dev.resume();
            report.event("dev", pty::next_event(dev.events(), "the device after resume"));
            report.event("dev", pty::next_key(dev.events(), "the device after resume"));
            dev.close();
            report.line("closed");
        });
        const std::string on = std::string(pty::k_xterm_smkx) + "\x1b[?2004h";
        const std::string off = "\x1b[?2004l" + std::string(pty::k_xterm_rmkx);
        child.expect("open");
        child.wait_output(on);
        // What xterm sends in keypad-transmit mode for Up (kcuu1) and Delete (kdch1).
        child.type("\x1bOA");
        KeyEvent up;
        up.key = Key::up;
        child.expect_event(up);
        child.type("\x1b[3~");
        KeyEvent del;
        del.key = Key::del;
        child.expect_event(del);
        child.expect("suspended");
        child.wait_output(off, on.size());  // written before "suspended", read by us maybe after
        CHECK_MESSAGE(child.terminal_output() == on + off, child.transcript());
        child.cue("resume");
        child.expect_event(ResizeEvent{80, 24, 0, 0});
        child.type("\x1b[A");  // and the normal form of Up, which the grammar knows as well
        child.expect_event(up);
        child.expect("closed");
        child.finish();
        CHECK_MESSAGE(child.terminal_output() == on + off + on + off, child.transcript());
    }

    TEST_CASE("restore: the device destroyed normally, then exit 0")
    {
        PtyChild child("restore-close", {.cooked = true}, [](Reporter& report) {
            {
                auto dev = InputDevice::open(with_modes(many_modes()));
                report.line("open");
                pty::await_cue("close");
            }
            report.line("closed");
            pty::await_cue("exit");
        });
        // The start is cooked and unlike both raw mode and the kernel's defaults, so that a
        // restore is observable field by field.
        const termios& before = child.initial_termios();
        CHECK((before.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
        CHECK((before.c_iflag & (ICRNL | ISTRIP)) == (ICRNL | ISTRIP));
        CHECK(before.c_cc[VERASE] == 0x08);
        CHECK(before.c_cc[VMIN] == 5);
        CHECK(before.c_cc[VTIME] == 2);
        CHECK(::cfgetospeed(&before) == B19200);
        child.expect("open");
        expect_open(child);
        child.cue("close");
        child.expect("closed");
        child.expect_initial_termios("the device destroyed, the child still running");
        child.cue("exit");
        child.finish();
        child.expect_initial_termios("after the child's exit");
        expect_sequences(child);
    }

    TEST_CASE("restore: the device destroyed while an exception propagates")
    {
        PtyChild child("restore-exception", {.cooked = true}, [](Reporter& report) {
            try {
                auto dev = InputDevice::open(with_modes(many_modes()));
                report.line("open");
                pty::await_cue("throw");
                throw std::runtime_error("thrown with the device open");
            } catch (const std::runtime_error& e) {
                report.line(std::string("caught ") + e.what());
            }
            pty::await_cue("exit");
        });
        child.expect("open");
        expect_open(child);
        child.cue("throw");
        child.expect("caught thrown with the device open");
        child.expect_initial_termios("after unwinding, the child still running");
        child.cue("exit");
        child.finish();
        child.expect_initial_termios("after the child's exit");
        expect_sequences(child);
    }

    TEST_CASE("restore: exit() with the device still open (the atexit restore)")
    {
        PtyChild child("restore-exit", {.cooked = true}, [](Reporter& report) {
            auto dev = InputDevice::open(with_modes(many_modes()));
            report.line("open");
            pty::await_cue("exit");
            std::exit(3);  // no unwinding: `dev` is never destroyed
        });
        child.expect("open");
        expect_open(child);
        child.cue("exit");
        int status = child.wait_end();
        CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 3), "wait status " << status);
        child.expect_initial_termios("after exit(3)");
        child.expect_no_sanitizer_report();
        expect_sequences(child);
    }

    TEST_CASE("restore: SIGTERM restores, then the child dies by SIGTERM")
    {
        PtyChild child("restore-sigterm", {.cooked = true}, [](Reporter& report) {
            auto dev = InputDevice::open(with_modes(many_modes()));
            report.line("open");
            pty::await_cue("never");  // SIGTERM arrives while the child waits here
            require(false, "still running after SIGTERM");
        });
        child.expect("open");
        expect_open(child);
        child.send_signal(SIGTERM);
        int status = child.wait_end();
        CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM), "wait status " << status);
        child.expect_initial_termios("after SIGTERM");
        child.expect_no_sanitizer_report();
        expect_sequences(child);
    }

    TEST_CASE("restore: SIGTERM chained to an application's handler that re-raises: the child dies restored")
    {
        PtyChild child("restore-sigterm-chained", {.cooked = true}, [](Reporter& report) {
            std::signal(SIGTERM, reraising_handler);
            auto dev = InputDevice::open(with_modes(many_modes()));
            report.line("open");
            pty::await_cue("never");
            require(false, "still running after SIGTERM");
        });
        child.expect("open");
        expect_open(child);
        child.send_signal(SIGTERM);
        int status = child.wait_end();
        CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM), "wait status " << status);
        child.expect_initial_termios("after SIGTERM");
        child.expect_no_sanitizer_report();
        // Restored first, then the application's handler, and no re-apply after it.
        CHECK_MESSAGE(child.terminal_output() == repeat(k_many_enable, k_many_disable, 1) + std::string(k_app_marker),
                      child.transcript());
    }

    TEST_CASE(
        "restore: SIGINT chained to an application's handler that carries on: restored during it, re-applied after")
    {
        PtyChild child("restore-sigint-carry-on", {.cooked = true}, [](Reporter& report) {
            termios before{};
            require(::tcgetattr(STDIN_FILENO, &before) == 0, "tcgetattr");
            require(::pipe(g_handled) == 0, "pipe");
            std::signal(SIGINT, carrying_on_handler);
            {
                auto dev = InputDevice::open(with_modes(many_modes()));
                report.line("open");
                // The parent sends SIGINT, then types a key once it saw the handler's report.
                pollfd p{g_handled[0], POLLIN, 0};
                int left = static_cast<int>(std::chrono::milliseconds(pty::k_child_timeout).count());
                int r = 0;
                while ((r = ::poll(&p, 1, left)) < 0 && errno == EINTR) {}
                require(r == 1, "the application's SIGINT handler did not run");
                std::string diff = pty::termios_diff(before, g_termios_in_handler);
                report.line(diff.empty() ? "handler ran restored" : "handler ran with other termios: " + diff);
                report.event("dev", pty::next_event(dev.events(), "the device after SIGINT"));
            }
            report.line("closed");
            std::signal(SIGINT, SIG_DFL);
            ::close(g_handled[0]);
            ::close(g_handled[1]);
        });
        child.expect("open");
        termios raw = expect_open(child);
        child.send_signal(SIGINT);
        child.expect("handler ran restored");
        // The modes come back after the handler returns, termios first: once the enable sequence
        // is there again, so is raw mode.
        child.wait_output(k_many_enable, child.wait_output(k_many_disable) + k_many_disable.size());
        std::string diff = pty::termios_diff(raw, child.terminal_termios());
        CHECK_MESSAGE(diff.empty(), "after the handler returned the termios are not the raw ones:\n" << diff);
        child.type("k");
        child.expect_event(typed(U'k'));
        child.expect("closed");
        child.finish();
        child.expect_initial_termios("after the child's exit");
        expect_sequences(child, 2);  // enabled, disabled for the handler, enabled after it, disabled
    }

    TEST_CASE("restore: SIGSEGV restores, then the child dies by it (or by its sanitizer's report)")
    {
        PtyChild child("restore-sigsegv", {.cooked = true}, [](Reporter& report) {
            auto dev = InputDevice::open(with_modes(many_modes()));
            report.line("open");
            pty::await_cue("crash");
            crash();
            require(false, "still running after the fault");
        });
        child.expect("open");
        expect_open(child);
        child.cue("crash");
        int status = child.wait_end();
        child.expect_initial_termios("after SIGSEGV");
        const std::string& out = child.terminal_output();
        std::size_t report_at = child.sanitizer_report_at();
        if (k_sanitized && report_at != std::string::npos) {
            // The sanitizer's handler reported the fault and exited; ours ran before it.
            MESSAGE("sanitizer build: the child ended with wait status " << status);
            CHECK_MESSAGE(((WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) ||
                           (WIFEXITED(status) && WEXITSTATUS(status) != 0)),
                          "wait status " << status);
            CHECK_MESSAGE(out.substr(0, report_at) == repeat(k_many_enable, k_many_disable, 1),
                          "the modes were not disabled before the sanitizer's report\n"
                              << child.transcript());
            CHECK_MESSAGE(out.find("SEGV on unknown address", report_at) != std::string::npos,
                          "the sanitizer reported something other than the fault\n"
                              << child.transcript());
        } else {
            CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV), "wait status " << status);
            child.expect_no_sanitizer_report();
            expect_sequences(child);
        }
    }

    TEST_CASE("restore: SIGTSTP restores while stopped; SIGCONT re-applies raw mode and delivers a resize")
    {
        // A stop needs job control: the harness's child is a session leader, and the kernel
        // discards a default-action SIGTSTP sent to an orphaned process group. So the child is a
        // mini shell: the job runs in a process group of its own in the foreground, and the shell
        // waits for it with WUNTRACED, takes the terminal back while it is stopped, and gives it
        // back with SIGCONT. If the shell fails and exits, the kernel hangs the job up (SIGHUP,
        // with SIGCONT if stopped), so nothing is left behind.
        auto job = [](Reporter& report) {
            auto dev = InputDevice::open(with_modes(many_modes()));
            report.line("job open " + std::to_string(::getpid()));
            // The first event is the resize that SIGCONT's handler raises, so that the
            // application redraws.
            report.event("job", pty::next_event(dev.events(), "the job, after SIGCONT"));
            report.event("job", pty::next_key(dev.events(), "the job, after the resize"));
        };
        PtyChild child("restore-sigtstp", {.cooked = true, .forks = true}, [job](Reporter& report) {
            require(pty::thread_count() == pty::threads_at_start(),
                    "the mini shell must be single-threaded when it forks");
            termios before{};
            require(::tcgetattr(STDIN_FILENO, &before) == 0, "tcgetattr");
            std::signal(SIGTTOU, SIG_IGN);  // as shells do: tcsetpgrp from the background
            pid_t pid = ::fork();
            require(pid >= 0, std::string("fork: ") + std::strerror(errno));
            if (pid == 0) {
                ::setpgid(0, 0);
                require(::tcsetpgrp(STDIN_FILENO, ::getpgrp()) == 0, std::string("tcsetpgrp: ") + std::strerror(errno));
                std::signal(SIGTTOU, SIG_DFL);
                pty::run_forked(report, job, "job done");
            }
            ::setpgid(pid, pid);  // also here, as shells do: whichever runs first
            int status = 0;
            require(::waitpid(pid, &status, WUNTRACED) == pid, std::string("waitpid: ") + std::strerror(errno));
            require(WIFSTOPPED(status),
                    "the job ended instead of stopping (wait status " + std::to_string(status) + ")");
            termios stopped{};
            require(::tcgetattr(STDIN_FILENO, &stopped) == 0, "tcgetattr");
            std::string diff = pty::termios_diff(before, stopped);
            report.line("job stopped by " + std::string(vtinput::test::signal_abbrev(WSTOPSIG(status))) +
                        (diff.empty() ? ", termios restored" : ", termios not restored: " + diff));
            require(::tcsetpgrp(STDIN_FILENO, ::getpgrp()) == 0, std::string("tcsetpgrp: ") + std::strerror(errno));
            pty::await_cue("fg");
            require(::tcsetpgrp(STDIN_FILENO, pid) == 0, std::string("tcsetpgrp: ") + std::strerror(errno));
            require(::kill(-pid, SIGCONT) == 0, std::string("kill: ") + std::strerror(errno));
            require(::waitpid(pid, &status, WUNTRACED) == pid, std::string("waitpid: ") + std::strerror(errno));
            report.line("job ended with wait status " + std::to_string(status));
            ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
        });
        pid_t job_pid = std::stoi(child.expect_prefix("job open "));
        termios raw = expect_open(child);
        child.send_signal(SIGTSTP, job_pid);
        child.expect("job stopped by TSTP, termios restored");
        child.expect_initial_termios("while the job is stopped");
        child.wait_output(k_many_disable);
        child.cue("fg");
        child.expect_event(ResizeEvent{80, 24, 0, 0}, "job");
        std::string diff = pty::termios_diff(raw, child.terminal_termios());
        CHECK_MESSAGE(diff.empty(), "after SIGCONT the termios are not the raw ones of before the stop:\n" << diff);
        child.type("q");
        child.expect_event(typed(U'q'), "job");
        child.expect("job done");
        child.expect("job ended with wait status 0");
        child.finish();
        child.expect_initial_termios("after the shell's exit");
        expect_sequences(child, 2);  // enabled, disabled at the stop, enabled again, disabled at the end
    }

    TEST_CASE("capabilities: the replies are taken out of the stream; a key typed among them is not")
    {
        PtyChild child("capabilities", [](Reporter& report) {
            auto dev = InputDevice::open();
            const Capabilities& caps =
                dev.query_capabilities(std::chrono::duration_cast<std::chrono::milliseconds>(pty::k_child_timeout));
            report.line("caps " + describe(caps));
            report.event("dev", pty::next_event(dev.events(), "the device after the query"));
            report.event("dev", pty::next_event(dev.events(), "the device after the query"));
        });
        std::size_t at = child.wait_output(capability_query(term()));
        // A terminal answers in the order asked, DA1 last; this one knows two of the modes, and
        // the user types meanwhile. Two writes, so that the replies span poller batches.
        child.type("\x1b[?5u\x1b[?2004;2$y\x1b[?1016;0$yx");
        child.type("\x1bP>|fake(1.0)\x1b\\\x1b[?62;22c");
        // It answered XTVERSION: the second round (XTGETTCAP, the graphics query), answered
        // with one capability and DA1.
        Capabilities first;
        first.version = "fake(1.0)";
        child.wait_output(capability_followup(first), at);
        child.type("\x1bP1+r544e=66616b65\x1b\\\x1b[?62;22c");
        child.expect("caps status=answered kitty=5 version=fake(1.0) da1=62,22 tn=fake 1=unknown 1000=unknown "
                     "1002=unknown 1003=unknown 1004=unknown 1006=unknown 1016=not recognized 2004=reset "
                     "2026=unknown 2027=unknown 2031=unknown 2048=unknown 9001=unknown");
        child.type("m");
        child.expect_event(typed(U'x'));
        child.expect_event(typed(U'm'));
        child.finish();
    }

    TEST_CASE("capabilities: a silent terminal times out; a late reply arrives as a report, not as keys")
    {
        PtyChild child("capabilities-silent", [](Reporter& report) {
            auto dev = InputDevice::open();
            auto start = std::chrono::steady_clock::now();
            const Capabilities& caps = dev.query_capabilities(k_timeout);
            auto waited =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
            report.line("caps " + describe(caps));
            report.line("elapsed " +
                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(caps.elapsed).count()) +
                        " waited " + std::to_string(waited.count()));
            for (int i = 0; i < 2; ++i) {
                report.event("dev", pty::next_event(dev.events(), "the device after the query"));
            }
        });
        child.wait_output(capability_query(term()));
        child.expect("caps status=timed out kitty=none version= da1= tn= 1=unknown 1000=unknown 1002=unknown "
                     "1003=unknown 1004=unknown 1006=unknown 1016=unknown 2004=unknown 2026=unknown 2027=unknown "
                     "2031=unknown 2048=unknown 9001=unknown");
        long elapsed = 0;
        long waited = 0;
        std::string times = child.expect_prefix("elapsed ");
        REQUIRE(std::sscanf(times.c_str(), "%ld waited %ld", &elapsed, &waited) == 2);
        CHECK(elapsed >= k_timeout.count());
        CHECK(waited >= k_timeout.count());
        CHECK(waited < (k_timeout + 5s).count());  // it returned; no tighter bound on a loaded machine
        child.type("\x1b[?62;22c\x1b[?2004;2$ym");
        // The DA1 was the probe's own sentinel: taken even now; the late mode report is not.
        child.expect_event(report_event(ReportKind::decrpm, {2004, 2}, true));
        child.expect_event(typed(U'm'));
        child.finish();
    }

}  // TEST_SUITE
