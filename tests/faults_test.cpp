// Set-up and run-time failures, injected: every allocation of open(), subscribe() and the
// poller's send path made to fail in turn (a counting operator new), a thread the system
// refuses (the poller's before_spawn hook throws what std::thread throws), and open() with 0 to
// 15 free file descriptors, in this process and in a fresh one (libuv's first loop).
//
// Each case checks what a user notices: an exception that says what failed (std::system_error
// with a "vtinput: " message), or on the poller thread an ErrorEvent after whole batches only,
// never a damaged event; no hang (every call runs against a deadline that is reached only on
// failure); and threads, fds, receivers and the SIGWINCH disposition back where they were.
// Bytes: LeakSanitizer checks them at exit in the sanitizer builds.
//
// A binary of its own: it replaces the global operator new, and has its own main, which also
// serves the fresh-process runs (`faults_test --fresh-rlimit K`, run as the path this binary was
// started by, made absolute at start: g_self).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "device/lifecycle.hpp"
#include "proc_counts.hpp"
#include "system.hpp"
#include "support/fd.hpp"
#include "vtinput/input_device.hpp"

// ---- the counting operator new -------------------------------------------------------------

// GCC inlines the replacement operator new (malloc) and delete (free) below into their callers
// and then warns that free() meets a pointer from operator new: here it does, by design.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

// Per thread: whether its allocations count, how many have, and which one fails. A thread
// arms itself; the others allocate as usual.
thread_local bool t_counting = false;
thread_local std::uint64_t t_count = 0;
thread_local std::uint64_t t_fail_at = 0;  // the allocation (1-based) that fails; 0: none
thread_local bool t_fail_after = false;    // and every one after it
std::atomic<std::uint64_t> g_injected{0};  // failures injected, all threads

void arm(std::uint64_t fail_at, bool fail_after = false)
{
    t_count = 0;
    t_fail_at = fail_at;
    t_fail_after = fail_after;
    t_counting = true;
}

std::uint64_t disarm()
{
    t_counting = false;
    return t_count;
}

}  // namespace

