// The hand-off from the input thread to the application: inline handlers (run on the input
// thread with each batch, beside receivers; ended from outside or inside; an exception ends
// only that handler and is reported; waiting for the input thread from inside is refused),
// sleeping receivers (many receivers, many batches, nothing lost or reordered; a receiver
// waiting while the input is readable but the poller is held does not spin), and set_spin's
// bank (adaptive: at most 5% of the time spent looking, whatever the pattern of events).
#include <doctest/doctest.h>

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "channel/spin.hpp"
#include "device/lifecycle.hpp"
#include "device_fixtures.hpp"
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

std::string text_of(const Event& e)
{
    const auto* k = std::get_if<KeyEvent>(&e);
    return k != nullptr && !k->text.empty() ? k->text : "<" + to_string(e) + ">";
}

// What inline handlers saw, for the test thread to wait on.
struct Seen {
    std::mutex m;
    std::condition_variable cv;
    std::string text;
    std::vector<std::thread::id> threads;
    std::size_t calls = 0;

    void add(std::span<const Event> batch)
    {
        std::lock_guard lock(m);
        for (const Event& e : batch) {
            text += text_of(e);
        }
        threads.push_back(std::this_thread::get_id());
        ++calls;
        cv.notify_all();
    }
    // Waits until `want` was seen; false on the failure timeout.
    bool wait_for(const std::string& want)
    {
        std::unique_lock lock(m);
        return cv.wait_for(lock, k_failure_timeout, [&] { return text.size() >= want.size(); }) && text == want;
    }
};

std::chrono::nanoseconds thread_cpu()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

