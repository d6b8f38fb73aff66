// Channel benchmarks: the sender's cost per event with 1, 4, 16 and 64 receivers (it must not
// grow with the receivers), whether 16 receivers keep up with 1M events/s, and what resize
// storms cost (the sender, and the keys of receivers that are behind).
//
// The sender's cost is its own thread CPU time: on a small machine, wall time inside send would
// mostly measure the sender being preempted by the receiver threads.
//
// One line per measurement:
//   channel_idle receivers=R events=N batch=B send_cpu_ns_per_event=X
//   channel receivers=R events=N batch=B send_cpu_ns_per_event=X delivered_per_s=Y lagged=L
//   channel_rate receivers=16 capacity=C target_per_s=1000000 achieved_per_s=A lagged=L duration_s=D
//   channel_storm receivers=R keys=K resizes=Z resize_send_cpu_ns=X keys_received=N resizes_received=M lagged=L
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <time.h>

#include "vtinput/channel.hpp"

using namespace vtinput;
using clock_type = std::chrono::steady_clock;

namespace {

std::int64_t thread_cpu_ns()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Event key(int i)
{
    KeyEvent k;
    k.key = char_key(static_cast<char32_t>('a' + i % 26));
    k.text.push_back(static_cast<char>('a' + i % 26));
    return k;
}

Event resize(std::size_t i) { return ResizeEvent{80 + static_cast<int>(i % 40), 24 + static_cast<int>(i % 10), 0, 0}; }

// Sends `events` numbered keys in batches of `batch`; returns the sender's CPU time in
// send_batch (building the batches not counted).
std::int64_t send_all(Sender& tx, std::size_t events, std::size_t batch)
{
    std::vector<Event> b;
    std::int64_t cpu = 0;
    for (std::size_t i = 0; i < events;) {
        for (std::size_t k = 0; k < batch && i < events; ++k, ++i) {
            b.push_back(key(static_cast<int>(i)));
        }
        auto c0 = thread_cpu_ns();
        tx.send_batch(b);
        cpu += thread_cpu_ns() - c0;
    }
    return cpu;
}

// A channel of 4096 events and receivers that are subscribed but never receive.
struct Idle {
    Sender tx{ChannelOptions{.capacity = 4096}};
    std::vector<Receiver> rx;
    explicit Idle(std::size_t receivers)
    {
        for (std::size_t i = 0; i < receivers; ++i) {
            rx.push_back(tx.subscribe());
        }
    }
};

// Receivers that are subscribed but never receive: the pure cost of sending.
void idle(std::size_t receivers, std::size_t events, std::size_t batch)
{
    Idle c(receivers);
    std::int64_t cpu = send_all(c.tx, events, batch);
    std::printf("channel_idle receivers=%zu events=%zu batch=%zu send_cpu_ns_per_event=%.1f\n", receivers, events,
                batch, static_cast<double>(cpu) / static_cast<double>(events));
}

struct Consumers {
    std::vector<std::thread> threads;
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> lagged{0};

