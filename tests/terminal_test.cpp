// The terminal's process-wide pieces without a terminal: the SIGWINCH listeners (chaining to
// the application's handler, putting it back, removal that waits for a running listener, the
// re-entry guard, listeners of a forked child's parent), the mode sequences byte for byte
// (keypad transmit first on and last off, win32-input-mode), and the guard on a pipe with raw
// mode off (keypad transmit and the application's enter/leave bytes in order on every path,
// suspend/resume, keypad transmit resolved from $TERM, the size limits). What needs a real
// terminal is in pty-tests/.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <iostream>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "system.hpp"
#include "terminal/winch.hpp"
#include "vtinput/terminal.hpp"

using namespace vtinput;

namespace {

std::atomic<int> g_app_calls{0};
std::atomic<int> g_order{0};  // 1 app then listener, 2 listener then app
void app_handler(int) { g_app_calls.fetch_add(1); }

struct sigaction disposition(int sig)
{
    struct sigaction now {};
    ::sigaction(sig, nullptr, &now);
    return now;
}

void set_handler(int sig, void (*handler)(int))
{
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    REQUIRE(::sigaction(sig, &sa, nullptr) == 0);
}

bool handler_is(int sig, void (*handler)(int))
{
    struct sigaction now = disposition(sig);
    return (now.sa_flags & SA_SIGINFO) == 0 && now.sa_handler == handler;
}

void counting_listener(void* arg) noexcept
{
    auto* calls = static_cast<std::atomic<int>*>(arg);
    if (calls->fetch_add(1) == 0 && g_order.load() == 0) {
        g_order.store(g_app_calls.load() > 0 ? 1 : 2);
    }
}

// An application's handler installed after ours, chaining to the one it found, as it should.
struct sigaction g_found {};
void chaining_app_handler(int sig, siginfo_t* info, void* context)
{
    g_app_calls.fetch_add(1);
    if (g_found.sa_flags & SA_SIGINFO) {
        g_found.sa_sigaction(sig, info, context);
    } else if (g_found.sa_handler != SIG_DFL && g_found.sa_handler != SIG_IGN) {
        g_found.sa_handler(sig);
    }
}

bool is_app_chaining()
{
    struct sigaction now = disposition(SIGWINCH);
    return (now.sa_flags & SA_SIGINFO) != 0 && now.sa_sigaction == chaining_app_handler;
}

// A pipe standing in for the terminal (raw mode off): what the guard writes, read back.
struct Pipe {
    int r = -1;
    int w = -1;
    Pipe()
    {
        int fds[2];
        REQUIRE(test::open_pipe(fds, true) == 0);
        r = fds[0];
        w = fds[1];
    }
    ~Pipe()
    {
        ::close(r);
        ::close(w);
    }
    std::string take()
    {
        std::string out;
        char buf[4096];
        ssize_t n = 0;
        while ((n = ::read(r, buf, sizeof buf)) > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }
};

constexpr std::string_view k_enter = "\x1b[?1049h\x1b[?25l";  // alternate screen, cursor hidden
constexpr std::string_view k_leave = "\x1b[?25h\x1b[?1049l";
// xterm's and st's smkx and rmkx (terminfo xterm-256color, st-256color): DECCKM and DECKPAM.
constexpr std::string_view k_smkx = "\x1b[?1h\x1b=";
constexpr std::string_view k_rmkx = "\x1b[?1l\x1b>";
// Keypad transmit first on, last off.
constexpr std::string_view k_modes_on = "\x1b[?1h\x1b=\x1b[?2004h\x1b[?1004h";
constexpr std::string_view k_modes_off = "\x1b[?1004l\x1b[?2004l\x1b[?1l\x1b>";

KeypadTransmit xterm_keypad() { return {std::string(k_smkx), std::string(k_rmkx)}; }

// Keypad transmit given (not left to $TERM, so that the bytes do not depend on the
// environment), bracketed paste, focus and the application's bytes.
TerminalModes app_modes(bool handle_signals)
{
    TerminalModes m;
    m.raw = false;
    m.keypad_transmit = xterm_keypad();
    m.bracketed_paste = true;
    m.focus = true;
    m.app_enter = k_enter;
    m.app_leave = k_leave;
    m.handle_signals = handle_signals;
    return m;
}

std::string on() { return std::string(k_modes_on) + std::string(k_enter); }
std::string off() { return std::string(k_leave) + std::string(k_modes_off); }

// doctest installs handlers of its own for a test case's duration (it reports a crash and
// re-raises). The guard would chain to them; these tests start from the defaults instead, as a
// program does, and put doctest's back at the end.
class DefaultSignals {
public:
    DefaultSignals()
    {
        for (int sig : k_signals) {
            struct sigaction dfl {};
            dfl.sa_handler = SIG_DFL;
            sigemptyset(&dfl.sa_mask);
            ::sigaction(sig, &dfl, &saved_[sig]);
        }
    }
    ~DefaultSignals()
    {
        for (int sig : k_signals) {
            ::sigaction(sig, &saved_[sig], nullptr);
        }
    }
    DefaultSignals(const DefaultSignals&) = delete;
    DefaultSignals& operator=(const DefaultSignals&) = delete;

private:
    static constexpr int k_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT, SIGWINCH};
    struct sigaction saved_[NSIG] = {};
};

// An application's SIGINT handler that carries on.
std::atomic<int> g_sigint_calls{0};
void carry_on(int) { g_sigint_calls.fetch_add(1); }

// Sets $TERM (nullptr: unsets it) for the scope, and puts it back.
class ScopedTerm {
public:
    explicit ScopedTerm(const char* value)
    {
        if (const char* now = std::getenv("TERM")) {
            saved_ = now;
        }
        if (value != nullptr) {
            ::setenv("TERM", value, 1);
        } else {
            ::unsetenv("TERM");
        }
    }
    ~ScopedTerm()
    {
        if (saved_) {
            ::setenv("TERM", saved_->c_str(), 1);
        } else {
            ::unsetenv("TERM");
        }
    }
    ScopedTerm(const ScopedTerm&) = delete;
    ScopedTerm& operator=(const ScopedTerm&) = delete;

private:
    std::optional<std::string> saved_;
};

}  // namespace

