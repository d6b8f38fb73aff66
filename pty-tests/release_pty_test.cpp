// Handing the terminal to another program and taking it back (InputDevice::suspend / resume),
// in a real terminal: the other program is a child that reads the terminal raw. Every key typed
// while it runs must reach it (none read by vtinput, whoever is subscribed), every key typed
// after the resume must reach the application, after a ResizeEvent with the terminal's size;
// the termios are checked at each step. Typeahead: keys typed with the key that starts the
// child go to exactly one of the two, the application's first.
//
// The child is forked from the scenario, a threaded process (the poller runs), so until it
// ends it uses only async-signal-safe calls (no allocation, no locks): it is a program of its
// own in all but the exec. It talks to the scenario over a pipe, which the scenario relays to
// the test as report lines.
#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "device/lifecycle.hpp"
#include "harness.hpp"
#include "terminal/signal_safe.hpp"
#include "sanitizers.hpp"
#include "vtinput/input_device.hpp"

using namespace vtinput;
using pty::PtyChild;
using pty::Reporter;
using pty::require;

namespace {

long monotonic_ms()
{
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// The other program. Puts the terminal (its stdin) raw, says "child ready", reads until '!' (or
// the failure deadline), says "child got <bytes before the !>", puts the terminal back as it
// found it, and ends. Async-signal-safe calls only (see the top of the file).
[[noreturn]] void other_program(int out)
{
    termios found{};
    if (::tcgetattr(STDIN_FILENO, &found) != 0) {
        ::_exit(2);
    }
    termios raw = found;
    raw.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) {
        ::_exit(3);
    }
    detail::write_all(out, "child ready\n", 12);
    char line[300] = "child got ";
    std::size_t n = 10;
    const long deadline = monotonic_ms() + static_cast<long>(std::chrono::milliseconds(pty::k_child_timeout).count());
    for (;;) {
        long left = deadline - monotonic_ms();
        if (left <= 0) {
            break;
        }
        pollfd p{STDIN_FILENO, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) {
            continue;
        }
        char c = 0;
        if (::read(STDIN_FILENO, &c, 1) != 1 || c == '!') {
            break;
        }
        if (n < sizeof line - 1) {
            line[n++] = c;
        }
    }
    line[n++] = '\n';
    detail::write_all(out, line, n);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &found);
    ::_exit(0);
}

// One line from `fd` (without the newline), or a failure at the deadline.
std::string read_line(int fd)
{
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + pty::k_child_timeout;
    for (;;) {
        char c = 0;
        ssize_t n = ::read(fd, &c, 1);
        if (n == 1) {
            if (c == '\n') {
                return line;
            }
            line += c;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        require(n < 0 && errno == EAGAIN, "the other program ended without a line (so far: '" + line + "')");
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        require(left.count() > 0, "no line from the other program within the failure timeout");
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(left.count()));
    }
}

// Starts the other program on the terminal and relays its two lines; returns once it has
// ended (its status is checked).
void run_other_program(Reporter& report)
{
    int p[2];
    require(vtinput::test::open_pipe(p) == 0, "pipe");
    pid_t pid = pty::fork_watched();
    require(pid >= 0, "fork");
    if (pid == 0) {
        ::close(p[0]);
        other_program(p[1]);
    }
    ::close(p[1]);
    ::fcntl(p[0], F_SETFL, O_NONBLOCK);
    report.line(read_line(p[0]));  // "child ready"
    report.line(read_line(p[0]));  // "child got ..."
    ::close(p[0]);
    int status = pty::reap_forked(pid);
    require(WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "the other program failed (wait status " + std::to_string(status) + ")");
}

// The keys of `r` up to `stop` (excluded), as text; fails on any other event.
std::string keys_until(Receiver& r, char stop, std::string_view who)
{
    std::string got;
    for (;;) {
        KeyEvent k = pty::next_key(r, who);
        if (k.text == std::string_view(&stop, 1)) {
            return got;
        }
        got += std::string(k.text.view());
    }
}

const std::string k_size_json = to_json(Event(ResizeEvent{80, 24, 0, 0}));

constexpr int k_cycles_each = test::k_sanitized ? 20 : 100;  // per number of extra receivers
constexpr int k_extra_counts[] = {0, 1, 3};

// Checks that the keys `got` are those typed, `want`, adding how many are missing to `missed`.
void count_keys(const std::string& want, const std::string& got, int& missed)
{
    missed += static_cast<int>(want.size()) - static_cast<int>(got.size());
    CHECK(got == want);
}

std::string child_keys(int cycle) { return std::string(1, static_cast<char>('a' + cycle % 26)) + "1/"; }
std::string app_keys(int cycle) { return std::string(1, static_cast<char>('A' + cycle % 26)) + "2?"; }

}  // namespace

