// Broadcast channel: every event type intact through the ring, ordering, per-receiver lag, the
// byte budget, hand-over, close, pollable fd, concurrency.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/resource.h>

#include "vtinput/channel.hpp"

using namespace vtinput;
using namespace std::chrono_literals;

namespace {

// Events numbered through MouseEvent::x, so order and loss are easy to check.
Event numbered(int n)
{
    MouseEvent m;
    m.action = MouseAction::move;
    m.x = n;
    return m;
}

int number(const Event& e)
{
    const auto* m = std::get_if<MouseEvent>(&e);
    REQUIRE(m != nullptr);
    return m->x;
}

bool readable(int fd)
{
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

// Generous: only reached when the code under test is broken.
constexpr auto k_failure_timeout = 10s;

}  // namespace

TEST_SUITE("channel")
{

    TEST_CASE("every receiver sees every event in order")
    {
        Sender tx;
        Receiver a = tx.subscribe();
        Receiver b = tx.subscribe();
        for (int i = 0; i < 100; ++i) {
            tx.send(numbered(i));
        }
        for (Receiver* r : {&a, &b}) {
            for (int i = 0; i < 100; ++i) {
                auto e = r->try_receive();
                REQUIRE(e);
                CHECK(number(*e) == i);
            }
            CHECK_FALSE(r->try_receive());
        }
    }

    TEST_CASE("every event type arrives as it was sent, in a record or as a payload")
    {
        KeyEvent plain;
        plain.key = char_key(U'\u00e9');
        plain.text = "\xc3\xa9";
        KeyEvent kitty;
        kitty.key = Key::f63;
        kitty.mods = Mods::from_bits(0xff);
        kitty.kind = KeyKind::release;
        kitty.text = std::string(48, 'x');  // the most text a record holds
        kitty.shifted = U'\U0010FFFF';
        kitty.base = U'a';
        KeyEvent long_text;
        long_text.key = char_key(U'a');
        long_text.text = std::string(49, 'y');  // one byte more: a payload
        MouseEvent mouse;
        mouse.action = MouseAction::drag;
        mouse.button = MouseButton::b11;
        mouse.x = INT_MIN;
        mouse.y = INT_MAX;
        mouse.mods = Mod::shift | Mod::ctrl;
        mouse.pixels = true;
        const std::vector<Event> sent = {
            plain,
            kitty,
            long_text,
            mouse,
            PasteEvent{std::string("a\0b", 3), true},
            FocusEvent{true},
            FocusEvent{false},
            ResizeEvent{-1, INT_MAX, 640, INT_MIN},
            CursorPositionEvent{INT_MAX, -7},
            ReportEvent{ReportKind::decrpm, {2004, 2}, "text", true},
            UnknownEvent{"\x1b[?"},
            LaggedEvent{std::numeric_limits<std::uint64_t>::max()},
            EofEvent{},
            ErrorEvent{std::make_error_code(std::errc::io_error), "vtinput: read failed"},
            RawEvent{"\x1b[A"},
        };
        Sender tx;
        Receiver r = tx.subscribe();
        std::vector<Event> batch = sent;
        tx.send_batch(batch);
        std::vector<Event> received;
        r.try_receive_all(received);
        CHECK(received == sent);
        // One at a time too, through the other receive path.
        batch = sent;
        tx.send_batch(batch);
        for (const Event& want : sent) {
            auto e = r.try_receive();
            REQUIRE(e);
            CHECK(*e == want);
        }
    }

    TEST_CASE("payload events count their heap bytes against the budget; record events count nothing")
    {
        ChannelOptions o;
        o.capacity = 64;
        o.max_bytes = 1000;
        // Ten events of 300 payload bytes each: three fit the budget, seven are dropped.
        const std::vector<std::pair<const char*, Event (*)(int)>> kinds = {
            {"paste",
             [](int i) {
                 return Event(PasteEvent{std::string(300, static_cast<char>('a' + i)), false});
             }},
            {"unknown", [](int i) { return Event(UnknownEvent{std::string(300, static_cast<char>('a' + i))}); }},
            {"report",
             [](int i) {
                 return Event(ReportEvent{ReportKind::osc, std::vector<int>(25, i), std::string(200, 'r'), false});
             }},
            {"error",
             [](int i) {
                 return Event(ErrorEvent{{}, std::string(300, static_cast<char>('a' + i))});
             }},
            {"raw", [](int i) { return Event(RawEvent{std::string(300, static_cast<char>('a' + i))}); }},
            {"long key text",
             [](int i) {
                 KeyEvent k;
                 k.text = std::string(300, static_cast<char>('a' + i));
                 return Event(k);
             }},
        };
        for (const auto& [name, make] : kinds) {
            CAPTURE(name);
            Sender tx(o);
            Receiver r = tx.subscribe();
            for (int i = 0; i < 10; ++i) {
                tx.send(make(i));
            }
            auto first = r.try_receive();
            REQUIRE(first);
            REQUIRE(std::holds_alternative<LaggedEvent>(*first));
            CHECK(std::get<LaggedEvent>(*first).missed == 7);
            for (int i = 7; i < 10; ++i) {
                auto e = r.try_receive();
                REQUIRE(e);
                CHECK(*e == make(i));
            }
        }
        // With no budget at all, events held in their record are all kept.
        o.max_bytes = 0;
        Sender tx(o);
        Receiver r = tx.subscribe();
        for (int i = 0; i < 10; ++i) {
            tx.send(numbered(i));
        }
        for (int i = 0; i < 10; ++i) {
            auto e = r.try_receive();
            REQUIRE(e);
            CHECK(number(*e) == i);
        }
    }

    TEST_CASE("a receiver sees only what was sent after it subscribed")
    {
        Sender tx;
        Receiver early = tx.subscribe();
        tx.send(numbered(1));
        Receiver late = tx.subscribe();
        tx.send(numbered(2));
        CHECK(number(*late.try_receive()) == 2);
        CHECK_FALSE(late.try_receive());
        CHECK(number(*early.try_receive()) == 1);
    }

    TEST_CASE("receiver_count is exact and the drop hook reports what is left")
    {
        Sender tx;
        std::vector<std::size_t> seen;
        tx.on_receiver_dropped([&](std::size_t n) { seen.push_back(n); });
        CHECK(tx.receiver_count() == 0);
        {
            Receiver a = tx.subscribe();
            CHECK(tx.receiver_count() == 1);
            Receiver b = tx.subscribe();
            CHECK(tx.receiver_count() == 2);
            Receiver moved = std::move(b);
            CHECK(tx.receiver_count() == 2);
        }
        CHECK(tx.receiver_count() == 0);
        CHECK(seen == std::vector<std::size_t>{1, 0});
    }

    TEST_CASE("a slow receiver loses the oldest events for itself only, and is told how many")
    {
        ChannelOptions o;
        o.capacity = 8;
        Sender tx(o);
        Receiver slow = tx.subscribe();
        Receiver fast = tx.subscribe();
        for (int i = 0; i < 20; ++i) {
            tx.send(numbered(i));
            auto e = fast.try_receive();
            REQUIRE(e);
            CHECK(number(*e) == i);
        }
        auto first = slow.try_receive();
        REQUIRE(first);
        REQUIRE(std::holds_alternative<LaggedEvent>(*first));
        CHECK(std::get<LaggedEvent>(*first).missed == 12);
        for (int i = 12; i < 20; ++i) {
            CHECK(number(*slow.try_receive()) == i);
        }
        CHECK_FALSE(slow.try_receive());
    }

    TEST_CASE("the byte budget bounds memory by dropping the oldest events, reported as lag")
    {
        ChannelOptions o;
        o.capacity = 64;
        o.max_bytes = 1000;
        Sender tx(o);
        Receiver r = tx.subscribe();
        for (int i = 0; i < 10; ++i) {
            tx.send(PasteEvent{std::string(300, static_cast<char>('a' + i)), false});
        }
        auto first = r.try_receive();
        REQUIRE(std::holds_alternative<LaggedEvent>(*first));
        CHECK(std::get<LaggedEvent>(*first).missed == 7);
        for (int i = 7; i < 10; ++i) {
            auto e = r.try_receive();
            REQUIRE(std::holds_alternative<PasteEvent>(*e));
            CHECK(std::get<PasteEvent>(*e).text[0] == 'a' + i);
        }
    }

    TEST_CASE("events nobody took are handed to the next receiver when there is none")
    {
        Sender tx;
        {
            Receiver first = tx.subscribe();
            tx.send(numbered(1));
            CHECK(number(*first.try_receive()) == 1);
            tx.send(numbered(2));  // never taken by `first`
        }
        tx.send(numbered(3));  // sent while nobody listens
        Receiver next = tx.subscribe();
        CHECK(number(*next.try_receive()) == 2);
        CHECK(number(*next.try_receive()) == 3);
        // A second receiver arriving while `next` exists starts at the head as usual.
        Receiver other = tx.subscribe();
        CHECK_FALSE(other.try_receive());
    }

    TEST_CASE("after close, receivers drain what is left and then see the end")
    {
        Sender tx;
        Receiver r = tx.subscribe();
        tx.send(numbered(1));
        tx.close();
        tx.send(numbered(2));  // ignored after close
        CHECK_FALSE(r.closed());
        CHECK(number(*r.receive()) == 1);
        CHECK(r.closed());
        CHECK_FALSE(r.receive());
        CHECK_FALSE(r.receive_for(1ms));
    }

    TEST_CASE("the pollable fd is readable exactly while events are pending")
    {
        ChannelOptions o;
        o.capacity = 4;
        Sender tx(o);
        Receiver r = tx.subscribe();
        int fd = r.fd();
        REQUIRE(fd >= 0);
        CHECK(r.fd() == fd);
        CHECK_FALSE(readable(fd));
        tx.send(numbered(1));
        tx.send(numbered(2));
        CHECK(readable(fd));
        r.try_receive();
        CHECK(readable(fd));  // one still pending
        r.try_receive();
        CHECK_FALSE(readable(fd));
        for (int i = 0; i < 10; ++i) {
            tx.send(numbered(i));
        }
        CHECK(readable(fd));
        std::vector<Event> all;
        CHECK(r.try_receive_all(all) == 5);  // lag report + 4 events
        CHECK(std::holds_alternative<LaggedEvent>(all[0]));
        CHECK_FALSE(readable(fd));
        tx.close();
        CHECK(readable(fd));  // end of stream is something to take, too
    }

    TEST_CASE("a receiver created with events pending gets a readable fd")
    {
        Sender tx;
        Receiver r = tx.subscribe();
        tx.send(numbered(1));
        CHECK(readable(r.fd()));
    }

    TEST_CASE("Receiver::fd throws when the system refuses an eventfd, and works once it no longer does")
    {
        Sender tx;
        Receiver r = tx.subscribe();
        rlimit saved{};
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
        rlimit none = saved;
        none.rlim_cur = 0;  // no new descriptor at all
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &none) == 0);
        std::error_code code;
        try {
            r.fd();
        } catch (const std::system_error& e) {
            code = e.code();
        }
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
        CHECK(code == std::errc::too_many_files_open);
        tx.send(numbered(1));
        CHECK(readable(r.fd()));
    }

    TEST_CASE("receive_for gives up at its deadline when nothing arrives")
    {
        Sender tx;
        Receiver r = tx.subscribe();
        CHECK_FALSE(r.receive_for(5ms));
        CHECK_FALSE(r.closed());
    }

    TEST_CASE("a spinning receiver takes events sent meanwhile, sleeps after its budget, honours deadlines")
    {
        Sender tx;
        Receiver r = tx.subscribe();
        r.set_spin(std::chrono::microseconds(200));
        CHECK_FALSE(r.receive_for(5ms));  // the deadline wins over the spin, and nothing was lost
        for (int i = 0; i < 200; ++i) {
            std::thread producer([&] { tx.send(numbered(i)); });
            auto e = r.receive_for(k_failure_timeout);  // taken while spinning or after sleeping
            producer.join();
            REQUIRE(e);
            CHECK(number(*e) == i);
        }
        tx.close();
        CHECK_FALSE(r.receive());
    }

    TEST_CASE("a blocked receiver is woken by a send on another thread")
    {
        Sender tx;
        Receiver r = tx.subscribe();
        std::thread producer([&] { tx.send(numbered(42)); });
        auto e = r.receive_for(k_failure_timeout);
        producer.join();
        REQUIRE(e);
        CHECK(number(*e) == 42);
    }

    TEST_CASE("an unsubscribed receiver is inert")
    {
        Receiver r;
        CHECK_FALSE(r.subscribed());
        CHECK(r.closed());
        CHECK_FALSE(r.try_receive());
        try {
            r.fd();
            FAIL("Receiver::fd did not throw for a receiver that is not subscribed");
        } catch (const std::system_error& e) {
            CHECK(e.code() == std::errc::not_connected);
            CHECK(std::string_view(e.what()).starts_with("vtinput: "));
        }
    }

    TEST_CASE("concurrent receivers: order kept, and received + missed == sent for each")
    {
        ChannelOptions o;
        o.capacity = 256;
        Sender tx(o);
        constexpr std::size_t k_receivers = 4;
        constexpr int k_events = 50000;
        std::vector<Receiver> rx;
        for (std::size_t i = 0; i < k_receivers; ++i) {
            rx.push_back(tx.subscribe());
        }
        std::vector<std::thread> threads;
        std::vector<std::uint64_t> received(k_receivers), missed(k_receivers);
        std::atomic<int> disorder{0};
        for (std::size_t i = 0; i < k_receivers; ++i) {
            threads.emplace_back([&, i] {
                int last = -1;
                // Receivers 0 and 1 block; 2 and 3 use the pollable fd.
                bool use_fd = i >= 2;
                int fd = use_fd ? rx[i].fd() : -1;
                for (;;) {
                    std::optional<Event> e;
                    if (use_fd) {
                        pollfd p{fd, POLLIN, 0};
                        if (::poll(&p, 1, 10000) != 1) {
                            disorder++;
                            return;
                        }
                        e = rx[i].try_receive();
                        if (!e) {
                            if (rx[i].closed()) {
                                return;
                            }
                            continue;
                        }
                    } else {
                        e = rx[i].receive();
                        if (!e) {
                            return;
                        }
                    }
                    if (auto* l = std::get_if<LaggedEvent>(&*e)) {
                        missed[i] += l->missed;
                        last += static_cast<int>(l->missed);
                        continue;
                    }
                    int n = std::get<MouseEvent>(*e).x;
                    if (n != last + 1) {
                        disorder++;
                    }
                    last = n;
                    received[i]++;
                }
            });
        }
        std::vector<Event> batch;
        for (int i = 0; i < k_events; ++i) {
            batch.push_back(numbered(i));
            if (batch.size() == 7) {
                tx.send_batch(batch);
            }
        }
        tx.send_batch(batch);
        tx.close();
        for (auto& t : threads) {
            t.join();
        }
        CHECK(disorder == 0);
        for (std::size_t i = 0; i < k_receivers; ++i) {
            CHECK(received[i] + missed[i] == k_events);
        }
    }

    TEST_CASE("concurrent lapping with payload events: what arrives is intact and in order")
    {
        ChannelOptions o;
        o.capacity = 16;  // small, so the sender laps the receivers constantly
        Sender tx(o);
        constexpr int k_events = 20000;
        std::vector<Receiver> rx;
        for (int i = 0; i < 3; ++i) {
            rx.push_back(tx.subscribe());
        }
        std::atomic<int> bad{0};
        std::vector<std::thread> threads;
        for (auto& r : rx) {
            threads.emplace_back([&bad, &r] {
                long last = -1;
                while (auto e = r.receive()) {
                    long n = 0;
                    if (auto* l = std::get_if<LaggedEvent>(&*e)) {
                        last += static_cast<long>(l->missed);
                        continue;
                    }
                    if (auto* p = std::get_if<PasteEvent>(&*e)) {
                        // Even events are pastes whose text is their number, repeated.
                        n = std::stol(p->text.substr(0, p->text.find(' ')));
                        if (p->text != std::to_string(n) + " " + std::to_string(n)) {
                            bad++;
                        }
                    } else {
                        n = std::get<MouseEvent>(*e).x;
                    }
                    if (n != last + 1) {
                        bad++;
                    }
                    last = n;
                }
            });
        }
        for (int i = 0; i < k_events; ++i) {
            if (i % 2 == 0) {
                tx.send(PasteEvent{std::to_string(i) + " " + std::to_string(i), false});
            } else {
                tx.send(numbered(i));
            }
        }
        tx.close();
        for (auto& t : threads) {
            t.join();
        }
        CHECK(bad == 0);
    }

}  // TEST_SUITE
