// Channel benchmarks: the sender's cost per event with 1, 4, 16 and 64 receivers (it must not
// grow with the receivers), and whether 16 receivers keep up with 1M events/s.
//
// The sender's cost is its own thread CPU time: on a small machine, wall time inside send would
// mostly measure the sender being preempted by the receiver threads.
//
// One line per measurement:
//   channel_idle receivers=R events=N batch=B send_cpu_ns_per_event=X
//   channel receivers=R events=N batch=B send_cpu_ns_per_event=X delivered_per_s=Y lagged=L
//   channel_rate receivers=16 capacity=C target_per_s=1000000 achieved_per_s=A lagged=L duration_s=D
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

// Receivers that are subscribed but never receive: the pure cost of sending.
void idle(std::size_t receivers, std::size_t events, std::size_t batch)
{
    ChannelOptions o;
    o.capacity = 4096;
    Sender tx(o);
    std::vector<Receiver> rx;
    for (std::size_t i = 0; i < receivers; ++i) {
        rx.push_back(tx.subscribe());
    }
    std::int64_t cpu = send_all(tx, events, batch);
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
    return 0;
}
