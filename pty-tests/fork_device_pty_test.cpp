// fork() and the input device, the device's side (the terminal's side, a child's ways out, is
// fork_pty_test.cpp): what a child can do with the device, and that the parent does not notice.
//
// - Forked while the device (and another receiver) is open: the poller thread is not in the
//   child, and a threaded process's child must not start threads of its own before exec, so
//   the child's subscribe() and open() fail at once with operation_not_supported and a message
//   that says why, and the calls that would act on the terminal (suspend) too. Closing what it
//   inherited touches nothing of the parent's. The parent's termios, poller and next key are
//   unaffected.
// - Forked right after the last device and receiver were dropped: the child opens a device of
//   its own (a generation of its own, its own guard) and reads the terminal; the parent carries
//   on afterwards as if nothing happened. The fork comes at once after the close, while the
//   parent's poller may still be exiting: the fork handler lets it finish first.
#include <doctest/doctest.h>

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "device/lifecycle.hpp"
#include "harness.hpp"
#include "vtinput/input_device.hpp"

using namespace vtinput;
using pty::PtyChild;
using pty::Reporter;
using pty::require;

namespace {

// What a call in the child threw: "<errc value> <message>", or "no exception".
template <class F>
std::string outcome(F call)
{
    try {
        call();
        return "no exception";
    } catch (const std::system_error& e) {
        return std::string(e.code() == std::errc::operation_not_supported ? "not supported: " : "other error: ") +
               e.what();
    }
}

}  // namespace

TEST_SUITE("pty")
{

    TEST_CASE("fork with the device open: the child's open() and subscribe() fail clearly, its close touches nothing; "
              "the parent's terminal and next key are unaffected")
    {
        PtyChild child("fork-open", {.cooked = true}, [](Reporter& report) {
            auto dev = InputDevice::open();
            Receiver other = dev.subscribe();
            const auto generation = InputDevice::status().generation;
            report.line("ready");
            report.event("dev", pty::next_event(dev.events(), "the device"));
            report.event("other", pty::next_event(other, "the other receiver"));
            pid_t pid = pty::fork_watched();
            require(pid >= 0, "fork");
            if (pid == 0) {
                // The child: no thread may be started here, and nothing of the parent's touched.
                // It reports over the inherited report pipe and leaves with _exit.
                report.line("child subscribe: " + outcome([&] { Receiver r = dev.subscribe(); }));
                report.line("child open: " + outcome([] { auto d = InputDevice::open(); }));
                report.line("child suspend: " + outcome([&] { dev.suspend(); }));
                auto s = InputDevice::status();
                report.line("child status running=" + std::to_string(s.running) +
                            " device_open=" + std::to_string(s.device_open));
                dev.close();
                other = Receiver();
                report.line("child closed");
                // And no thread was started (ThreadSanitizer may have one of its own here).
                ::_exit(pty::thread_count() <= pty::threads_at_start() ? 0 : 1);
            }
            int status = pty::reap_forked(pid);
            require(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                    "the child failed (wait status " + std::to_string(status) + ")");
            auto s = InputDevice::status();
            require(s.running && s.generation == generation && s.receivers == 2 && s.device_open,
                    "the parent's poller changed");
            report.line("parent carries on");
            report.event("dev", pty::next_event(dev.events(), "the device after the fork"));
            report.event("other", pty::next_event(other, "the other receiver after the fork"));
        });
        child.expect("ready");
        const termios raw = child.terminal_termios();
        REQUIRE(pty::is_raw(raw));
        child.type("a");
        child.expect_event(pty::typed(U'a'), "dev");
        child.expect_event(pty::typed(U'a'), "other");
        const std::string why = "vtinput: this process was forked while the input device was in use";
        CHECK(child.expect_prefix("child subscribe: not supported: ").starts_with(why));
        CHECK(child.expect_prefix("child open: not supported: ").starts_with(why));
        CHECK(child.expect_prefix("child suspend: not supported: ").starts_with("vtinput: suspend: "));
        child.expect("child status running=0 device_open=0");
        child.expect("child closed");
        child.expect("parent carries on");
        CHECK(pty::termios_diff(raw, child.terminal_termios()).empty());
        child.type("b");  // a key, not echoed, for the parent
        child.expect_event(pty::typed(U'b'), "dev");
        child.expect_event(pty::typed(U'b'), "other");
        child.finish();
        CHECK(child.terminal_output().find('b') == std::string::npos);  // never echoed
    }

    TEST_CASE("fork right after the last close: the child opens a device of its own and reads the terminal; the "
              "parent carries on after it")
    {
        PtyChild child("fork-closed", {.cooked = true}, [](Reporter& report) {
            {
                auto dev = InputDevice::open();
                report.line("ready");
                report.event("dev", pty::next_event(dev.events(), "the device"));
            }
            pid_t pid = pty::fork_watched();  // at once: the poller may still be exiting
            require(pid >= 0, "fork");
            if (pid == 0) {
                pty::run_forked(
                    report,
                    [](Reporter& r) {
                        auto dev = InputDevice::open();
                        r.line("child opened generation " + std::to_string(InputDevice::status().generation));
                        r.event("child", pty::next_event(dev.events(), "the child's device"));
                    },
                    "child done");
            }
            int status = pty::reap_forked(pid);
            require(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                    "the child failed (wait status " + std::to_string(status) + ")");
            report.line("child reaped");
            pty::await_cue("reopen");
            auto dev = InputDevice::open();
            report.line("parent opened generation " + std::to_string(InputDevice::status().generation));
            report.event("dev", pty::next_event(dev.events(), "the device after the child"));
        });
        child.expect("ready");
        child.type("a");
        child.expect_event(pty::typed(U'a'), "dev");
        child.expect("child opened generation 2");  // the parent's count went on in the child
        REQUIRE(pty::is_raw(child.terminal_termios()));
        child.type("c");
        child.expect_event(pty::typed(U'c'), "child");
        child.expect("child done");
        child.expect("child reaped");
        child.expect_initial_termios("after the child's device");
        child.cue("reopen");
        child.expect("parent opened generation 2");
        REQUIRE(pty::is_raw(child.terminal_termios()));
        child.type("d");
        child.expect_event(pty::typed(U'd'), "dev");
        child.finish();
    }

}  // TEST_SUITE
