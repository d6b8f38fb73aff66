// A fork() child of a process with an open device never touches the parent's terminal.
//
// The PTY child (the "parent" here: it owns the device) starts from a cooked, distinctive
// terminal, opens a device with modes (raw, bracketed paste, the application's enter/leave
// bytes), and forks a grandchild five times. The grandchild leaves in each of the ways that
// once restored the parent's terminal behind its back: _exit, exit() (the atexit restore),
// close() of the inherited device, its destructor, and death by SIGTERM (the signal handlers it
// inherited). After each, the parent checks that its termios are still exactly the raw ones,
// and the test types a key that must reach the parent's device as a key, not be echoed. At the
// end the terminal output must be the enable sequence once and the disable sequence once (the
// parent's own close): no grandchild wrote a byte to the terminal.
#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness.hpp"
#include "vtinput/input_device.hpp"
#include "vtinput/terminal.hpp"

using namespace vtinput;
using pty::PtyChild;
using pty::Reporter;
using pty::require;

namespace {

const std::string k_enable = pty::paste_and_hidden_cursor_enable();
const std::string k_disable = pty::paste_and_hidden_cursor_disable();

enum class Way { quick_exit, exit, close, destructor, sigterm };

// ThreadSanitizer cannot run a signal handler in the child of a threaded process's fork(): it
// defers every asynchronous signal to a point it never reaches there (it ignores the child's
// interceptors, mutexes being in any state). So under it the child is not killed by SIGTERM;
// the plain and AddressSanitizer builds prove that way.
constexpr Way k_all_ways[] = {Way::quick_exit, Way::exit, Way::close, Way::destructor, Way::sigterm};
constexpr std::span<const Way> k_ways(k_all_ways, pty::k_tsan ? 4 : 5);

const char* name(Way way)
{
    switch (way) {
    case Way::quick_exit: return "_exit";
    case Way::exit: return "exit";
    case Way::close: return "close";
    case Way::destructor: return "destructor";
    case Way::sigterm: return "SIGTERM";
    }
    return "?";
}

// The grandchild: leaves the way asked, never returning into the scenario.
[[noreturn]] void leave(Way way, std::optional<InputDevice>& dev)
{
    switch (way) {
    case Way::quick_exit: ::_exit(0);
    case Way::exit: {
        // LeakSanitizer's check at exit() notes on stderr (the terminal) that the parent's
        // threads are missing here; what is under test is the library's bytes, which go to its
        // own fd of the terminal, and the exit status, which a real leak report would change.
        int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, STDERR_FILENO);
        std::exit(0);
    }
    case Way::close: dev->close(); ::_exit(0);
    case Way::destructor: dev.reset(); ::_exit(0);
    case Way::sigterm:
        for (;;) {
            ::pause();  // until the parent's SIGTERM
        }
    }
    ::_exit(4);
}

}  // namespace

TEST_SUITE("pty")
{

    TEST_CASE("fork: a child's _exit, exit(), close, destructor or SIGTERM leaves the parent's terminal alone")
    {
        PtyChild child("fork-child-ways", {.cooked = true}, [](Reporter& report) {
            std::optional<InputDevice> dev = InputDevice::open(pty::paste_and_hidden_cursor());
            termios raw{};
            require(::tcgetattr(STDIN_FILENO, &raw) == 0, "tcgetattr");
            report.line("open");
            for (Way way : k_ways) {
                pid_t pid = pty::fork_watched();
                require(pid >= 0, std::string("fork: ") + std::strerror(errno));
                if (pid == 0) {
                    leave(way, dev);
                }
                if (way == Way::sigterm) {
                    require(::kill(pid, SIGTERM) == 0, "kill");
                }
                int status = pty::reap_forked(pid);
                bool as_expected = way == Way::sigterm ? WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM
                                                       : WIFEXITED(status) && WEXITSTATUS(status) == 0;
                termios now{};
                require(::tcgetattr(STDIN_FILENO, &now) == 0, "tcgetattr");
                std::string diff = pty::termios_diff(raw, now);
                report.line(std::string("after ") + name(way) + ": " +
                            (as_expected ? "ended as expected" : "wait status " + std::to_string(status)) + ", " +
                            (diff.empty() ? "termios still raw" : "termios changed: " + diff));
                report.event("dev", pty::next_key(dev->events(), std::string("the device after ") + name(way)));
            }
            pty::await_cue("close");
            dev.reset();
            report.line("closed");
        });
        child.expect("open");
        child.wait_output(k_enable);
        const char keys[] = "abcde";
        if (pty::k_tsan) {
            MESSAGE("ThreadSanitizer build: the child's death by SIGTERM is not tried (see pty::k_tsan)");
        }
        for (std::size_t i = 0; i < k_ways.size(); ++i) {
            child.expect(std::string("after ") + name(k_ways[i]) + ": ended as expected, termios still raw");
            CHECK(pty::is_raw(child.terminal_termios()));
            child.type(std::string(1, keys[i]));
            child.expect_event(pty::typed(static_cast<char32_t>(keys[i])));
        }
        // Nothing echoed, nothing disabled: the terminal saw only the parent's enable sequence.
        CHECK_MESSAGE(child.terminal_output() == k_enable, child.transcript());
        child.cue("close");
        child.expect("closed");
        child.finish();
        child.expect_initial_termios("after the parent's close");
        CHECK_MESSAGE(child.terminal_output() == k_enable + k_disable, child.transcript());
    }

}  // TEST_SUITE