TEST_SUITE("pty")
{

    TEST_CASE("release: a program run in the terminal gets every key typed for it, the application every key after, "
              "with 0, 1 and 3 other receivers")
    {
        PtyChild child("release", {.cooked = true}, [](Reporter& report) {
            const auto threads = pty::thread_count();
            for (int extras : k_extra_counts) {
                auto dev = InputDevice::open();
                std::vector<Receiver> others;
                for (int i = 0; i < extras; ++i) {
                    others.push_back(dev.subscribe());
                }
                report.line("open " + std::to_string(extras));
                for (int c = 0; c < k_cycles_each; ++c) {
                    require(pty::next_key(dev.events(), "the start key").text == "s", "expected the start key");
                    dev.suspend();
                    report.line("suspended");
                    pty::await_cue("fork");
                    run_other_program(report);
                    report.line("child ended");
                    pty::await_cue("resume");
                    dev.resume();
                    report.line("resumed");
                    Event first = pty::next_event(dev.events(), "the resize after the resume");
                    std::string got = keys_until(dev.events(), '.', "the application");
                    report.line("app " + to_json(first) + " " + got);
                    // The others saw the same: the start key, the size, the application's keys.
                    for (Receiver& r : others) {
                        require(pty::next_key(r, "another receiver").text == "s", "another receiver: no start key");
                        Event size = pty::next_event(r, "another receiver");
                        require(to_json(size) == to_json(first), "another receiver: " + to_json(size));
                        require(keys_until(r, '.', "another receiver") == got, "another receiver: other keys");
                    }
                }
                dev.close();
                report.line("closed");
                pty::await_cue("next");
            }
            require(InputDevice::status().receivers == 0, "receivers left");
            require(vtinput::detail::Lifecycle::instance().wait_idle(pty::k_child_timeout), "the poller did not exit");
            report.line("threads " + std::to_string(pty::settled_thread_count(threads) - threads));
        });
        int child_missed = 0, app_missed = 0, cycles = 0;
        for (int extras : k_extra_counts) {
            child.expect("open " + std::to_string(extras));
            const termios raw = child.terminal_termios();
            REQUIRE(pty::is_raw(raw));
            for (int c = 0; c < k_cycles_each; ++c, ++cycles) {
                child.type("s");
                child.expect("suspended");
                child.expect_initial_termios("released");
                child.cue("fork");
                child.expect("child ready");
                CHECK(pty::is_raw(child.terminal_termios()));  // the other program's raw mode
                child.type(child_keys(c) + "!");
                count_keys(child_keys(c), child.expect_prefix("child got "), child_missed);
                child.expect("child ended");
                child.expect_initial_termios("the other program ended");
                child.cue("resume");
                child.expect("resumed");
                std::string diff = pty::termios_diff(raw, child.terminal_termios());
                CHECK_MESSAGE(diff.empty(), "resumed: not the raw mode of the open:\n" << diff);
                child.type(app_keys(c) + ".");
                std::string app = child.expect_prefix("app ");
                CHECK(app.starts_with(k_size_json + " "));  // the size first: the cue to redraw
                count_keys(app_keys(c), app.substr(std::min(app.size(), k_size_json.size() + 1)), app_missed);
            }
            child.expect("closed");
            child.expect_initial_termios("closed");
            child.cue("next");
        }
        child.expect("threads 0");
        child.finish();
        CHECK(child_missed == 0);
        CHECK(app_missed == 0);
        MESSAGE("release: " << cycles << " cycles; keys the other program missed: " << child_missed
                            << ", keys the application missed after the resume: " << app_missed);
    }

    TEST_CASE("release: typeahead typed with the start key goes to the application or to the program, each key once, "
              "the application's first; what was read is delivered before suspend() returns; close while released")
    {
        constexpr int k_rounds = 20;
        PtyChild child("typeahead", {.cooked = true}, [](Reporter& report) {
            auto dev = InputDevice::open();
            report.line("ready");
            for (int i = 0; i < k_rounds; ++i) {
                require(pty::next_key(dev.events(), "the start key").text == "s", "expected the start key");
                dev.with_terminal_released([&] {
                    // Delivered before suspend() returned: whatever the poller had read.
                    std::string mine;
                    while (auto e = dev.try_receive()) {
                        auto* k = std::get_if<KeyEvent>(&*e);
                        require(k != nullptr, "typeahead: not a key: " + to_json(*e));
                        mine += std::string(k->text.view());
                    }
                    report.line("app typeahead " + mine);
                    run_other_program(report);
                });
                Event first = pty::next_event(dev.events(), "the resize after the resume");
                require(std::holds_alternative<ResizeEvent>(first), "after the resume: " + to_json(first));
                report.line("app after " + keys_until(dev.events(), '.', "the application"));
            }
            // Closed while released: the terminal stays as it was, and nothing is re-applied.
            dev.suspend();
            dev.close();
            report.line("closed while released");
        });
        child.expect("ready");
        for (int i = 0; i < k_rounds; ++i) {
            const std::string typeahead = "TYPE" + std::to_string(i);
            child.type("s" + typeahead);  // one write: the start key and what the user typed on
            std::string app = child.expect_prefix("app typeahead ");
            child.expect("child ready");
            child.type("!");
            std::string other = child.expect_prefix("child got ");
            CHECK(app + other == typeahead);
            child.type(".");
            child.expect("app after ");
        }
        child.expect("closed while released");
        child.expect_initial_termios("closed while released");
        child.finish();
    }

}  // TEST_SUITE