TEST_SUITE("terminal")
{

    TEST_CASE("winch: a handler installed before is called first, then the listeners; it is back after the last goes")
    {
        DefaultSignals defaults;
        g_app_calls = 0;
        g_order = 0;
        set_handler(SIGWINCH, app_handler);
        std::atomic<int> a{0};
        std::atomic<int> b{0};
        detail::add_winch_listener(counting_listener, &a);
        detail::add_winch_listener(counting_listener, &b);
        CHECK_FALSE(handler_is(SIGWINCH, app_handler));
        ::raise(SIGWINCH);
        CHECK(g_app_calls == 1);
        CHECK(a == 1);
        CHECK(b == 1);
        CHECK(g_order == 1);
        detail::remove_winch_listener(counting_listener, &a);
        ::raise(SIGWINCH);
        CHECK(g_app_calls == 2);
        CHECK(a == 1);
        CHECK(b == 2);
        detail::remove_winch_listener(counting_listener, &b);
        CHECK(handler_is(SIGWINCH, app_handler));
        ::raise(SIGWINCH);
        CHECK(g_app_calls == 3);
        CHECK(b == 2);
    }

    TEST_CASE("winch: with the default disposition before, the default is back after")
    {
        DefaultSignals defaults;
        std::atomic<int> a{0};
        detail::add_winch_listener(counting_listener, &a);
        ::raise(SIGWINCH);
        CHECK(a == 1);
        detail::remove_winch_listener(counting_listener, &a);
        CHECK(handler_is(SIGWINCH, SIG_DFL));
        detail::remove_winch_listener(counting_listener, &a);  // not registered: nothing happens
        CHECK(handler_is(SIGWINCH, SIG_DFL));
    }

    TEST_CASE("winch: a handler the application installs after ours is kept; a new listener chains to it, no loop")
    {
        DefaultSignals defaults;
        g_app_calls = 0;
        std::atomic<int> a{0};
        detail::add_winch_listener(counting_listener, &a);
        struct sigaction app {};
        app.sa_sigaction = chaining_app_handler;
        app.sa_flags = SA_SIGINFO;
        sigemptyset(&app.sa_mask);
        REQUIRE(::sigaction(SIGWINCH, &app, &g_found) == 0);
        ::raise(SIGWINCH);  // the application's handler, then ours through its chain
        CHECK(g_app_calls == 1);
        CHECK(a == 1);
        detail::remove_winch_listener(counting_listener, &a);
        CHECK(is_app_chaining());
        // Added again: ours goes in front of the application's, which chains back to ours; the
        // inner call returns at once, so each runs once per signal.
        std::atomic<int> b{0};
        detail::add_winch_listener(counting_listener, &b);
        ::raise(SIGWINCH);
        CHECK(g_app_calls == 2);
        CHECK(b == 1);
        detail::remove_winch_listener(counting_listener, &b);
        CHECK(is_app_chaining());
    }

    TEST_CASE("winch: a listener registered by the parent is not called in a forked child")
    {
        DefaultSignals defaults;
        std::atomic<int> a{0};
        detail::add_winch_listener(counting_listener, &a);
        std::fflush(nullptr);  // or the child's exit() would print the parent's buffered output
        std::cout.flush();
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::raise(SIGWINCH);
            ::_exit(a.load() == 0 ? 0 : 1);
        }
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "wait status " << status);
        ::raise(SIGWINCH);
        CHECK(a == 1);
        detail::remove_winch_listener(counting_listener, &a);
    }

    TEST_CASE("winch: remove returns only once no handler runs the listener")
    {
        DefaultSignals defaults;
        // A listener that holds the handler until released; remove_winch_listener, called
        // meanwhile on another thread, must not return before the listener has returned.
        struct Held {
            std::atomic<bool> entered{false};
            std::atomic<bool> release{false};
            std::atomic<bool> left{false};
        };
        auto held_listener = [](void* arg) noexcept {
            auto* h = static_cast<Held*>(arg);
            h->entered = true;
            while (!h->release.load()) {}
            h->left = true;
        };
        for (int round = 0; round < 50; ++round) {
            Held h;
            detail::add_winch_listener(held_listener, &h);
            std::thread signaller([] { ::raise(SIGWINCH); });  // runs the handler on that thread
            while (!h.entered.load()) {
                std::this_thread::yield();
            }
            std::atomic<bool> removing{false};
            bool left_when_removed = false;
            std::thread remover([&] {
                removing = true;
                detail::remove_winch_listener(held_listener, &h);
                left_when_removed = h.left.load();
            });
            while (!removing.load()) {
                std::this_thread::yield();
            }
            h.release = true;
            remover.join();
            signaller.join();
            CHECK(left_when_removed);
        }
        CHECK(handler_is(SIGWINCH, SIG_DFL));
    }

    TEST_CASE("winch: listeners come and go while signals fly; none is called after its removal")
    {
        DefaultSignals defaults;
        struct Target {
            std::atomic<bool> alive{true};
            std::atomic<int> calls{0};
        };
        static std::atomic<int> called_dead{0};
        auto listener = [](void* arg) noexcept {
            auto* t = static_cast<Target*>(arg);
            if (!t->alive.load()) {
                called_dead.fetch_add(1);
            }
            t->calls.fetch_add(1);
        };
        std::atomic<bool> stop{false};
        std::atomic<long> sent{0};
        std::thread signaller([&] {
            while (!stop.load()) {
                ::kill(::getpid(), SIGWINCH);  // to the process: any thread may run the handler
                sent.fetch_add(1);
            }
        });
        long calls = 0;
        for (int i = 0; i < 2000; ++i) {
            auto* t = new Target;
            detail::add_winch_listener(listener, t);
            while (t->calls.load() == 0 && i % 100 == 0) {
                std::this_thread::yield();  // now and then, make sure signals do reach listeners
            }
            detail::remove_winch_listener(listener, t);
            t->alive = false;
            calls += t->calls.load();
            delete t;  // under AddressSanitizer, a late call would be a use after free
        }
        stop = true;
        signaller.join();
        CHECK(called_dead == 0);
        CHECK(calls > 0);
        MESSAGE(sent.load() << " signals, " << calls << " listener calls");
        CHECK(handler_is(SIGWINCH, SIG_DFL));
    }

    TEST_CASE("winch: more listeners than the table holds is an error, and the rest still work")
    {
        DefaultSignals defaults;
        std::vector<std::atomic<int>> counts(17);
        for (int i = 0; i < 16; ++i) {
            detail::add_winch_listener(counting_listener, &counts[static_cast<std::size_t>(i)]);
        }
        CHECK_THROWS_AS(detail::add_winch_listener(counting_listener, &counts[16]), std::system_error);
        ::raise(SIGWINCH);
        for (int i = 0; i < 16; ++i) {
            CHECK(counts[static_cast<std::size_t>(i)] == 1);
        }
        CHECK(counts[16] == 0);
        for (int i = 0; i < 16; ++i) {
            detail::remove_winch_listener(counting_listener, &counts[static_cast<std::size_t>(i)]);
        }
        CHECK(handler_is(SIGWINCH, SIG_DFL));
    }

    TEST_CASE("guard: the modes then the application's enter bytes; its leave bytes first on the way back")
    {
        DefaultSignals defaults;
        CHECK(enable_sequence(app_modes(false)) == on());
        CHECK(disable_sequence(app_modes(false)) == off());
        Pipe p;
        {
            TerminalGuard guard(p.w, app_modes(false));
            CHECK(p.take() == on());
        }
        CHECK(p.take() == off());
    }

    TEST_CASE("guard: suspend leaves as restore does; while suspended the handlers touch nothing; resume re-enters")
    {
        DefaultSignals defaults;
        set_handler(SIGINT, carry_on);
        g_sigint_calls = 0;
        Pipe p;
        {
            TerminalGuard guard(p.w, app_modes(true));
            CHECK(p.take() == on());
            ::raise(SIGINT);  // restored for the application's handler, re-applied after it
            CHECK(g_sigint_calls == 1);
            CHECK(p.take() == off() + on());
            guard.suspend();
            CHECK(guard.suspended());
            guard.suspend();
            CHECK(p.take() == off());
            ::raise(SIGINT);
            CHECK(g_sigint_calls == 2);
            CHECK(p.take().empty());
            guard.resume();
            CHECK_FALSE(guard.suspended());
            guard.resume();
            CHECK(p.take() == on());
            guard.suspend();
            CHECK(p.take() == off());
        }
        CHECK(p.take().empty());  // suspended at the end: nothing more to restore
        CHECK(handler_is(SIGINT, carry_on));
    }

    TEST_CASE("guard: enter or leave bytes over the limit are refused before anything is written")
    {
        DefaultSignals defaults;
        Pipe p;
        TerminalModes m = app_modes(true);
        m.app_leave.assign(k_max_app_bytes + 1, 'x');
        try {
            TerminalGuard guard(p.w, m);
            FAIL("no exception");
        } catch (const std::system_error& e) {
            CHECK(e.code() == std::errc::invalid_argument);
            CHECK(std::string(e.what()).find("app_leave") != std::string::npos);
        }
        m.app_leave.assign(k_max_app_bytes, 'x');
        m.app_enter.assign(k_max_app_bytes, 'y');
        CHECK(p.take().empty());
        CHECK(handler_is(SIGINT, SIG_DFL));
        {
            TerminalGuard guard(p.w, m);  // the limit itself is fine
            CHECK(p.take() == std::string(k_modes_on) + m.app_enter);
        }
        CHECK(p.take() == m.app_leave + std::string(k_modes_off));
    }

    TEST_CASE("modes: keypad transmit first on and last off, win32-input-mode 9001, every mode in its place")
    {
        TerminalModes m;
        m.raw = false;
        m.keypad_transmit = xterm_keypad();
        m.mouse = MouseTracking::motion;
        m.mouse_pixels = true;
        m.bracketed_paste = true;
        m.focus = true;
        m.kitty_flags = 1;
        m.modify_other_keys = 2;
        m.win32_input = true;
        m.in_band_resize = true;
        m.app_enter = k_enter;
        m.app_leave = k_leave;
        CHECK(enable_sequence(m) ==
              "\x1b[?1h\x1b="
              "\x1b[?1003h\x1b[?1016h\x1b[?2004h\x1b[?1004h\x1b[>1u\x1b[>4;2m\x1b[?9001h\x1b[?2048h"
              "\x1b[?1049h\x1b[?25l");
        CHECK(disable_sequence(m) == "\x1b[?25h\x1b[?1049l"
                                     "\x1b[?2048l\x1b[?9001l\x1b[>4m\x1b[<u\x1b[?1004l\x1b[?2004l\x1b[?1016l\x1b[?1003l"
                                     "\x1b[?1l\x1b>");
        // Without keypad transmit (none given, or none to give), the same without its bytes.
        for (std::optional<KeypadTransmit> none : {std::optional<KeypadTransmit>(), std::optional(KeypadTransmit{})}) {
            m.keypad_transmit = none;
            CHECK(enable_sequence(m) ==
                  "\x1b[?1003h\x1b[?1016h\x1b[?2004h\x1b[?1004h\x1b[>1u\x1b[>4;2m\x1b[?9001h\x1b[?2048h"
                  "\x1b[?1049h\x1b[?25l");
            CHECK(disable_sequence(m) ==
                  "\x1b[?25h\x1b[?1049l"
                  "\x1b[?2048l\x1b[?9001l\x1b[>4m\x1b[<u\x1b[?1004l\x1b[?2004l\x1b[?1016l\x1b[?1003l");
        }
        // Colour-scheme updates (2031) go last on, first off.
        m.keypad_transmit = xterm_keypad();
        m.color_scheme_updates = true;
        CHECK(enable_sequence(m).ends_with("\x1b[?2048h\x1b[?2031h\x1b[?1049h\x1b[?25l"));
        CHECK(disable_sequence(m).starts_with("\x1b[?25h\x1b[?1049l\x1b[?2031l\x1b[?2048l"));
        m.color_scheme_updates = false;
        // Alone: win32-input-mode, keypad transmit (urxvt's: DECKPAM only), nothing at all.
        TerminalModes only;
        only.win32_input = true;
        CHECK(enable_sequence(only) == "\x1b[?9001h");
        CHECK(disable_sequence(only) == "\x1b[?9001l");
        only.win32_input = false;
        CHECK(enable_sequence(only).empty());
        CHECK(disable_sequence(only).empty());
        only.keypad_transmit = KeypadTransmit{"\x1b=", "\x1b>"};
        CHECK(enable_sequence(only) == "\x1b=");
        CHECK(disable_sequence(only) == "\x1b>");
    }

    TEST_CASE("guard: keypad transmit left unset is the smkx/rmkx of terminfo entry $TERM, or none")
    {
        DefaultSignals defaults;
        struct Case {
            const char* term;  // nullptr: unset
            KeypadTransmit expected;
        };
        const Case cases[] = {
            {"xterm-256color", xterm_keypad()},
            {"rxvt-unicode", {"\x1b=", "\x1b>"}},  // DECKPAM alone: urxvt's cursor keys are CSI either way
            {"dumb", {}},                          // no smkx
            {"linux", {}},                         // no smkx: the console's keys do not depend on it
            {"no-such-term-xyz", {}},              // no entry
            {"", {}},                              // no terminal named
            {nullptr, {}},                         // the key table's fallback name is a guess: not written to
        };
        for (const Case& c : cases) {
            CAPTURE(c.term ? c.term : "(unset)");
            ScopedTerm term(c.term);
            Pipe p;
            TerminalModes m = app_modes(false);
            m.keypad_transmit.reset();
            {
                TerminalGuard guard(p.w, m);
                REQUIRE(guard.modes().keypad_transmit.has_value());
                CHECK(*guard.modes().keypad_transmit == c.expected);
                CHECK(p.take() == c.expected.enable + "\x1b[?2004h\x1b[?1004h" + std::string(k_enter));
            }
            CHECK(p.take() == std::string(k_leave) + "\x1b[?1004l\x1b[?2004l" + c.expected.disable);
        }
        // Given, it is taken as it is, whatever $TERM says.
        ScopedTerm term("xterm-256color");
        Pipe p;
        TerminalModes m = app_modes(false);
        m.keypad_transmit = KeypadTransmit{};
        {
            TerminalGuard guard(p.w, m);
            CHECK(guard.modes().keypad_transmit == KeypadTransmit{});
            CHECK(p.take() == "\x1b[?2004h\x1b[?1004h" + std::string(k_enter));
        }
        CHECK(p.take() == std::string(k_leave) + "\x1b[?1004l\x1b[?2004l");
    }

    TEST_CASE("guard: keypad transmit bytes over the limit are refused before anything is written")
    {
        DefaultSignals defaults;
        Pipe p;
        for (bool enable : {true, false}) {
            CAPTURE(enable);
            TerminalModes m = app_modes(true);
            (enable ? m.keypad_transmit->enable : m.keypad_transmit->disable).assign(k_max_keypad_bytes + 1, 'k');
            try {
                TerminalGuard guard(p.w, m);
                FAIL("no exception");
            } catch (const std::system_error& e) {
                CHECK(e.code() == std::errc::invalid_argument);
                CHECK(std::string(e.what()).find(enable ? "keypad_transmit.enable" : "keypad_transmit.disable") !=
                      std::string::npos);
            }
            CHECK(p.take().empty());
            CHECK(handler_is(SIGINT, SIG_DFL));
        }
        TerminalModes m = app_modes(true);
        m.keypad_transmit = KeypadTransmit{std::string(k_max_keypad_bytes, 'k'), std::string(k_max_keypad_bytes, 'l')};
        m.app_enter.assign(k_max_app_bytes, 'y');
        m.app_leave.assign(k_max_app_bytes, 'x');
        {
            TerminalGuard guard(p.w, m);  // every limit at once is fine: nothing is cut
            CHECK(p.take() == m.keypad_transmit->enable + "\x1b[?2004h\x1b[?1004h" + m.app_enter);
        }
        CHECK(p.take() == m.app_leave + "\x1b[?1004l\x1b[?2004l" + m.keypad_transmit->disable);
    }

    TEST_CASE("guard: one per process")
    {
        DefaultSignals defaults;
        Pipe p;
        TerminalGuard guard(p.w, app_modes(false));
        try {
            TerminalGuard second(p.w, app_modes(false));
            FAIL("no exception");
        } catch (const std::system_error& e) {
            CHECK(e.code() == std::errc::device_or_resource_busy);
        }
    }

    TEST_CASE("guard: a fork() child restores nothing: not by restore(), its destructor, exit() or a signal")
    {
        DefaultSignals defaults;
        enum class Way { restore, destructor, exit, sigterm, suspend };
        for (Way way : {Way::restore, Way::destructor, Way::exit, Way::sigterm, Way::suspend}) {
            CAPTURE(static_cast<int>(way));
            Pipe p;
            {
                TerminalGuard guard(p.w, app_modes(true));
                CHECK(p.take() == on());
                std::fflush(nullptr);  // or the child's exit() would print the parent's buffered output
                std::cout.flush();
                pid_t pid = ::fork();
                REQUIRE(pid >= 0);
                if (pid == 0) {
                    switch (way) {
                    case Way::restore: guard.restore(); break;
                    case Way::destructor: guard.~TerminalGuard(); break;
                    case Way::exit: std::exit(0);
                    case Way::sigterm: ::raise(SIGTERM); break;
                    case Way::suspend:
                        guard.suspend();
                        try {
                            guard.resume();
                            ::_exit(3);
                        } catch (const std::system_error&) {}
                        break;
                    }
                    ::_exit(0);
                }
                int status = 0;
                REQUIRE(::waitpid(pid, &status, 0) == pid);
                if (way == Way::sigterm) {
                    CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM), "wait status " << status);
                } else {
                    CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "wait status " << status);
                }
                CHECK(p.take().empty());
            }
            CHECK(p.take() == off());  // the parent's guard restores as usual
        }
    }

    TEST_CASE("guard: the application's handlers are back after, those it installed meanwhile are kept")
    {
        DefaultSignals defaults;
        Pipe p;
        set_handler(SIGINT, carry_on);
        set_handler(SIGCONT, app_handler);
        {
            TerminalGuard guard(p.w, app_modes(true));
            CHECK_FALSE(handler_is(SIGINT, carry_on));
            CHECK_FALSE(handler_is(SIGTERM, SIG_DFL));
            set_handler(SIGTERM, app_handler);  // installed while the guard is active
            set_handler(SIGTSTP, carry_on);
        }
        CHECK(handler_is(SIGINT, carry_on));
        CHECK(handler_is(SIGCONT, app_handler));
        CHECK(handler_is(SIGTERM, app_handler));
        CHECK(handler_is(SIGTSTP, carry_on));
        CHECK(handler_is(SIGHUP, SIG_DFL));
    }

}  // TEST_SUITE
