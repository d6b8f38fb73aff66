// Signals at any moment, and the application's own handlers, inside a real PTY.
//
// The window: a supervisor (the PTY child) forks a worker that opens and closes the device back
// to back, and shoots it with a default-action SIGINT at a random moment; the worker dies by
// it, and the supervisor checks that the terminal is exactly as cooked as before. Repeated
// VTINPUT_PTY_SIGNAL_RUNS times (default 300, 40 under a sanitizer); not one terminal may be
// left raw, and the bytes on the terminal must be enable/disable pairs, never an enable left
// standing.
//
// The race: an application's SIGINT handler that carries on, a thread shooting SIGINT at the
// process as fast as it is handled (so handlers run on any thread, the poller's included), and
// the main thread opening and closing the device VTINPUT_PTY_RACE_CYCLES times (default 2000,
// 300 under a sanitizer). After every close the termios must be the cooked ones, and the bytes
// must again alternate enable/disable, ending with a disable: a handler racing close() never
// re-applies the modes after it.
//
// The application's handlers: SIGWINCH, SIGINT, SIGTSTP and SIGCONT handlers installed before
// open are called while the device is open (ours chain to them; the device still gets its
// resize) and are installed again after close; handlers installed while the device is open are
// still installed after close.
#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include "device/lifecycle.hpp"
#include "harness.hpp"
#include "sanitizers.hpp"
#include "vtinput/input_device.hpp"
#include "vtinput/terminal.hpp"

using namespace vtinput;
using namespace std::chrono_literals;
using pty::PtyChild;
using pty::Reporter;
using pty::require;

namespace {

const std::string k_enable = pty::paste_and_hidden_cursor_enable();
const std::string k_disable = pty::paste_and_hidden_cursor_disable();

int setting(const char* name, int plain, int sanitized)
{
    if (const char* v = std::getenv(name); v != nullptr && std::atoi(v) > 0) {
        return std::atoi(v);
    }
    return vtinput::test::k_sanitized ? sanitized : plain;
}

// Empty if `out` is k_enable/k_disable pairs and nothing else; else where it goes wrong.
std::string pairs_problem(const std::string& out, std::size_t& pairs)
{
    pairs = 0;
    std::string_view rest = out;
    while (!rest.empty()) {
        if (rest.substr(0, k_enable.size()) != k_enable) {
            return "no enable sequence at byte " + std::to_string(out.size() - rest.size());
        }
        rest.remove_prefix(k_enable.size());
        if (rest.substr(0, k_disable.size()) != k_disable) {
            return "no disable sequence after the enable ending at byte " + std::to_string(out.size() - rest.size());
        }
        rest.remove_prefix(k_disable.size());
        ++pairs;
    }
    return {};
}

termios current_termios()
{
    termios t{};
    require(::tcgetattr(STDIN_FILENO, &t) == 0, std::string("tcgetattr: ") + std::strerror(errno));
    return t;
}

// Waits for one byte on `fd` (k_child_timeout, only reached on failure).
void await_byte(int fd, std::string_view what)
{
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(std::chrono::milliseconds(pty::k_child_timeout).count());
    int r = 0;
    while ((r = ::poll(&p, 1, left)) < 0 && errno == EINTR) {}
    char c = 0;
    require(r == 1 && ::read(fd, &c, 1) == 1, "no " + std::string(what) + " within the failure timeout");
}

// The application's handlers: count, tell the scenario through a pipe, carry on.
std::atomic<int> g_calls[NSIG];
int g_told[2] = {-1, -1};
void app_handler(int sig)
{
    int saved = errno;
    g_calls[sig].fetch_add(1);
    char c = static_cast<char>(sig);
    ssize_t n = ::write(g_told[1], &c, 1);
    (void)n;
    errno = saved;
}

constexpr int k_app_signals[] = {SIGWINCH, SIGINT, SIGTSTP, SIGCONT};

void install_app_handlers()
{
    for (int sig : k_app_signals) {
        struct sigaction sa {};
        sa.sa_handler = app_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        require(::sigaction(sig, &sa, nullptr) == 0, "sigaction");
    }
}

// "WINCH=app INT=app ..." for what is installed now.
std::string dispositions()
{
    std::string out;
    for (int sig : k_app_signals) {
        struct sigaction now {};
        ::sigaction(sig, nullptr, &now);
        bool app = !(now.sa_flags & SA_SIGINFO) && now.sa_handler == app_handler;
        out += std::string(out.empty() ? "" : " ") + vtinput::test::signal_abbrev(sig) + "=" + (app ? "app" : "other");
    }
    return out;
}

}  // namespace