    void start(Sender& tx, std::size_t n)
    {
        std::vector<Receiver> rx;
        for (std::size_t i = 0; i < n; ++i) {
            rx.push_back(tx.subscribe());
        }
        for (auto& r : rx) {
            threads.emplace_back([this, r = std::move(r)]() mutable {
                std::vector<Event> got;
                std::uint64_t mine = 0, lost = 0;
                while (auto e = r.receive()) {
                    if (auto* l = std::get_if<LaggedEvent>(&*e)) {
                        lost += l->missed;
                    } else {
                        ++mine;
                    }
                    got.clear();
                    r.try_receive_all(got);
                    for (auto& g : got) {
                        if (auto* l = std::get_if<LaggedEvent>(&g)) {
                            lost += l->missed;
                        } else {
                            ++mine;
                        }
                    }
                }
                received += mine;
                lagged += lost;
            });
        }
    }
    void join()
    {
        for (auto& t : threads) {
            t.join();
        }
    }
};

void throughput(std::size_t receivers, std::size_t events, std::size_t batch)
{
    ChannelOptions o;
    o.capacity = 4096;
    Sender tx(o);
    Consumers c;
    c.start(tx, receivers);
    auto t0 = clock_type::now();
    std::int64_t cpu = send_all(tx, events, batch);
    tx.close();
    c.join();
    auto total = std::chrono::duration<double>(clock_type::now() - t0).count();
    std::printf(
        "channel receivers=%zu events=%zu batch=%zu send_cpu_ns_per_event=%.1f delivered_per_s=%.0f lagged=%llu\n",
        receivers, events, batch, static_cast<double>(cpu) / static_cast<double>(events),
        static_cast<double>(c.received.load()) / total, static_cast<unsigned long long>(c.lagged.load()));
}

// Paced: `rate` events per second in batches sent every millisecond, for `seconds`.
void keep_up(std::size_t receivers, double rate, double seconds, std::size_t capacity)
{
    ChannelOptions o;
    o.capacity = capacity;
    Sender tx(o);
    Consumers c;
    c.start(tx, receivers);
    auto per_ms = static_cast<std::size_t>(rate / 1000.0);
    std::vector<Event> b;
    auto t0 = clock_type::now();
    std::size_t sent = 0;
    auto ticks = static_cast<int>(seconds * 1000.0);
    for (int t = 0; t < ticks; ++t) {
        for (std::size_t k = 0; k < per_ms; ++k) {
            b.push_back(key(static_cast<int>(sent++)));
        }
        tx.send_batch(b);
        std::this_thread::sleep_until(t0 + std::chrono::milliseconds(t + 1));  // pacing, not synchronisation
    }
    auto elapsed = std::chrono::duration<double>(clock_type::now() - t0).count();
    tx.close();
    c.join();
    std::printf(
        "channel_rate receivers=%zu capacity=%zu target_per_s=%.0f achieved_per_s=%.0f lagged=%llu duration_s=%.2f\n",
        receivers, capacity, rate, static_cast<double>(sent) / elapsed,
        static_cast<unsigned long long>(c.lagged.load()), elapsed);
}

// A window being dragged while keys arrive, with receivers that take nothing until the end:
// `keys` keys, and after every 16th a storm of `storm` resizes, one send each (as the poller sends
// each SIGWINCH). The sender's CPU per resize, and what receivers get: the keys the ring holds
// once the resizes are in it, the resizes they see, and the events they lost (per receiver; all
// receivers see the same).
void storms(std::size_t receivers, std::size_t keys, std::size_t storm)
{
    Idle c(receivers);
    Sender& tx = c.tx;
    std::int64_t cpu = 0;
    std::size_t resizes = 0;
    for (std::size_t i = 0; i < keys; ++i) {
        tx.send(key(static_cast<int>(i)));
        if (i % 16 == 15) {
            auto c0 = thread_cpu_ns();
            for (std::size_t k = 0; k < storm; ++k) {
                tx.send(resize(resizes++));
            }
            cpu += thread_cpu_ns() - c0;
        }
    }
    std::uint64_t got_keys = 0, got_resizes = 0, lost = 0;
    std::vector<Event> got;
    while (c.rx[0].try_receive_all(got) > 0) {
        for (const Event& e : got) {
            if (const auto* l = std::get_if<LaggedEvent>(&e)) {
                lost += l->missed;
            } else if (std::holds_alternative<ResizeEvent>(e)) {
                ++got_resizes;
            } else {
                ++got_keys;
            }
        }
        got.clear();
    }
    std::printf("channel_storm receivers=%zu keys=%zu resizes=%zu resize_send_cpu_ns=%.1f keys_received=%llu "
                "resizes_received=%llu lagged=%llu\n",
                receivers, keys, resizes, static_cast<double>(cpu) / static_cast<double>(resizes),
                static_cast<unsigned long long>(got_keys), static_cast<unsigned long long>(got_resizes),
                static_cast<unsigned long long>(lost));
}

}  // namespace

int main()
{
    for (std::size_t r : {std::size_t{1}, std::size_t{4}, std::size_t{16}, std::size_t{64}}) {
        idle(r, 1'000'000, 64);
    }
    for (std::size_t r : {std::size_t{1}, std::size_t{4}, std::size_t{16}, std::size_t{64}}) {
        throughput(r, 1'000'000, 64);
    }
    keep_up(16, 1e6, 2.0, 4096);
    keep_up(16, 1e6, 2.0, 16384);
    for (std::size_t r : {std::size_t{1}, std::size_t{16}, std::size_t{64}}) {
        storms(r, 4096, 64);
    }
    return 0;
}
