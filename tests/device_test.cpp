// The input device over pipes, sockets and a bare pseudo-terminal: singleton, open errors,
// spawn/exit/respawn, EOF and I/O errors reaching every receiver, the fast-path reuse race
// driven through the poller's test hooks, re-open on another input right after a close, no byte
// lost across drop and re-open, the released terminal (suspend/resume: nothing read meanwhile,
// what was read delivered first), size(), thread/fd hygiene over many cycles, and the
// keypad-transmit bytes that go with the key table (the key-map cache).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "device/keymap_cache.hpp"
#include "device/lifecycle.hpp"
#include "device_fixtures.hpp"
#include "proc_counts.hpp"
#include "sanitizers.hpp"
#include "system.hpp"
#include "vtinput/input_device.hpp"

using namespace vtinput;
using namespace std::chrono_literals;
using detail::Lifecycle;

namespace {

using test::Clean;
using test::on;
using test::Pipe;

constexpr auto k_failure_timeout = 10s;  // only reached when something is broken

// The next event that is not a LaggedEvent; fails the test on timeout.
Event next(Receiver& r)
{
    auto e = r.receive_for(k_failure_timeout);
    REQUIRE_MESSAGE(e.has_value(), "no event within the failure timeout");
    return *e;
}

std::string key_text(const Event& e)
{
    const auto* k = std::get_if<KeyEvent>(&e);
    REQUIRE_MESSAGE(k != nullptr, "expected a key, got " << to_string(e));
    return k->text;
}

// A "terminal" on another thread: reads the whole capability query from `queries`, then
// writes each of `answers` to `input` in its own write (or "MISMATCH" if the query was not
// capability_query()). When it says it is `version` (its answers include XTVERSION), it also
// reads the follow-up round and answers it with DA1 alone.
std::thread answer_query(Pipe& queries, Pipe& input, std::vector<std::string> answers, std::string version = {})
{
    return std::thread([&queries, &input, answers = std::move(answers), version = std::move(version)] {
        auto read_exactly = [&](const std::string& want) {
            std::string got;
            char buf[256];
            while (got.size() < want.size()) {
                ssize_t n = ::read(queries.r, buf, std::min(sizeof buf, want.size() - got.size()));
                if (n <= 0) {
                    return false;
                }
                got.append(buf, static_cast<std::size_t>(n));
            }
            return got == want;
        };
        if (!read_exactly(capability_query())) {
            input.write("MISMATCH");
            return;
        }
        for (const std::string& a : answers) {
            input.write(a);
        }
        if (!version.empty()) {
            Capabilities first;
            first.version = version;
            input.write(read_exactly(capability_followup(first)) ? "\x1b[?62;22c" : "MISMATCH");
        }
    });
}

// Holds the poller thread at one of its hook points: on its first visit there, the hook says
// so (wait_reached) and blocks until release(). Later visits pass (a second doorbell, say).
struct HeldPoller {
    enum class At { exit_check, exit_decision };
    std::promise<void> reached;
    std::promise<void> go;
    std::shared_future<void> released = go.get_future().share();
    std::atomic<bool> visited{false};

    explicit HeldPoller(At at)
    {
        auto hold = [this, released = released] {
            if (!visited.exchange(true)) {
                reached.set_value();
                released.wait();
            }
        };
        detail::PollerHooks hooks;
        (at == At::exit_check ? hooks.before_exit_check : hooks.after_exit_decision) = hold;
        Lifecycle::instance().set_hooks(hooks);
    }
    void wait_reached() { reached.get_future().wait(); }
    void release()
    {
        go.set_value();
        Lifecycle::instance().set_hooks({});
    }
};

// Opens a device on `from` and closes it; while its poller is held at `at`, opens one on `to`
// from another thread (`while_held` runs before), and returns that one once the poller is let
// go: the open must wait for the held generation and start the next.
InputDevice reopen_while_held(HeldPoller::At at, const Pipe& from, const Pipe& to,
                              const std::function<void()>& while_held = {})
{
    HeldPoller held(at);
    auto first = InputDevice::open(on(from.r));
    first.close();
    held.wait_reached();
    if (while_held) {
        while_held();
    }
    auto opener = std::async(std::launch::async, [&] { return InputDevice::open(on(to.r)); });
    held.release();
    return opener.get();
}

using test::fd_count;
using test::settled_thread_count;
using test::thread_count;

// Bytes waiting to be read in `fd` (FIONREAD), once it has some: a pseudo-terminal moves what
// is written to the master into the slave's input queue on a kernel worker, a moment later.
int unread(int fd)
{
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(k_failure_timeout).count())) == 1);
    int n = -1;
    REQUIRE(::ioctl(fd, FIONREAD, &n) == 0);
    return n;
}