TEST_SUITE("pty")
{

    TEST_CASE("signals: a default-action SIGINT at a random moment of back-to-back open/close never leaves it raw")
    {
        const int runs = setting("VTINPUT_PTY_SIGNAL_RUNS", 300, 40);
        PtyChild child("signal-window", {.cooked = true, .forks = true}, [runs](Reporter& report) {
            require(pty::thread_count() == pty::threads_at_start(), "the supervisor must be single-threaded");
            const termios cooked = current_termios();
            std::random_device seed;
            const unsigned s = seed();
            std::mt19937 rng(s);
            report.line("seed " + std::to_string(s));
            std::uniform_int_distribution<int> delay_us(0, 2000);
            for (int run = 0; run < runs; ++run) {
                int go[2];
                require(::pipe(go) == 0, "pipe");
                pid_t pid = pty::fork_watched();
                require(pid >= 0, std::string("fork: ") + std::strerror(errno));
                if (pid == 0) {
                    // The worker: open and close until killed (bounded, in case it never is).
                    ::close(go[0]);
                    auto deadline = std::chrono::steady_clock::now() + pty::k_child_timeout;
                    for (long i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
                        auto dev = InputDevice::open(pty::paste_and_hidden_cursor());
                        if (i == 0 && ::write(go[1], "g", 1) != 1) {
                            ::_exit(3);
                        }
                    }
                    ::_exit(2);
                }
                ::close(go[1]);
                await_byte(go[0], "first cycle from the worker");
                ::close(go[0]);
                // Not a synchronisation: a random moment in the worker's cycles.
                std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
                require(::kill(pid, SIGINT) == 0, "kill");
                int status = 0;
                int resent = 0;
                bool reaped = false;
                // ThreadSanitizer defers a signal to the next intercepted call of the thread
                // that got it; a poller thread that exits first takes it with it. Then the worker
                // is shot again, at another random moment.
                while (pty::k_tsan && resent < 10 && !(reaped = pty::try_reap_forked(pid, 1s, status))) {
                    ++resent;
                    require(::kill(pid, SIGINT) == 0, "kill");
                }
                if (!reaped) {
                    status = pty::reap_forked(pid);
                }
                std::string diff = pty::termios_diff(cooked, current_termios());
                if (!diff.empty()) {
                    ::tcsetattr(STDIN_FILENO, TCSANOW, &cooked);  // for the next run
                }
                bool by_sigint = WIFSIGNALED(status) && WTERMSIG(status) == SIGINT;
                report.line("run " + std::to_string(run) + ": " +
                            (by_sigint ? "died by SIGINT" : "wait status " + std::to_string(status)) + ", " +
                            (diff.empty() ? "termios as before" : "termios left: " + diff) +
                            (resent ? " (SIGINT sent again " + std::to_string(resent) + " times)" : ""));
            }
        });
        child.expect_prefix("seed ");
        int left = 0;
        int resent_runs = 0;
        for (int run = 0; run < runs; ++run) {
            std::string line = child.expect_prefix("run " + std::to_string(run) + ": ");
            if (pty::k_tsan && line.rfind("died by SIGINT, termios as before (SIGINT sent again", 0) == 0) {
                ++resent_runs;
                continue;
            }
            if (line != "died by SIGINT, termios as before") {
                ++left;
                FAIL_CHECK("run " << run << ": " << line);
            }
        }
        child.finish();
        CHECK(left == 0);
        std::size_t pairs = 0;
        std::string problem = pairs_problem(child.terminal_output(), pairs);
        CHECK_MESSAGE(problem.empty(), problem << "\n" << child.transcript());
        MESSAGE(runs << " deaths, " << pairs << " open/close cycles in all"
                     << (resent_runs ? ", " + std::to_string(resent_runs) + " after a lost SIGINT" : std::string()));
    }

    TEST_CASE("signals: a handled SIGINT racing close() on any thread never re-applies the modes after it")
    {
        const int cycles = setting("VTINPUT_PTY_RACE_CYCLES", 2000, 300);
        PtyChild child("signal-race", {.cooked = true}, [cycles](Reporter& report) {
            const termios cooked = current_termios();
            static std::atomic<long> handled{0};
            struct sigaction sa {};
            sa.sa_handler = [](int) { handled.fetch_add(1); };
            sigemptyset(&sa.sa_mask);
            require(::sigaction(SIGINT, &sa, nullptr) == 0, "sigaction");
            std::atomic<bool> stop{false};
            std::thread shooter([&stop] {
                while (!stop.load()) {
                    long before = handled.load();
                    ::kill(::getpid(), SIGINT);
                    while (handled.load() == before && !stop.load()) {
                        std::this_thread::yield();  // the next shot once this one is handled
                    }
                }
            });
            int left_in_modes = 0;
            std::string first_diff;
            for (int i = 0; i < cycles; ++i) {
                {
                    auto dev = InputDevice::open(pty::paste_and_hidden_cursor());
                }
                std::string diff = pty::termios_diff(cooked, current_termios());
                if (!diff.empty()) {
                    ++left_in_modes;
                    first_diff = first_diff.empty() ? diff : first_diff;
                    ::tcsetattr(STDIN_FILENO, TCSANOW, &cooked);
                }
            }
            stop = true;
            shooter.join();
            struct sigaction dfl {};
            dfl.sa_handler = SIG_DFL;
            ::sigaction(SIGINT, &dfl, nullptr);
            report.line("left in the modes after close: " + std::to_string(left_in_modes) +
                        (first_diff.empty() ? "" : "; the first time: " + first_diff));
            report.line("handled " + std::to_string(handled.load()));
        });
        child.expect("left in the modes after close: 0");
        long handled = std::stol(child.expect_prefix("handled "));
        child.finish();
        CHECK(handled > 0);
        std::size_t pairs = 0;
        std::string problem = pairs_problem(child.terminal_output(), pairs);
        CHECK_MESSAGE(problem.empty(), problem << "\n" << child.transcript());
        // Fewer pairs than cycles is no fault: a cycle that falls entirely while a handler holds
        // the terminal restored never applies the modes.
        MESSAGE(cycles << " cycles, " << handled << " signals handled, " << pairs << " enable/disable pairs");
    }

    TEST_CASE("signals: the application's SIGWINCH/SIGINT/SIGTSTP/SIGCONT handlers from before open are chained "
              "to while it is open and are back after close")
    {
        PtyChild child("app-handlers-before", [](Reporter& report) {
            require(::pipe(g_told) == 0, "pipe");
            install_app_handlers();
            {
                auto dev = InputDevice::open(pty::paste_and_hidden_cursor());
                for (int sig : k_app_signals) {
                    int before = g_calls[sig].load();
                    require(::kill(::getpid(), sig) == 0, "kill");
                    while (g_calls[sig].load() == before) {
                        await_byte(g_told[0],
                                   std::string("the application's handler of SIG") + vtinput::test::signal_abbrev(sig));
                    }
                    report.line(std::string("chained ") + vtinput::test::signal_abbrev(sig));
                    if (sig == SIGWINCH || sig == SIGCONT) {
                        // The device gets its resize too (SIGCONT raises SIGWINCH, the cue to
                        // redraw). Taken at once: resizes not yet taken collapse into the last.
                        report.event("dev", pty::next_event(dev.events(), "the device's resize"));
                    }
                }
            }
            require(vtinput::detail::Lifecycle::instance().wait_idle(pty::k_child_timeout), "the poller did not exit");
            report.line("after close: " + dispositions());
        });
        for (int sig : k_app_signals) {
            child.expect(std::string("chained ") + vtinput::test::signal_abbrev(sig));
            if (sig == SIGWINCH || sig == SIGCONT) {
                child.expect_event(ResizeEvent{80, 24, 0, 0});
            }
        }
        child.expect("after close: WINCH=app INT=app TSTP=app CONT=app");
        child.finish();
    }

    TEST_CASE("signals: handlers the application installs while the device is open are still installed after close")
    {
        PtyChild child("app-handlers-after", [](Reporter& report) {
            require(::pipe(g_told) == 0, "pipe");
            {
                auto dev = InputDevice::open(pty::paste_and_hidden_cursor());
                install_app_handlers();
            }
            // The device's SIGWINCH listener goes when its poller thread exits, just after the
            // close.
            require(vtinput::detail::Lifecycle::instance().wait_idle(pty::k_child_timeout), "the poller did not exit");
            report.line("after close: " + dispositions());
            int before = g_calls[SIGWINCH].load();
            require(::kill(::getpid(), SIGWINCH) == 0, "kill");
            while (g_calls[SIGWINCH].load() == before) {
                await_byte(g_told[0], "the application's handler of SIGWINCH");
            }
            report.line("SIGWINCH handled by the application");
        });
        child.expect("after close: WINCH=app INT=app TSTP=app CONT=app");
        child.expect("SIGWINCH handled by the application");
        child.finish();
    }

}  // TEST_SUITE
