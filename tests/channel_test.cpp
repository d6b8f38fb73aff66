// Broadcast channel: every event type intact through the ring, ordering, per-receiver lag, the
// byte budget, hand-over, close, pollable fd, resizes collapsing, concurrency.
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

// A resize told apart by n.
Event size(int n) { return ResizeEvent{100 + n, 50 + n, 8 * n, 16 * n}; }

// Resizes size(first) .. size(last), each sent on its own: a window being dragged.
void storm(Sender& tx, int first, int last)
{
    for (int n = first; n <= last; ++n) {
        tx.send(size(n));
    }
}

// Everything `r` has to take now, one try_receive at a time.
std::vector<Event> drain(Receiver& r)
{
    std::vector<Event> out;
    while (auto e = r.try_receive()) {
        out.push_back(std::move(*e));
    }
    return out;
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
        kitty.text = "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd";  // 8 bytes, the most text a record holds
        kitty.shifted = U'\U0010FFFF';
        kitty.base = U'a';
        KeyEvent long_text;
        long_text.key = char_key(U'a');
        long_text.text = std::string(9, 'y');  // one byte more: a payload
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
            ClipboardEvent{"c", std::string("x\0y", 3), true},
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
        for (const auto& kind : kinds) {
            const char* name = kind.first;  // not a structured binding: CAPTURE's lambda takes it (clang 14)
            auto make = kind.second;
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

    TEST_CASE("Receiver::fd throws when the system refuses its descriptor, and works once it no longer does")
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

    TEST_CASE("a resize storm while a receiver is behind is one resize with the latest size, and pushes no key out")
    {
        Sender tx(ChannelOptions{.capacity = 8});
        Receiver one = tx.subscribe();
        Receiver all = tx.subscribe();
        for (int i = 0; i < 4; ++i) {
            tx.send(numbered(i));
        }
        storm(tx, 1, 1000);
        for (int i = 4; i < 8; ++i) {
            tx.send(numbered(i));  // with the four before, exactly a full ring
        }
        const std::vector<Event> want = {numbered(0), numbered(1), numbered(2), numbered(3), size(1000),
                                         numbered(4), numbered(5), numbered(6), numbered(7)};
        CHECK(one.pending() == 9);
        CHECK(drain(one) == want);
        CHECK(one.pending() == 0);
        std::vector<Event> got;
        CHECK(all.try_receive_all(got) == 9);
        CHECK(got == want);
    }

    TEST_CASE("collapsed resizes arrive where the last of them was sent: never before an event sent before it")
    {
        Sender tx;
        Receiver behind = tx.subscribe();
        Receiver keeping_up = tx.subscribe();
        std::vector<Event> kept;
        auto take = [&] {
            for (Event& e : drain(keeping_up)) {
                kept.push_back(std::move(e));
            }
        };
        tx.send(numbered(0));
        storm(tx, 1, 10);
        take();
        tx.send(numbered(1));
        storm(tx, 11, 20);
        take();
        tx.send(numbered(2));
        take();
        CHECK(kept == std::vector<Event>{numbered(0), size(10), numbered(1), size(20), numbered(2)});
        // The first storm was never received by `behind`: the second supersedes it, at its own place.
        CHECK(drain(behind) == std::vector<Event>{numbered(0), numbered(1), size(20), numbered(2)});

        // Nothing of a batch is visible before the whole batch is: within one, the same rule.
        std::vector<Event> batch = {numbered(3), size(21), numbered(4), size(22), size(23), numbered(5)};
        tx.send_batch(batch);
        const std::vector<Event> want = {numbered(3), numbered(4), size(23), numbered(5)};
        CHECK(drain(behind) == want);
        CHECK(drain(keeping_up) == want);
    }

    TEST_CASE("receivers at different positions each get the latest size at its place")
    {
        Sender tx;
        Receiver a = tx.subscribe();
        Receiver b = tx.subscribe();
        Receiver c = tx.subscribe();
        tx.send(numbered(0));
        CHECK(drain(a) == std::vector<Event>{numbered(0)});
        tx.send(size(1));
        CHECK(drain(a) == std::vector<Event>{size(1)});
        tx.send(numbered(1));
        CHECK(drain(a) == std::vector<Event>{numbered(1)});
        CHECK(b.try_receive() == numbered(0));  // resize 1 is after it
        storm(tx, 2, 25);
        CHECK(drain(a) == std::vector<Event>{size(25)});
        Receiver d = tx.subscribe();  // after resize 25: it sees what comes next
        storm(tx, 26, 50);
        tx.send(numbered(2));
        CHECK(drain(a) == std::vector<Event>{size(50), numbered(2)});
        CHECK(drain(b) == std::vector<Event>{numbered(1), size(50), numbered(2)});
        CHECK(drain(c) == std::vector<Event>{numbered(0), numbered(1), size(50), numbered(2)});
        CHECK(drain(d) == std::vector<Event>{size(50), numbered(2)});
        Receiver e = tx.subscribe();
        CHECK(drain(e).empty());
    }

    TEST_CASE("a receiver lapped past the latest resize gets it right after the lag report, which counts no resize")
    {
        Sender tx(ChannelOptions{.capacity = 8});
        Receiver r = tx.subscribe();
        tx.send(numbered(0));
        storm(tx, 1, 100);
        for (int i = 1; i <= 20; ++i) {
            tx.send(numbered(i));
        }
        std::vector<Event> want = {LaggedEvent{13}, size(100)};  // keys 0 to 12 lost, 13 to 20 kept
        for (int i = 13; i <= 20; ++i) {
            want.push_back(numbered(i));
        }
        CHECK(drain(r) == want);
    }

    TEST_CASE("the latest resize nobody took is handed to the next receiver, like any event")
    {
        Sender tx;
        tx.send(size(1));  // nobody listens
        {
            Receiver first = tx.subscribe();
            Receiver second = tx.subscribe();
            CHECK(drain(first) == std::vector<Event>{size(1)});
            CHECK(drain(second).empty());  // subscribed after it
            tx.send(size(2));
            CHECK(drain(second) == std::vector<Event>{size(2)});
        }  // `first`, the last to go, never took resize 2
        Receiver next = tx.subscribe();
        CHECK(drain(next) == std::vector<Event>{size(2)});
    }

    TEST_CASE("resizes wake, keep the fd truthful, and are delivered before the end of the stream")
    {
        Sender tx;
        Receiver r = tx.subscribe();
        int fd = r.fd();
        CHECK_FALSE(readable(fd));
        tx.send(size(1));
        CHECK(readable(fd));
        storm(tx, 2, 6);
        CHECK(r.pending() == 1);
        CHECK(r.try_receive() == size(6));
        CHECK_FALSE(readable(fd));
        // A superseded resize leaves nothing behind: the fd is readable exactly while something is.
        std::vector<Event> batch = {size(7), numbered(0), size(8)};
        tx.send_batch(batch);
        CHECK(r.pending() == 2);
        CHECK(readable(fd));
        CHECK(r.try_receive() == numbered(0));
        CHECK(readable(fd));
        CHECK(r.try_receive() == size(8));
        CHECK_FALSE(readable(fd));
        CHECK_FALSE(r.try_receive());
        std::thread producer([&] { tx.send(size(9)); });
        auto e = r.receive_for(k_failure_timeout);
        producer.join();
        CHECK(e == size(9));
        tx.send(size(10));
        tx.close();
        CHECK_FALSE(r.closed());
        CHECK(readable(fd));
        CHECK(r.receive() == size(10));
        CHECK(r.closed());
        CHECK_FALSE(r.receive());
    }

    TEST_CASE("a resize on its own wakes a sleeping, spinning or polling receiver, every time")
    {
        for (const std::string mode : {"receive", "spin", "poll"}) {
            CAPTURE(mode);
            Sender tx;
            Receiver r = tx.subscribe();
            const int fd = mode == "poll" ? r.fd() : -1;
            if (mode == "spin") {
                r.set_spin(std::chrono::microseconds(20));
            }
            constexpr int k_rounds = 300;
            std::atomic<int> taken{0};
            std::thread producer([&] {
                for (int i = 1; i <= k_rounds; ++i) {
                    tx.send(size(i));
                    while (taken.load() < i && taken.load() >= 0) {
                        std::this_thread::yield();  // one resize at a time: each must wake on its own
                    }
                }
            });
            for (int i = 1; i <= k_rounds; ++i) {
                std::optional<Event> e;
                if (fd >= 0) {
                    pollfd p{fd, POLLIN, 0};
                    if (::poll(&p, 1, 10000) == 1) {
                        e = r.try_receive();
                    }
                } else {
                    const auto deadline = std::chrono::steady_clock::now() + k_failure_timeout;
                    e = r.receive_until(deadline);
                    if (std::chrono::steady_clock::now() >= deadline) {
                        e.reset();  // taken by the last look at the deadline: the wake-up was lost
                    }
                }
                if (e != size(i)) {
                    taken = -1;
                    CHECK(e == size(i));
                    break;
                }
                taken = i;
            }
            producer.join();
        }
    }

    TEST_CASE("concurrent keys and resize storms, every receive mode: order kept, keys received + missed == sent")
    {
        Sender tx(ChannelOptions{.capacity = 64});  // small, so the sender laps the slower receivers
        constexpr int k_keys = 20000;
        enum class Mode { receive, receive_for, spin, try_receive, try_receive_all, poll, poll_all };
        const std::vector<Mode> modes = {Mode::receive,         Mode::receive_for, Mode::spin,    Mode::try_receive,
                                         Mode::try_receive_all, Mode::poll,        Mode::poll_all};
        struct Tally {
            long keys = 0;
            long missed = 0;
            int last_resize = 0;
            int bad = 0;
        };
        std::vector<Tally> tally(modes.size());
        std::vector<Receiver> rx;
        for (std::size_t i = 0; i < modes.size(); ++i) {
            rx.push_back(tx.subscribe());
        }
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < modes.size(); ++i) {
            threads.emplace_back([&, i] {
                Receiver& r = rx[i];
                Tally& t = tally[i];
                const Mode mode = modes[i];
                long next = 0;         // the next key not yet taken or reported lost
                long last_taken = -1;  // the last key taken
                auto check = [&](const Event& e) {
                    if (const auto* l = std::get_if<LaggedEvent>(&e)) {
                        t.missed += static_cast<long>(l->missed);
                        next += static_cast<long>(l->missed);
                    } else if (const auto* z = std::get_if<ResizeEvent>(&e)) {
                        // cols: the resize's number; rows: how many keys were sent before it.
                        // At its place: every key before it taken or lost, none after it taken.
                        if (z->cols <= t.last_resize || next < z->rows || last_taken >= z->rows) {
                            ++t.bad;
                        }
                        t.last_resize = z->cols;
                    } else if (const auto* m = std::get_if<MouseEvent>(&e); m == nullptr || m->x != next) {
                        ++t.bad;
                    } else {
                        last_taken = next++;
                        ++t.keys;
                    }
                };
                const bool polled = mode == Mode::poll || mode == Mode::poll_all;
                const int fd = polled ? r.fd() : -1;
                if (mode == Mode::spin) {
                    r.set_spin(std::chrono::microseconds(50));
                }
                std::vector<Event> got;
                for (;;) {
                    if (polled) {
                        pollfd p{fd, POLLIN, 0};
                        if (::poll(&p, 1, 10000) != 1) {
                            ++t.bad;  // readiness lost: nothing for 10 s
                            return;
                        }
                    }
                    std::optional<Event> e;
                    got.clear();
                    switch (mode) {
                    case Mode::receive:
                    case Mode::spin: e = r.receive(); break;
                    case Mode::receive_for: e = r.receive_for(1ms); break;
                    case Mode::try_receive:
                    case Mode::poll: e = r.try_receive(); break;
                    case Mode::try_receive_all:
                    case Mode::poll_all: r.try_receive_all(got); break;
                    }
                    if (e) {
                        got.push_back(std::move(*e));
                    }
                    for (const Event& g : got) {
                        check(g);
                    }
                    if (got.empty()) {
                        if (r.closed() || mode == Mode::receive || mode == Mode::spin) {
                            return;
                        }
                        std::this_thread::yield();
                    }
                }
            });
        }
        // Keys in batches of 1 to 7; after every 50th, a storm of 1 to 40 resizes, some inside a
        // batch and some sent on their own; the last event is a resize.
        int resizes = 0;
        std::vector<Event> batch;
        for (int k = 0; k < k_keys; ++k) {
            batch.push_back(numbered(k));
            for (int j = 0; k % 50 == 49 && j < 1 + (k / 50) % 40; ++j) {
                ResizeEvent z{++resizes, k + 1, 0, 0};
                if (j % 2 == 0) {
                    batch.push_back(z);
                } else {
                    tx.send_batch(batch);
                    tx.send(z);
                }
            }
            if (batch.size() >= static_cast<std::size_t>(1 + k % 7)) {
                tx.send_batch(batch);
            }
            if (k % 256 == 0) {
                std::this_thread::sleep_for(100us);  // pacing, so that receivers also keep up at times
            }
        }
        tx.send_batch(batch);
        tx.send(ResizeEvent{++resizes, k_keys, 0, 0});
        tx.close();
        for (auto& t : threads) {
            t.join();
        }
        for (std::size_t i = 0; i < modes.size(); ++i) {
            CAPTURE(i);
            CHECK(tally[i].bad == 0);
            CHECK(tally[i].keys + tally[i].missed == k_keys);
            CHECK(tally[i].last_resize == resizes);  // the latest size is never lost
        }
    }

}  // TEST_SUITE