void* operator new(std::size_t n)
{
    if (t_counting) {
        ++t_count;
        if (t_fail_at != 0 && (t_count == t_fail_at || (t_fail_after && t_count > t_fail_at))) {
            g_injected.fetch_add(1);
            throw std::bad_alloc();
        }
    }
    if (void* p = std::malloc(n == 0 ? 1 : n)) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
// The nothrow forms too: the library's are paired with the sanitizers' delete, not ours.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept
{
    try {
        return operator new(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

// ---- helpers ---------------------------------------------------------------------------------

// UBSan's vptr check (the ASan+UBSan build) opens a pipe to probe memory when its type cache
// misses; with no fd left for it, it reports every polymorphic object as having an invalid
// vptr. The fd-limit cases are for the other builds (plain, TSan), where nothing but the
// library needs the fds.
extern "C" void __ubsan_handle_dynamic_type_cache_miss() __attribute__((weak));

using namespace vtinput;
using namespace std::chrono_literals;
using detail::Lifecycle;
using test::fd_count;
using test::settled_thread_count;
using test::thread_count;

namespace {

// This binary, for the fresh-process runs: argv[0] made absolute at start (a later chdir must
// not change what it names), or as given when it has no slash (execlp then searches $PATH, as
// the shell did).
std::string g_self = "faults_test";

constexpr auto k_failure_timeout = 20s;  // only reached when something is broken

// A pipe with the library's owning fds.
struct Pipe {
    detail::UniqueFd r, w;
    Pipe()
    {
        int fds[2];
        REQUIRE(test::open_pipe(fds) == 0);
        r.reset(fds[0]);
        w.reset(fds[1]);
    }
    void write(std::string_view s) const
    {
        REQUIRE(::write(w.get(), s.data(), s.size()) == static_cast<ssize_t>(s.size()));
    }
};

DeviceOptions on(int fd)
{
    DeviceOptions o;
    o.fd = fd;
    o.term = "xterm-256color";
    return o;
}

// Every test leaves no poller behind, whatever happened.
struct Clean {
    Clean() { Lifecycle::instance().shutdown(); }
    ~Clean()
    {
        Lifecycle::instance().set_hooks({});
        Lifecycle::instance().shutdown();
    }
};

// Runs `fn` on a thread of its own and waits for it; a call that does not return by the
// deadline is a hang: reported, and the process ends (a hung thread cannot be stopped).
template <class F>
void within_deadline(const std::string& what, F fn)
{
    std::promise<void> done;
    auto finished = done.get_future();
    std::thread t([&] {
        fn();
        done.set_value();
    });
    if (finished.wait_for(k_failure_timeout) != std::future_status::ready) {
        std::fprintf(stderr, "faults: %s did not return within %llds: a hang\n", what.c_str(),
                     static_cast<long long>(k_failure_timeout.count()));
        std::_Exit(1);
    }
    t.join();
}

// What an injected call did.
struct Outcome {
    bool ok = false;
    bool bad_alloc = false;  // std::bad_alloc escaped (allowed only where no message could be made)
    std::error_code code;
    std::string what;
    std::uint64_t allocations = 0;
    std::uint64_t injected = 0;
};

// Runs `call` (which returns what it opened, or throws) with allocation `fail_at` of this
// thread failing (0: none), and keeps what it returned in `keep`.
template <class T, class Call>
Outcome injected(const std::string& what, std::uint64_t fail_at, std::optional<T>& keep, Call call)
{
    Outcome o;
    auto before = g_injected.load();
    within_deadline(what, [&] {
        arm(fail_at);
        try {
            T value = call();
            o.allocations = disarm();
            keep.emplace(std::move(value));
            o.ok = true;
        } catch (const std::system_error& e) {
            o.allocations = disarm();
            o.code = e.code();
            o.what = e.what();
        } catch (const std::bad_alloc&) {
            o.allocations = disarm();
            o.bad_alloc = true;
        }
    });
    o.injected = g_injected.load() - before;
    return o;
}

// The failure is a clear error: a std::system_error saying what failed.
void check_clear(const Outcome& o, const std::string& where)
{
    INFO(where);
    CHECK_FALSE(o.bad_alloc);
    CHECK(o.code.category() == std::generic_category());
    CHECK(o.what.starts_with("vtinput: "));
}

// Threads, fds and the lifecycle as at `baseline`, once the poller (if any) has gone.
struct Baseline {
    std::size_t threads = thread_count();
    std::size_t fds = fd_count();
    std::uint64_t unclean = InputDevice::status().unclean_loops;
    struct sigaction winch {};
    Baseline() { ::sigaction(SIGWINCH, nullptr, &winch); }

    void check(const std::string& where) const
    {
        INFO(where);
        REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
        CHECK(settled_thread_count(threads) == threads);
        CHECK(fd_count() == fds);
        auto s = InputDevice::status();
        CHECK(s.unclean_loops == unclean);
        CHECK(s.receivers == 0);
        CHECK_FALSE(s.device_open);
        CHECK_FALSE(s.running);
        struct sigaction now {};
        ::sigaction(SIGWINCH, nullptr, &now);
        CHECK(reinterpret_cast<void*>(now.sa_handler) == reinterpret_cast<void*>(winch.sa_handler));
    }
};

// A device on `p` works: a key written arrives.
void check_works(InputDevice& dev, const Pipe& p, const std::string& where)
{
    INFO(where);
    p.write("k");
    auto e = dev.receive_for(k_failure_timeout);
    REQUIRE(e.has_value());
    REQUIRE(std::holds_alternative<KeyEvent>(*e));
    CHECK(std::get<KeyEvent>(*e).text == "k");
}

bool ubsan_needs_fds()
{
    if (__ubsan_handle_dynamic_type_cache_miss != nullptr) {
        MESSAGE("skipped under UBSan: its vptr check needs free fds of its own (see faults_test.cpp)");
        return true;
    }
    return false;
}

// The RLIMIT_NOFILE soft limit that leaves exactly `k` fd numbers free: the limit bounds the
// numbers of new fds, which take the lowest free one, so count the free numbers from 0.
rlim_t limit_for_free_fds(int k)
{
    int fd = 0;
    for (int free = 0;; ++fd, ++free) {
        while (::fcntl(fd, F_GETFD) >= 0) {
            ++fd;
        }
        if (free == k) {
            return static_cast<rlim_t>(fd);
        }
    }
}

// Once-per-process state (the key table, libuv's signal pipe, the fork handlers) before any
// baseline.
void warm_up(const Pipe& p)
{
    auto dev = InputDevice::open(on(p.r.get()));
    check_works(dev, p, "warm-up");
    dev.close();
    REQUIRE(Lifecycle::instance().wait_idle(k_failure_timeout));
}

}  // namespace

TEST_SUITE("faults")
{

    TEST_CASE("open(): an allocation failure at each of its allocations is a clear error, with nothing left behind")
    {
        Clean clean;
        Pipe p;
        warm_up(p);
        Baseline base;
        std::uint64_t failed = 0;
        for (std::uint64_t k = 1;; ++k) {
            std::optional<InputDevice> dev;
            std::string where = "open() with allocation " + std::to_string(k) + " failing";
            Outcome o = injected<InputDevice>(where, k, dev, [&] { return InputDevice::open(on(p.r.get())); });
            if (o.ok) {
                check_works(*dev, p, where);
                dev.reset();
            } else {
                ++failed;
                check_clear(o, where);
                CHECK(o.code == std::errc::not_enough_memory);
            }
            base.check(where);
            if (o.injected == 0) {
                MESSAGE("open() allocates " << o.allocations << " times on the caller's thread; " << failed
                                            << " injected failures, each a clear error");
                CHECK(failed == k - 1);
                break;
            }
        }
        CHECK(failed > 5);
    }

    TEST_CASE("subscribe(): an allocation failure, fast path and slow path, is a clear error with nothing left behind")
    {
        Clean clean;
        Pipe p;
        warm_up(p);
        for (bool slow : {false, true}) {
            auto dev = InputDevice::open(on(p.r.get()));
            std::uint64_t failed = 0;
            for (std::uint64_t k = 1;; ++k) {
                if (slow) {
                    Lifecycle::instance().shutdown();  // the device stays subscribed; no thread runs
                }
                std::optional<Receiver> r;
                std::string where = std::string(slow ? "slow" : "fast") + "-path subscribe() with allocation " +
                                    std::to_string(k) + " failing";
                const auto threads = thread_count();
                const auto fds = fd_count();
                Outcome o = injected<Receiver>(where, k, r, [&] { return dev.subscribe(); });
                if (o.ok) {
                    p.write("s");
                    for (Receiver* each : {&*r, &dev.events()}) {
                        auto e = each->receive_for(k_failure_timeout);
                        REQUIRE(e.has_value());
                        CHECK(to_string(*e) == "s");
                    }
                } else {
                    INFO(where);
                    ++failed;
                    check_clear(o, where);
                    CHECK(o.code == std::errc::not_enough_memory);
                    CHECK(InputDevice::status().receivers == 1);  // the device's own
                    CHECK(settled_thread_count(threads) == threads);
                    CHECK(fd_count() == fds);
                }
                r.reset();
                if (o.injected == 0) {
                    MESSAGE(where << ": " << failed << " injected failures");
                    break;
                }
            }
            CHECK(failed >= 1);
        }
    }

    TEST_CASE("the poller's send path: a failure drops the batch whole, then an ErrorEvent; never a damaged event")
    {
        Clean clean;
        Pipe p;
        warm_up(p);
        Baseline base;
        // One write, read at once: a key, a paste (a payload beside the ring), a key.
        const std::string input = "a\x1b[200~hello\nworld\x1b[201~b";
        for (bool fail_after : {false, true}) {
            std::uint64_t errors = 0, ends_alone = 0, whole = 0;
            for (std::uint64_t k = 1;; ++k) {
                std::string where = std::string("poller allocation ") + std::to_string(k) +
                                    (fail_after ? " and every one after it" : "") + " failing";
                INFO(where);
                auto before = g_injected.load();
                detail::PollerHooks hooks;
                hooks.before_read = [k, fail_after] { arm(k, fail_after); };
                Lifecycle::instance().set_hooks(hooks);
                DeviceOptions o = on(p.r.get());
                o.terminal = std::nullopt;
                auto dev = InputDevice::open(o);
                Receiver extra = dev.subscribe();
                p.write(input);
                bool failed = false;
                for (Receiver* r : {&dev.events(), &extra}) {
                    std::vector<Event> got;
                    while (auto e = r->receive_for(k_failure_timeout)) {
                        got.push_back(std::move(*e));
                        if (got.size() == 3 && !std::holds_alternative<ErrorEvent>(got[0])) {
                            break;  // the whole batch
                        }
                    }
                    if (got.size() == 3 && !std::holds_alternative<ErrorEvent>(got[0])) {
                        CHECK(to_string(got[0]) == "a");
                        REQUIRE(std::holds_alternative<PasteEvent>(got[1]));
                        CHECK(std::get<PasteEvent>(got[1]).text == "hello\nworld");
                        CHECK(to_string(got[2]) == "b");
                        ++whole;
                        continue;
                    }
                    // A failure: the batch went whole, and the stream ended, with the error
                    // first if it could be sent.
                    failed = true;
                    CHECK(r->closed());
                    REQUIRE(got.size() <= 1);
                    if (got.empty()) {
                        CHECK(fail_after);  // only when not even the error could be made
                        ++ends_alone;
                    } else {
                        const auto& error = std::get<ErrorEvent>(got[0]);
                        CHECK(error.code == std::errc::state_not_recoverable);
                        CHECK(error.message.starts_with("vtinput: the input poller failed: "));
                        ++errors;
                    }
                }
                bool injected = g_injected.load() != before;
                CHECK(failed == injected);
                extra = Receiver();
                dev.close();
                Lifecycle::instance().set_hooks({});
                base.check(where);
                if (!injected) {
                    MESSAGE(std::string(fail_after ? "send path, failing for good: " : "send path: ")
                            << k - 1 << " allocations failed in turn; receivers saw " << errors << " errors, "
                            << ends_alone << " ends without one, " << whole << " whole batches");
                    CHECK(k > 2);
                    break;
                }
            }
        }
    }

    TEST_CASE("a thread the system refuses: a clear error, and nothing left behind (SIGWINCH handler included)")
    {
        Clean clean;
        Pipe p;
        warm_up(p);
        Baseline base;
        detail::PollerHooks hooks;
        hooks.before_spawn = [] { throw std::system_error(EAGAIN, std::generic_category()); };
        Lifecycle::instance().set_hooks(hooks);
        for (int i = 0; i < 3; ++i) {
            std::optional<InputDevice> dev;
            Outcome o = injected<InputDevice>("open() without a thread", 0, dev,
                                              [&] { return InputDevice::open(on(p.r.get())); });
            REQUIRE_FALSE(o.ok);
            check_clear(o, "open() without a thread");
            CHECK(o.code == std::errc::resource_unavailable_try_again);
            CHECK(o.what.find("cannot start the input poller thread") != std::string::npos);
            base.check("after a refused thread");
            ::raise(SIGWINCH);  // nothing of the failed start may be reached by it
        }
        Lifecycle::instance().set_hooks({});
        auto dev = InputDevice::open(on(p.r.get()));
        check_works(dev, p, "after the refused threads");
        dev.close();
        base.check("at the end");
    }

    TEST_CASE("open() with 0 to 15 free file descriptors: a clear error or a working device, with nothing left behind")
    {
        if (ubsan_needs_fds()) {
            return;
        }
        Clean clean;
        Pipe p;
        warm_up(p);
        Baseline base;
        rlimit old{};
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
        int succeeded = 0;
        for (rlim_t k = 0; k <= 15; ++k) {
            std::string where = std::to_string(k) + " free fds";
            std::optional<InputDevice> dev;
            rlimit tight = old;
            tight.rlim_cur = limit_for_free_fds(static_cast<int>(k));
            REQUIRE(::setrlimit(RLIMIT_NOFILE, &tight) == 0);
            // The limit goes back before anything looks at the outcome: the sanitizers' checks
            // need fds of their own.
            Outcome o = injected<InputDevice>(where, 0, dev, [&] {
                struct Restore {
                    const rlimit& old;
                    ~Restore() { ::setrlimit(RLIMIT_NOFILE, &old); }
                } restore{old};
                return InputDevice::open(on(p.r.get()));
            });
            if (o.ok) {
                ++succeeded;
                check_works(*dev, p, where);
                dev.reset();
            } else {
                check_clear(o, where);
                CHECK((o.code == std::errc::too_many_files_open || o.code == std::errc::not_enough_memory));
                MESSAGE(where << ": " << o.what);
            }
            base.check(where);
        }
        CHECK(succeeded >= 1);
    }

    TEST_CASE("the first open() of a process with 0 to 15 free file descriptors: an error, never libuv's abort()")
    {
        // A fresh process each time (this binary again, with --fresh-rlimit): libuv's first
        // loop is where it creates its process-wide signal pipe, and aborts if it cannot.
        if (ubsan_needs_fds()) {
            return;
        }
        int succeeded = 0;
        for (int k = 0; k <= 15; ++k) {
            int out[2];
            REQUIRE(test::open_pipe(out) == 0);
            pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                ::dup2(out[1], STDOUT_FILENO);
                std::string arg = std::to_string(k);
                ::execlp(g_self.c_str(), "faults_test", "--fresh-rlimit", arg.c_str(), static_cast<char*>(nullptr));
                ::_exit(127);
            }
            ::close(out[1]);
            std::string report;
            char buf[512];
            for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) {
                report.append(buf, static_cast<std::size_t>(n));
            }
            ::close(out[0]);
            int status = 0;
            REQUIRE(::waitpid(pid, &status, 0) == pid);
            INFO("fresh process with " << k << " free fds: " << report);
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 0);
            succeeded += report.find("opened") != std::string::npos;
        }
        CHECK(succeeded >= 1);
    }

}  // TEST_SUITE

namespace {

// The fresh process: open() on a pipe with `k` free fds. Prints
// "opened" or "refused: <message>"; exits 0 when the outcome is clean (a std::system_error or a
// working device; the fds afterwards those of before, or those a clean cycle leaves: libuv's
// signal pipe, created once per process), 1 otherwise. An abort() is the failure looked for.
int fresh_rlimit(int k)
{
    int p[2];
    if (test::open_pipe(p) != 0) {
        return 1;
    }
    auto before = fd_count();
    rlimit old{};
    ::getrlimit(RLIMIT_NOFILE, &old);
    rlimit tight = old;
    tight.rlim_cur = limit_for_free_fds(k);
    ::setrlimit(RLIMIT_NOFILE, &tight);
    DeviceOptions o;
    o.fd = p[0];
    o.term = "xterm-256color";
    bool clean = true;
    try {
        auto dev = InputDevice::open(o);
        ::setrlimit(RLIMIT_NOFILE, &old);
        if (::write(p[1], "k", 1) != 1) {
            return 1;
        }
        auto e = dev.receive_for(k_failure_timeout);
        clean = e && std::holds_alternative<KeyEvent>(*e);
        std::printf("opened\n");
    } catch (const std::system_error& e) {
        ::setrlimit(RLIMIT_NOFILE, &old);
        clean = std::string_view(e.what()).starts_with("vtinput: ");
        std::printf("refused: %s\n", e.what());
    }
    if (!Lifecycle::instance().wait_idle(k_failure_timeout)) {
        return 1;
    }
    auto after_attempt = fd_count();
    {
        auto dev = InputDevice::open(o);  // a clean cycle, with fds to spare
    }
    if (!Lifecycle::instance().wait_idle(k_failure_timeout)) {
        return 1;
    }
    auto after_cycle = fd_count();
    std::printf("fds before %zu, after the attempt %zu, after a clean cycle %zu\n", before, after_attempt, after_cycle);
    clean = clean && (after_attempt == before || after_attempt == after_cycle);
    std::fflush(stdout);
    return clean ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc > 0 && std::strchr(argv[0], '/') != nullptr) {
        char resolved[PATH_MAX];
        g_self = ::realpath(argv[0], resolved) != nullptr ? resolved : argv[0];
    } else if (argc > 0) {
        g_self = argv[0];
    }
    if (argc == 3 && std::string_view(argv[1]) == "--fresh-rlimit") {
        return fresh_rlimit(std::atoi(argv[2]));
    }
    doctest::Context context(argc, argv);
    return context.run();
}