// A bare pseudo-terminal, raw, for tests that need a terminal's size and SIGWINCH but no
// child process; `ok` is false where the system has none (the test then says so and passes).
struct Pty {
    int master = -1, slave = -1;
    bool ok = false;
    Pty(unsigned short cols = 80, unsigned short rows = 24)
    {
        winsize ws{};
        ws.ws_col = cols;
        ws.ws_row = rows;
        std::string why;
        ok = test::open_pty(master, slave, &ws, why);
        if (ok) {
            termios t{};
            ::tcgetattr(slave, &t);
            ::cfmakeraw(&t);
            ::tcsetattr(slave, TCSANOW, &t);
        } else {
            MESSAGE("no pseudo-terminal here (" << why << "): the terminal part of this test is skipped");
        }
    }
    ~Pty()
    {
        for (int fd : {master, slave}) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
    void type(std::string_view s) const
    {
        REQUIRE(::write(master, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
    }
    void resize(unsigned short cols, unsigned short rows) const
    {
        winsize ws{};
        ws.ws_col = cols;
        ws.ws_row = rows;
        REQUIRE(::ioctl(master, TIOCSWINSZ, &ws) == 0);
    }
};

// A device on the pseudo-terminal, its modes left alone.
InputDevice open_on(const Pty& pty)
{
    DeviceOptions o = on(pty.slave);
    o.terminal = std::nullopt;
    return InputDevice::open(o);
}

// `n` bytes typed on `pty` while the terminal is released stay unread, although the poller's
// loop runs (twice: SIGWINCH to ourselves, and its ResizeEvent taken from `r`; the poller
// handles SIGWINCH while it reads nothing).
void check_unread(const Pty& pty, int n, Receiver& r, const ResizeEvent& size)
{
    REQUIRE(unread(pty.slave) == n);  // readable now
    for (int i = 0; i < 2; ++i) {
        ::raise(SIGWINCH);
        CHECK(to_string(next(r)) == to_string(size));
    }
    CHECK(unread(pty.slave) == n);
}

// The events of `r` after a resume: a ResizeEvent of `size` (resizes `r` had not taken may
// have collapsed into it, or not), then the keys of `keys`.
void check_resumed(Receiver& r, const ResizeEvent& size, std::string_view keys)
{
    Event e = next(r);
    CHECK(to_string(e) == to_string(size));
    while (std::holds_alternative<ResizeEvent>(e)) {
        e = next(r);
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) {
            e = next(r);
        }
        CHECK(key_text(e) == std::string(1, keys[i]));
    }
}

}  // namespace

TEST_SUITE("device")
{

    TEST_CASE("keys written to the input arrive as events")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        p.write("a\x1b[A");
        CHECK(key_text(next(dev.events())) == "a");
        auto up = next(dev.events());
        CHECK(to_string(up) == "Up");
        auto s = InputDevice::status();
        CHECK(s.running);
        CHECK(s.device_open);
        CHECK(s.receivers == 1);
    }

    TEST_CASE("a second open while one is alive is refused; after the drop it succeeds")
    {
        Clean clean;
        Pipe p;
        {
            auto dev = InputDevice::open(on(p.r));
            try {
                auto second = InputDevice::open(on(p.r));
                FAIL("second open succeeded");
            } catch (const std::system_error& e) {
                CHECK(e.code() == std::errc::device_or_resource_busy);
                CHECK(std::string(e.what()).find("already open") != std::string::npos);
            }
            CHECK(InputDevice::status().device_open);
        }
        CHECK_FALSE(InputDevice::status().device_open);
        auto again = InputDevice::open(on(p.r));
        p.write("z");
        CHECK(key_text(next(again.events())) == "z");
    }