TEST_SUITE("handoff")
{
    TEST_CASE("an inline handler gets every batch on the input thread, in order, beside a receiver")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        Seen seen;
        auto sub = dev.subscribe_inline([&](std::span<const Event> batch) { seen.add(batch); });
        CHECK(static_cast<bool>(sub));
        CHECK(InputDevice::status().receivers == 2);  // it counts as a receiver
        REQUIRE(p.write("ab"));
        REQUIRE(p.write("c\x1b[A"));
        CHECK_MESSAGE(seen.wait_for("abc<Up>"), "the handler saw " << seen.text);
        std::string beside;
        while (beside.size() < 7) {
            auto e = dev.events().receive_for(k_failure_timeout);
            REQUIRE_MESSAGE(e, "the receiver had " << beside);
            beside += text_of(*e);
        }
        CHECK(beside == "abc<Up>");
        std::lock_guard lock(seen.m);
        for (auto id : seen.threads) {
            CHECK(id != std::this_thread::get_id());
            CHECK(id == seen.threads.front());
        }
    }

    TEST_CASE("the handler keeps the input read with no receiver left; reset ends it for good")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        Seen seen;
        auto sub = dev.subscribe_inline([&](std::span<const Event> batch) { seen.add(batch); });
        dev.close();
        REQUIRE(p.write("x"));
        CHECK(seen.wait_for("x"));
        CHECK(InputDevice::status().running);
        sub.reset();
        CHECK_FALSE(static_cast<bool>(sub));
        const std::size_t calls = seen.calls;
        // The last receiver is gone: the poller exits, and nothing is delivered to the handler.
        CHECK(
            Lifecycle::instance().wait_idle(std::chrono::duration_cast<std::chrono::milliseconds>(k_failure_timeout)));
        REQUIRE(p.write("y"));
        auto again = InputDevice::open(on(p.r));  // the next generation reads it
        auto e = again.events().receive_for(k_failure_timeout);
        REQUIRE(e);
        CHECK(text_of(*e) == "y");
        std::lock_guard lock(seen.m);
        CHECK(seen.calls == calls);
    }

    TEST_CASE("a handler may end itself; waiting for the input thread from inside is refused")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        Seen seen;
        InlineSubscription sub;
        std::promise<std::string> refused;
        bool asked = false;
        sub = dev.subscribe_inline([&](std::span<const Event> batch) {
            seen.add(batch);
            if (!asked) {
                asked = true;
                try {
                    dev.suspend();
                    refused.set_value("suspend returned");
                } catch (const std::system_error& ex) {
                    refused.set_value(ex.code() == std::errc::resource_deadlock_would_occur ? "refused" : ex.what());
                }
            }
            sub.reset();  // takes effect when this call returns
        });
        REQUIRE(p.write("a"));
        CHECK(seen.wait_for("a"));
        auto answer = refused.get_future();
        REQUIRE(answer.wait_for(k_failure_timeout) == std::future_status::ready);
        CHECK(answer.get() == "refused");
        REQUIRE(p.write("b"));
        auto e = dev.events().receive_for(k_failure_timeout);  // "a"
        REQUIRE(e);
        e = dev.events().receive_for(k_failure_timeout);
        REQUIRE(e);
        CHECK(text_of(*e) == "b");
        std::lock_guard lock(seen.m);
        CHECK(seen.text == "a");  // ended: "b" never reached it
    }

    TEST_CASE("a handler that throws is ended, and everyone hears of it")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        auto bad = dev.subscribe_inline([](std::span<const Event>) { throw std::runtime_error("boom"); });
        Seen seen;
        auto good = dev.subscribe_inline([&](std::span<const Event> batch) { seen.add(batch); });
        REQUIRE(p.write("k"));
        {
            std::unique_lock lock(seen.m);
            CHECK(
                seen.cv.wait_for(lock, k_failure_timeout, [&] { return seen.text.find("boom") != std::string::npos; }));
            CHECK(seen.text.substr(0, 1) == "k");  // the key first, then the error
        }
        std::string got;
        for (int i = 0; i < 2; ++i) {
            auto e = dev.events().receive_for(k_failure_timeout);
            REQUIRE(e);
            if (const auto* err = std::get_if<ErrorEvent>(&*e)) {
                CHECK(err->message.find("boom") != std::string::npos);
                got += "E";
            } else {
                got += text_of(*e);
            }
        }
        CHECK(got == "kE");
        CHECK_FALSE(static_cast<bool>(bad));
        CHECK(static_cast<bool>(good));
    }

    TEST_CASE("a receiver handed to a handler: what it had not received comes first; another channel's is refused")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        REQUIRE(p.write("ab"));
        auto first = dev.events().receive_for(k_failure_timeout);  // "b" stays pending
        REQUIRE(first);
        CHECK(text_of(*first) == "a");
        Seen seen;
        auto sub =
            dev.subscribe_inline(std::move(dev.events()), [&](std::span<const Event> batch) { seen.add(batch); });
        REQUIRE(p.write("c"));
        CHECK(seen.wait_for("bc"));
        Sender elsewhere;
        CHECK_THROWS_AS(dev.subscribe_inline(elsewhere.subscribe(), [](std::span<const Event>) {}), std::system_error);
    }

    TEST_CASE("an empty handler is refused")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        CHECK_THROWS_AS(dev.subscribe_inline({}), std::system_error);
    }

    TEST_CASE("a receiver waiting while input is readable but not yet read does not spin")
    {
        Clean clean;
        Pipe p;
        auto dev = InputDevice::open(on(p.r));
        // The poller is woken by the input but held before it reads: the input stays readable.
        std::promise<void> go;
        std::shared_future<void> released = go.get_future().share();
        std::promise<void> reached;
        std::atomic<bool> held{false};
        detail::PollerHooks hooks;
        hooks.before_read = [&, released] {
            if (!held.exchange(true)) {
                reached.set_value();
                released.wait();
            }
        };
        Lifecycle::instance().set_hooks(hooks);
        auto cpu = std::async(std::launch::async, [&] {
            auto start = thread_cpu();
            auto e = dev.events().receive_for(k_failure_timeout);
            return std::make_pair(thread_cpu() - start, e ? text_of(*e) : std::string("none"));
        });
        REQUIRE(p.write("z"));
        reached.get_future().wait();
        // An observation window, not a synchronisation: a receiver that kept looking at the
        // readable input would burn it all.
        std::this_thread::sleep_for(300ms);
        go.set_value();
        Lifecycle::instance().set_hooks({});
        const auto result = cpu.get();
        const std::chrono::nanoseconds used = result.first;
        const std::string got = result.second;
        CHECK(got == "z");
        CHECK_MESSAGE(used < 150ms, "the receiver used "
                                        << std::chrono::duration_cast<std::chrono::milliseconds>(used).count()
                                        << " ms of CPU while the input stayed readable");
    }

    TEST_CASE("many receivers asleep, many batches: each gets every event, in order")
    {
        Sender tx;
        constexpr int k_receivers = 8;
        constexpr int k_batches = 300;
        std::vector<Receiver> rx;
        for (int i = 0; i < k_receivers; ++i) {
            rx.push_back(tx.subscribe());
        }
        std::atomic<int> done_batches[k_receivers] = {};
        std::vector<std::thread> threads;
        std::atomic<bool> ok{true};
        for (int i = 0; i < k_receivers; ++i) {
            threads.emplace_back([&, i] {
                for (int n = 0; n < k_batches; ++n) {
                    auto e = rx[static_cast<std::size_t>(i)].receive_for(k_failure_timeout);
                    const auto* k = e ? std::get_if<KeyEvent>(&*e) : nullptr;
                    if (k == nullptr || k->text != std::to_string(n)) {
                        ok = false;
                        return;
                    }
                    done_batches[i].store(n + 1);
                }
            });
        }
        for (int n = 0; n < k_batches && ok; ++n) {
            KeyEvent k;
            k.text = std::to_string(n);
            tx.send(k);
            // Lock-step: the next batch only once every receiver has this one, so each batch
            // finds most receivers asleep.
            const auto deadline = std::chrono::steady_clock::now() + k_failure_timeout;
            for (auto& d : done_batches) {
                while (d.load() <= n && ok && std::chrono::steady_clock::now() < deadline) {
                    std::this_thread::yield();
                }
            }
        }
        for (auto& t : threads) {
            t.join();
        }
        CHECK(ok);
        for (auto& d : done_batches) {
            CHECK(d.load() == k_batches);
        }
    }
}

TEST_SUITE("spin bank")
{
    using detail::SpinBank;
    using clock = SpinBank::clock;

    TEST_CASE("adaptive: looking costs at most 5% of the time that passes, plus one budget")
    {
        SpinBank bank;
        bank.set(1ms, false);
        auto t = clock::now();
        std::chrono::nanoseconds looked{0};
        // Events every 100 us for a while, then every 3 ms, then a burst: whatever it allows
        // is spent in full (the worst case: nothing arrives while it looks).
        auto step = [&](std::chrono::nanoseconds gap, int n) {
            for (int i = 0; i < n; ++i) {
                t += gap;
                bank.received(t);
                auto a = bank.allowance(t);
                bank.spent(a);
                looked += a;
                t += a;
            }
        };
        auto start = t;
        step(100us, 2000);
        step(3ms, 200);
        step(10us, 500);
        const auto elapsed = t - start;
        CHECK(looked <= elapsed / SpinBank::k_share + 1ms);
    }

    TEST_CASE("adaptive: no looking before two events, nor when events come slower than it can pay for")
    {
        SpinBank bank;
        bank.set(1ms, false);
        auto t = clock::now();
        CHECK(bank.allowance(t).count() == 0);  // no gap known yet
        bank.received(t);
        t += 1s;
        bank.received(t);  // one gap of a second: far more than the bank holds
        CHECK(bank.allowance(t).count() == 0);
        for (int i = 0; i < 8; ++i) {  // a burst: the average gap drops under the bank
            t += 50us;
            bank.received(t);
        }
        CHECK(bank.allowance(t) > 0ns);
    }

    TEST_CASE("always: the whole budget every time")
    {
        SpinBank bank;
        bank.set(1ms, true);
        auto t = clock::now();
        for (int i = 0; i < 5; ++i) {
            CHECK(bank.allowance(t) == 1ms);
            bank.spent(1ms);
        }
    }
}