    TEST_CASE("an open with nothing to read throws, naming what it tried")
    {
        Clean clean;
        try {
            auto dev = InputDevice::open(on(1'000'000));
            FAIL("open of a closed fd succeeded");
        } catch (const std::system_error& e) {
            CHECK(e.code() == std::errc::bad_file_descriptor);
            CHECK(std::string(e.what()).starts_with("vtinput: fd 1000000 "));
        }
        // No controlling terminal and a standard input that is none: the default open has nothing
        // to read. In a child, which can leave its session.
        Pipe report;
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int null = ::open("/dev/null", O_RDONLY);
            std::string what = "no exception";
            if (::setsid() < 0 || null < 0 || ::dup2(null, STDIN_FILENO) < 0) {
                what = "child set-up failed";
            } else {
                try {
                    auto dev = InputDevice::open();
                } catch (const std::system_error& e) {
                    what = e.code() == std::errc::no_such_device_or_address ? e.what() : "wrong code";
                }
            }
            report.write(what);
            ::_exit(0);
        }
        report.close_write();
        std::string what;
        char buf[256];
        for (ssize_t n; (n = ::read(report.r, buf, sizeof buf)) > 0;) {
            what.append(buf, static_cast<std::size_t>(n));
        }
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK(what.starts_with("vtinput: cannot open the terminal (/dev/tty)"));
    }

    TEST_CASE("the thread exits after the last receiver drops and the next open starts a new generation")
    {
        Clean clean;
        Pipe p;
        std::uint64_t first = 0;
        {
            auto dev = InputDevice::open(on(p.r));
            first = InputDevice::status().generation;
            Receiver extra = dev.subscribe();
            CHECK(InputDevice::status().receivers == 2);
        }
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        CHECK_FALSE(InputDevice::status().running);
        CHECK(InputDevice::status().receivers == 0);
        auto dev = InputDevice::open(on(p.r));
        CHECK(InputDevice::status().generation == first + 1);
        p.write("q");
        CHECK(key_text(next(dev.events())) == "q");
        CHECK(InputDevice::status().unclean_loops == 0);
    }

    TEST_CASE("subscribers outlive the device and keep the thread alive")
    {
        Clean clean;
        Pipe p;
        Receiver extra;
        {
            auto dev = InputDevice::open(on(p.r));
            extra = dev.subscribe();
        }
        p.write("k");
        CHECK(key_text(next(extra)) == "k");
        CHECK(InputDevice::status().running);
        CHECK_FALSE(InputDevice::status().device_open);
    }

    TEST_CASE("end of input reaches every receiver as eof and the thread exits")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        Receiver a = dev.subscribe();
        Receiver b = dev.subscribe();
        p.write("x\x1b");  // a pending ESC is resolved at end of input
        p.close_write();
        for (Receiver* r : {&dev.events(), &a, &b}) {
            CHECK(key_text(next(*r)) == "x");
            CHECK(to_string(next(*r)) == "Escape");
            CHECK(std::holds_alternative<EofEvent>(next(*r)));
        }
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        for (Receiver* r : {&dev.events(), &a, &b}) {
            CHECK_FALSE(r->receive_for(k_failure_timeout));  // the end of the stream, not a hang
            CHECK(r->closed());
        }
        CHECK_FALSE(InputDevice::status().running);
    }

    TEST_CASE("an I/O error reaches every receiver as an error event; the socket's flags are restored")
    {
        Clean clean;
        int listener = test::open_socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(listener >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listener, 1) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        int client = test::open_socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        int server = test::accept_connection(listener);
        REQUIRE(server >= 0);
        int flags_before = ::fcntl(client, F_GETFL);
        {
            auto dev = InputDevice::open(on(client));
            Receiver other = dev.subscribe();
            linger reset{1, 0};  // close with RST: the reader gets ECONNRESET
            REQUIRE(::setsockopt(server, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == 0);
            ::close(server);
            for (Receiver* r : {&dev.events(), &other}) {
                auto e = next(*r);
                REQUIRE_MESSAGE(std::holds_alternative<ErrorEvent>(e), to_string(e));
                const auto& error = std::get<ErrorEvent>(e);
                CHECK(error.code == std::error_code(ECONNRESET, std::generic_category()));
                CHECK(error.message.starts_with("vtinput: "));
            }
            REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        }
        CHECK(::fcntl(client, F_GETFL) == flags_before);
        ::close(client);
        ::close(listener);
    }

    TEST_CASE("an exception inside the thread becomes an error event on every receiver and ends it")
    {
        Clean clean;
        Pipe p;
        detail::PollerHooks hooks;
        hooks.before_read = [] { throw std::runtime_error("injected failure"); };
        Lifecycle::instance().set_hooks(hooks);
        auto dev = InputDevice::open(on(p.r));
        Receiver other = dev.subscribe();
        p.write("a");
        for (Receiver* r : {&dev.events(), &other}) {
            auto e = next(*r);
            REQUIRE_MESSAGE(std::holds_alternative<ErrorEvent>(e), to_string(e));
            CHECK(std::get<ErrorEvent>(e).message.find("injected failure") != std::string::npos);
        }
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        Lifecycle::instance().set_hooks({});
        // The byte that was never read is still there for the next generation.
        Receiver again = dev.subscribe();
        CHECK(key_text(next(again)) == "a");
    }

    TEST_CASE("the caller's file status flags: a pipe's are back once the poller stops, a terminal's never change")
    {
        Clean clean;
        Pipe p;
        int before = ::fcntl(p.r, F_GETFL);
        REQUIRE((before & O_NONBLOCK) == 0);
        {
            auto dev = InputDevice::open(on(p.r));
            p.write("a");
            next(dev.events());  // the poller is reading: its fd is set up
#if defined(VTINPUT_PORTABLE)
            // The portable backend re-opens terminals only: it reads the pipe through the
            // caller's description, non-blocking, until the poller stops.
            CHECK(::fcntl(p.r, F_GETFL) == (before | O_NONBLOCK));
#else
            // The native backend reads a description of its own (/proc/self/fd/N).
            CHECK(::fcntl(p.r, F_GETFL) == before);
#endif
        }
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        CHECK(::fcntl(p.r, F_GETFL) == before);

        // A terminal is re-opened on both backends (by its name on the portable one).
        Pty pty;
        if (!pty.ok) {
            return;
        }
        int tty_before = ::fcntl(pty.slave, F_GETFL);
        REQUIRE((tty_before & O_NONBLOCK) == 0);
        {
            auto dev = open_on(pty);
            pty.type("b");
            next(dev.events());
            CHECK(::fcntl(pty.slave, F_GETFL) == tty_before);
        }
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        CHECK(::fcntl(pty.slave, F_GETFL) == tty_before);
    }

    TEST_CASE("fast-path race, thread not yet exited: the re-open reuses the running thread")
    {
        Clean clean;
        Pipe p;
        HeldPoller held(HeldPoller::At::exit_check);
        auto first = InputDevice::open(on(p.r));
        auto generation = InputDevice::status().generation;
        first.close();  // drop: the doorbell rings, the thread stops in the hook
        held.wait_reached();
        auto second = InputDevice::open(on(p.r));  // fast path: still running
        held.release();
        p.write("r");
        CHECK(key_text(next(second.events())) == "r");
        auto s = InputDevice::status();
        CHECK(s.generation == generation);
        CHECK(s.running);
    }

    TEST_CASE("fast-path race, thread decided to exit: the re-open waits and starts a new generation")
    {
        Clean clean;
        Pipe p;
        auto before = InputDevice::status().generation;
        auto second = reopen_while_held(HeldPoller::At::exit_decision, p, p, [] {
            // The thread has decided; it must not be reused.
            CHECK_FALSE(InputDevice::status().running);
        });
        CHECK(InputDevice::status().generation == before + 2);
        p.write("s");
        CHECK(key_text(next(second.events())) == "s");
    }

    TEST_CASE("fast-path race repeated: every re-open gets its keys and no extra thread remains")
    {
        Clean clean;
        Pipe p;
        auto threads = thread_count();
        for (int i = 0; i < 300; ++i) {
            auto dev = InputDevice::open(on(p.r));
            char c = static_cast<char>('a' + i % 26);
            p.write(std::string(1, c));
            CHECK(key_text(next(dev.events())) == std::string(1, c));
        }
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        CHECK(settled_thread_count(threads) == threads);
    }

    TEST_CASE("no byte is lost across drop and re-open while input keeps arriving")
    {
        Clean clean;
        Pipe p;
        std::string sent;
        for (int i = 0; i < 4000; ++i) {
            sent += static_cast<char>('!' + i % 90);
        }
        std::thread writer([&] {
            for (std::size_t off = 0; off < sent.size(); off += 37) {
                p.write(std::string_view(sent).substr(off, 37));
            }
        });
        std::string got;
        // Many short-lived devices, each taking a little, then one that takes the rest.
        for (int round = 0; round < 60 && got.size() < sent.size(); ++round) {
            auto dev = InputDevice::open(on(p.r));
            for (int k = 0; k < 20 && got.size() < sent.size(); ++k) {
                auto e = next(dev.events());
                REQUIRE_MESSAGE(!std::holds_alternative<LaggedEvent>(e), "events were lost");
                got += key_text(e);
            }
        }
        {
            auto dev = InputDevice::open(on(p.r));
            while (got.size() < sent.size()) {
                got += key_text(next(dev.events()));
            }
        }
        writer.join();
        CHECK(got == sent);
    }

    TEST_CASE("a decoder's undecided bytes are handed to the next generation")
    {
        Clean clean;
        Pipe p;
        DeviceOptions o = on(p.r);
        o.decoder.stale_timeout = std::chrono::hours(1);  // the half sequence must not time out
        {
            auto dev = InputDevice::open(o);
            p.write("m\x1b[1;5");  // one write: read whole, 'm' then half a Ctrl+Up kept pending
            CHECK(key_text(next(dev.events())) == "m");
        }
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        auto dev = InputDevice::open(o);
        p.write("A");
        CHECK(to_string(next(dev.events())) == "Ctrl+Up");
    }

    TEST_CASE("re-open on another input right after a close waits for the old poller instead of refusing")
    {
        Clean clean;
        Pipe a, b;
        // Plain: close and open at once, alternating inputs; the old poller is still running or
        // exiting when the next open comes.
        for (int i = 0; i < 200; ++i) {
            Pipe& p = i % 2 ? a : b;
            auto dev = InputDevice::open(on(p.r));
            std::string key(1, static_cast<char>('a' + i % 26));
            p.write(key);
            CHECK(key_text(next(dev.events())) == key);
        }
        // Forced: the old poller is held before it looks at its receivers; the open on the other
        // input waits for it, and is served by the next generation once it is let go.
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        auto before = InputDevice::status().generation;
        auto second = reopen_while_held(HeldPoller::At::exit_check, a, b);
        CHECK(InputDevice::status().generation == before + 2);
        b.write("z");
        CHECK(key_text(next(second.events())) == "z");
    }

    TEST_CASE("an open on another input is refused while the running poller still has a receiver")
    {
        Clean clean;
        Pipe a, b;
        auto dev = InputDevice::open(on(a.r));
        Receiver extra = dev.subscribe();
        dev.close();
        try {
            auto other = InputDevice::open(on(b.r));
            FAIL("the open on another input succeeded");
        } catch (const std::system_error& e) {
            CHECK(e.code() == std::errc::device_or_resource_busy);
            CHECK(std::string(e.what()).find("reads another input") != std::string::npos);
        }
        a.write("k");
        CHECK(key_text(next(extra)) == "k");
    }

    TEST_CASE("size(): the terminal's size now, without a signal; none for a pipe")
    {
        Clean clean;
        Pipe p;
        {
            auto dev = InputDevice::open(on(p.r));
            CHECK_FALSE(dev.size().has_value());
        }
        Pty pty(100, 40);
        if (!pty.ok) {
            return;
        }
        auto dev = open_on(pty);
        REQUIRE(dev.size().has_value());
        CHECK(to_string(*dev.size()) == to_string(ResizeEvent{100, 40, 0, 0}));
        CHECK(dev.try_receive() == std::nullopt);  // no ResizeEvent at open
        pty.resize(132, 50);
        CHECK(to_string(*dev.size()) == to_string(ResizeEvent{132, 50, 0, 0}));
    }

    TEST_CASE("suspend: what was read comes out before it returns, resolved; nothing read before is joined with what "
              "comes after")
    {
        Clean clean;
        Pipe p;
        DeviceOptions o = on(p.r);
        o.decoder.esc_timeout = std::chrono::hours(1);  // only the release resolves the ESC
        auto dev = InputDevice::open(o);
        Receiver extra = dev.subscribe();
        // One write below PIPE_BUF: the read that gave 'a' took the ESC with it.
        p.write("a\x1b");
        CHECK(key_text(next(dev.events())) == "a");
        dev.suspend();
        CHECK(dev.suspended());
        CHECK(InputDevice::status().suspended);
        auto escape = dev.try_receive();  // already there: no waiting
        REQUIRE(escape.has_value());
        CHECK(to_string(*escape) == "Escape");
        p.write("[A");  // typed for someone else, then read by us after the resume
        dev.suspend();  // idempotent
        dev.resume();
        CHECK_FALSE(InputDevice::status().suspended);
        CHECK(key_text(next(dev.events())) == "[");  // not Up: the ESC was not kept for it
        CHECK(key_text(next(dev.events())) == "A");
        // The other receiver saw the same, in the same order.
        CHECK(key_text(next(extra)) == "a");
        CHECK(to_string(next(extra)) == "Escape");
        CHECK(key_text(next(extra)) == "[");
        CHECK(key_text(next(extra)) == "A");
        dev.resume();  // idempotent
        dev.close();
        CHECK_THROWS_AS(dev.suspend(), std::system_error);
    }

    TEST_CASE("suspend: nothing is read while released, whoever is subscribed; resume announces the size first")
    {
        Clean clean;
        Pty pty(90, 30);
        if (!pty.ok) {
            return;
        }
        auto dev = open_on(pty);
        std::vector<Receiver> extras;
        for (int i = 0; i < 3; ++i) {
            extras.push_back(dev.subscribe());
        }
        const ResizeEvent size{90, 30, 0, 0};
        for (int cycle = 0; cycle < 50; ++cycle) {
            dev.suspend();
            pty.type("xyz");
            check_unread(pty, 3, dev.events(), size);
            dev.resume();
            check_resumed(dev.events(), size, "xyz");
            for (Receiver& r : extras) {
                check_resumed(r, size, "xyz");  // with the resizes of check_unread
            }
        }
        CHECK(InputDevice::status().receivers == 4);
    }

    TEST_CASE("a generation started while the terminal is released reads nothing until the resume")
    {
        Clean clean;
        Pty pty(81, 25);
        if (!pty.ok) {
            return;
        }
        auto dev = open_on(pty);
        dev.suspend();
        detail::Lifecycle::instance().shutdown();  // the generation ends; the device stays released
        Receiver r = dev.subscribe();              // starts the next one, paused
        const ResizeEvent size{81, 25, 0, 0};
        pty.type("q");
        check_unread(pty, 1, r, size);
        dev.resume();
        check_resumed(r, size, "q");
        check_resumed(dev.events(), size, "q");
    }

    TEST_CASE("with_terminal_released: resumes after fn, also when fn throws, and returns fn's value")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        int got = dev.with_terminal_released([&] {
            CHECK(dev.suspended());
            return 42;
        });
        CHECK(got == 42);
        CHECK_FALSE(dev.suspended());
        CHECK_THROWS_AS(dev.with_terminal_released([&] { throw std::runtime_error("child failed"); }),
                        std::runtime_error);
        CHECK_FALSE(dev.suspended());
        p.write("k");
        CHECK(key_text(next(dev.events())) == "k");
    }

    TEST_CASE("close while released ends the release: other receivers are read for again")
    {
        Clean clean;
        Pipe p;
        Receiver extra;
        {
            auto dev = InputDevice::open(on(p.r));
            extra = dev.subscribe();
            dev.suspend();
        }
        CHECK_FALSE(InputDevice::status().suspended);
        p.write("w");
        CHECK(key_text(next(extra)) == "w");
    }

    TEST_CASE("raw_bytes: each event comes after the bytes it was decoded from, however they were split")
    {
        Clean clean;
        Pipe p;
        DeviceOptions o = on(p.r);
        o.raw_bytes = true;
        o.decoder.esc_timeout = 20ms;
        auto dev = InputDevice::open(o);
        auto expect = [&](const Event& e) { CHECK(to_string(next(dev.events())) == to_string(e)); };
        p.write("a\x1b[1;5A");
        expect(RawEvent{"a"});
        expect(KeyEvent{char_key('a'), {}, KeyKind::press, "a"});
        expect(RawEvent{"\x1b[1;5A"});
        CHECK(to_string(next(dev.events())) == "Ctrl+Up");
        // Split across writes (and reads): one RawEvent with the whole sequence.
        p.write("\x1b[");
        p.write("B");
        expect(RawEvent{"\x1b[B"});
        CHECK(to_string(next(dev.events())) == "Down");
        // A lone ESC resolved by the timeout: its byte comes with it.
        p.write("\x1b");
        expect(RawEvent{"\x1b"});
        CHECK(to_string(next(dev.events())) == "Escape");
    }

    TEST_CASE("ESCDELAY sets the ESC timeout unless the application fixed it; a malformed one is ignored")
    {
        Clean clean;
        struct Env {
            ~Env() { ::unsetenv("ESCDELAY"); }
        } env;
        Pipe input;
        DeviceOptions o = on(input.r);
        o.decoder.esc_timeout = 70ms;
        ::setenv("ESCDELAY", "125", 1);
        {
            auto dev = InputDevice::open(o);
            CHECK(dev.esc_timeout() == 125ms);
            input.write("\x1b");  // the poller's decoder has it too: Escape after 125 ms, not 70
            auto start = std::chrono::steady_clock::now();
            CHECK(to_string(next(dev.events())) == "Escape");
            CHECK(std::chrono::steady_clock::now() - start >= 125ms);
        }
        o.esc_timeout = DeviceOptions::EscTimeout::fixed;
        {
            auto dev = InputDevice::open(o);
            CHECK(dev.esc_timeout() == 70ms);
        }
        o.esc_timeout = DeviceOptions::EscTimeout::environment;
        for (const char* bad : {"", "fast", "12x", "-5", "10001"}) {
            CAPTURE(bad);
            ::setenv("ESCDELAY", bad, 1);
            auto dev = InputDevice::open(o);
            CHECK(dev.esc_timeout() == 70ms);
        }
    }

    TEST_CASE("query_capabilities without a terminal under the device is unavailable at once")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        CHECK(dev.capabilities().status == Capabilities::Status::not_queried);
        CHECK(dev.query_capabilities(10s).status == Capabilities::Status::unavailable);
        CHECK(dev.capabilities().status == Capabilities::Status::unavailable);
        dev.close();
        CHECK_THROWS_AS(dev.query_capabilities(), std::system_error);
    }

    TEST_CASE("capability replies are taken out of the stream; keys typed meanwhile are not")
    {
        Clean clean;
        Pipe input;    // what the "terminal" sends
        Pipe queries;  // what the library writes to the "terminal"
        auto dev = InputDevice::open(on(input.r));
        Receiver other = dev.subscribe();
        // The terminal answers with a key typed in the middle.
        std::thread terminal =
            answer_query(queries, input, {"\x1b[?5u\x1b[?2004;2$yk\x1bP>|fake(1.0)\x1b\\\x1b[?62;22c"}, "fake(1.0)");
        Capabilities c = Lifecycle::instance().query_capabilities(queries.w, "", k_failure_timeout);
        terminal.join();
        CHECK(c.status == Capabilities::Status::answered);
        CHECK(c.kitty_flags == std::optional<unsigned>(5));
        CHECK(c.mode(2004) == ModeSupport::reset);
        CHECK(c.version == "fake(1.0)");
        CHECK(c.device_attributes == std::vector<int>{62, 22});
        input.write("z");
        for (Receiver* r : {&dev.events(), &other}) {
            CHECK(key_text(next(*r)) == "k");
            CHECK(key_text(next(*r)) == "z");
        }
    }

    TEST_CASE("a silent terminal costs the timeout; a late reply reaches receivers as a report, the probe's own DA1 "
              "does not")
    {
        Clean clean;
        Pipe input, queries;
        auto dev = InputDevice::open(on(input.r));
        Capabilities c = Lifecycle::instance().query_capabilities(queries.w, "", 100ms);
        CHECK(c.status == Capabilities::Status::timed_out);
        CHECK(c.elapsed >= 100ms);
        CHECK(c.device_attributes.empty());
        input.write("\x1b[?2004;2$y\x1b[?62;22cz");
        auto e = next(dev.events());
        const auto* r = std::get_if<ReportEvent>(&e);
        REQUIRE_MESSAGE(r != nullptr, to_string(e));
        CHECK(r->what == ReportKind::decrpm);
        CHECK(key_text(next(dev.events())) == "z");
    }

    TEST_CASE("raw_bytes: the bytes of a capability reply go with the reply; a key's stay")
    {
        Clean clean;
        Pipe input, queries;
        DeviceOptions o = on(input.r);
        o.raw_bytes = true;
        auto dev = InputDevice::open(o);
        std::thread terminal = answer_query(queries, input, {"\x1b[?1u", "k", "\x1b[?62c"});
        Capabilities c = Lifecycle::instance().query_capabilities(queries.w, "", k_failure_timeout);
        terminal.join();
        CHECK(c.answered());
        input.write("z");
        CHECK(to_string(next(dev.events())) == "Bytes 6b");
        CHECK(key_text(next(dev.events())) == "k");
        CHECK(to_string(next(dev.events())) == "Bytes 7a");
        CHECK(key_text(next(dev.events())) == "z");
    }

    TEST_CASE("a process that exits right after closing its device exits cleanly")
    {
        // The poller thread finishing its exit must not meet libuv's exit-time teardown (which
        // closes the lock its SIGWINCH handle's close takes, and then aborts): the lifecycle stops
        // and joins it at exit(). Without that, about 1 child in 1,500 died of SIGABRT here.
        // Under a sanitizer each fork costs ~0.1 s: 100 children there look for memory and
        // thread errors on the exit path; the plain build runs the 1,000 that hunt the race.
        Clean clean;
        const int children = vtinput::test::k_sanitized ? 100 : 1000;
        for (int i = 0; i < children; ++i) {
            pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                Pipe p;
                {
                    auto dev = InputDevice::open(on(p.r));
                    p.write("x");
                    (void)dev.receive_for(k_failure_timeout);
                }
                // Sweep the window: exit from 0 to 15 us after the drop, while the poller is
                // waking up, closing its handles or joining (a delay to hit a race, not to wait
                // for anything).
                auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(i % 16);
                while (std::chrono::steady_clock::now() < until) {}
                std::exit(0);  // with the poller possibly still exiting
            }
            int status = 0;
            REQUIRE(::waitpid(pid, &status, 0) == pid);
            REQUIRE_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0),
                            "child " << i << " ended with status " << status);
        }
    }

    TEST_CASE("stress: open/close cycles with concurrent subscribers and input flowing leave nothing behind")
    {
        Clean clean;
        Pipe p;
        // A one-page pipe: each cycle decodes at most a few thousand keys, so the cycles (not the
        // decoding) are what is stressed, also under the sanitizers.
#if defined(F_SETPIPE_SZ)
        ::fcntl(p.w, F_SETPIPE_SZ, 4096);  // Linux; elsewhere the pipe keeps its own size
#endif
        {
            // Once-per-process state first (libuv's signal lock pipe), so that the counts below
            // are the steady state whether or not another test ran before.
            auto dev = InputDevice::open(on(p.r));
        }
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        auto threads = thread_count();
        auto fds = fd_count();
        std::atomic<bool> stop{false};
        std::thread writer([&] {
            while (!stop && p.write("abc")) {}
        });
        constexpr int k_cycles = 1000;
        for (int i = 0; i < k_cycles; ++i) {
            auto dev = InputDevice::open(on(p.r));
            auto helper = std::async(std::launch::async, [&dev] {
                Receiver r = dev.subscribe();
                return r.receive_for(k_failure_timeout).has_value();
            });
            CHECK(dev.receive_for(k_failure_timeout).has_value());
            CHECK(helper.get());
        }
        stop = true;
        // The poller gone first: on the portable backend it puts the pipe's flags back when it
        // stops, which must not undo the O_NONBLOCK of the drain below.
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        // Drain so the writer is not stuck on a full pipe.
        {
            int fl = ::fcntl(p.r, F_GETFL);
            ::fcntl(p.r, F_SETFL, fl | O_NONBLOCK);
            char buf[4096];
            while (true) {
                if (::read(p.r, buf, sizeof buf) <= 0) {
                    break;
                }
            }
            writer.join();
            ::fcntl(p.r, F_SETFL, fl);
        }
        CHECK(settled_thread_count(threads) == threads);
        CHECK(fd_count() == fds);
        CHECK(InputDevice::status().unclean_loops == 0);
        CHECK(InputDevice::status().receivers == 0);
    }

    TEST_CASE("key-map cache: the keypad-transmit bytes of the table's entry, none for a guessed or unknown one")
    {
        const char* saved = std::getenv("TERM");
        std::string saved_value = saved ? saved : "";
        const KeypadTransmit xterm{"\x1b[?1h\x1b=", "\x1b[?1l\x1b>"};
        detail::KeyMapCache cache;
        CHECK(cache.keypad_transmit().empty());
        ::setenv("TERM", "dumb", 1);
        cache.get("xterm-256color");  // configured: $TERM does not matter
        CHECK(cache.keypad_transmit() == xterm);
        CHECK(cache.diagnostic().empty());
        cache.get("rxvt-unicode");
        CHECK(cache.keypad_transmit() == KeypadTransmit{"\x1b=", "\x1b>"});
        cache.get("");  // $TERM: dumb has no smkx
        CHECK(cache.keypad_transmit().empty());
        cache.get("no-such-term-xyz");
        CHECK(cache.keypad_transmit().empty());
        CHECK_FALSE(cache.diagnostic().empty());
        ::setenv("TERM", "xterm-256color", 1);
        cache.get("");
        CHECK(cache.keypad_transmit() == xterm);
        // No term configured and no $TERM: the table is xterm-256color's (a guess to decode
        // with), but its bytes are not written to a terminal nobody named.
        ::unsetenv("TERM");
        detail::KeyMapCache fresh;
        CHECK_FALSE(fresh.get("")->empty());
        CHECK(fresh.keypad_transmit().empty());
        if (saved) {
            ::setenv("TERM", saved_value.c_str(), 1);
        }
    }

}  // TEST_SUITE
