// End-to-end latency: a key written to a PTY master -> the event in a subscriber, next to the
// raw read() floor measured in the same run with the same CPU pinning (the method of
// ../shared/bench/pty_latency.c).
//
//   latency_bench [--iters N] [--rounds R] [--warmup N] [--pin cross|same|none]
//
// Each round trip: the main thread takes t0, writes the payload to the master and blocks on an
// ack pipe; the reader side acks once it has the key; t1. Variants:
//   pty-read  floor: a thread blocked in read() on the raw-mode slave
//   pty-uv    floor: a thread running a libuv loop with a uv_poll_t on the slave
//   vtinput   an InputDevice on the slave (poller thread: uv_poll, read, decode, broadcast)
//             and a subscriber thread blocked in receive() that acks each KeyEvent
//   vtinput-inline  InputDevice::subscribe_inline: the poller thread acks, no hand-off at all
//   vtinput-spin  the default subscriber with Receiver::set_spin(1 ms), adaptive: it looks
//             again, yielding, only while events come closer than its 5% bank pays for
//   vtinput-spin-always  set_spin(1 ms, SpinPolicy::always): looks for 1 ms after every event
// Payloads: "a" (1 byte) and ESC [ 1 ; 5 A (Ctrl+Up, 6 bytes). Rounds interleave the variants
// so machine noise hits them alike; percentiles are over the pooled samples.
//
// Pinning: the main (writing) thread runs on CPU 0; every reader-side thread (the floor's
// reader; vtinput's poller and subscriber) on CPU 1 (`cross`) or CPU 0 (`same`), or anywhere
// (`none`); `none` is all there is where the system cannot pin a thread (macOS: no
// sched_setaffinity), which the output says. vtinput has one more hand-off than the floors
// (poller -> subscriber); pinning both of its threads where the floor's reader runs makes that
// a same-CPU hand-off, as it would be for an application that pins its input thread.
//
// One line per case: `latency variant=V payload=P pin=M n=N p50_us=.. p90_us=.. p99_us=..
// max_us=.. p50_vs_read=.. p99_vs_read=..` (ratios to pty-read, same payload, same run).
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <termios.h>
#include <unistd.h>
#include <uv.h>

#include "system.hpp"
#include "vtinput/input_device.hpp"

namespace {

using steady = std::chrono::steady_clock;

enum class Variant { pty_read, pty_uv, vtinput, vtinput_inline, vtinput_spin, vtinput_spin_always };
constexpr Variant k_variants[] = {Variant::pty_read,       Variant::pty_uv,       Variant::vtinput,
                                  Variant::vtinput_inline, Variant::vtinput_spin, Variant::vtinput_spin_always};
constexpr auto k_spin_budget = std::chrono::microseconds(1000);
constexpr std::string_view k_payloads[] = {"a", "\x1b[1;5A"};

const char* name(Variant v)
{
    switch (v) {
    case Variant::pty_read: return "pty-read";
    case Variant::pty_uv: return "pty-uv";
    case Variant::vtinput: return "vtinput";
    case Variant::vtinput_inline: return "vtinput-inline";
    case Variant::vtinput_spin: return "vtinput-spin";
    case Variant::vtinput_spin_always: return "vtinput-spin-always";
    }
    return "?";
}

[[noreturn]] void die(const char* what)
{
    std::fprintf(stderr, "latency_bench: %s: %s\n", what, std::strerror(errno));
    std::exit(2);
}

enum class Pin { none, same, cross };
Pin g_pin = Pin::cross;

void pin_self(int cpu)
{
    if (g_pin == Pin::none) {
        return;
    }
#if defined(CPU_SET)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<std::size_t>(cpu), &set);
    if (::sched_setaffinity(0, sizeof set, &set) != 0) {
        die("sched_setaffinity");
    }
#else
    (void)cpu;  // main() has set g_pin to none
#endif
}

constexpr int k_writer_cpu = 0;
int reader_cpu() { return g_pin == Pin::cross ? 1 : 0; }

void write_all(int fd, std::string_view s)
{
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            die("write");
        }
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

void ack(int fd) { write_all(fd, "k"); }

struct Pty {
    int master = -1, slave = -1;
    Pty()
    {
        std::string why;
        if (!vtinput::test::open_pty(master, slave, nullptr, why)) {
            std::fprintf(stderr, "latency_bench: %s\n", why.c_str());
            std::exit(2);
        }
        termios t{};
        ::tcgetattr(slave, &t);
        ::cfmakeraw(&t);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        ::tcsetattr(slave, TCSANOW, &t);
    }
    ~Pty()
    {
        ::close(master);
        ::close(slave);
    }
};

// The reader side of one round: acks `total` payloads of `plen` bytes (floors) or `total`
// key events (vtinput).
void floor_read(int fd, int ack_fd, std::size_t plen, long total)
{
    char buf[256];
    std::size_t pending = 0;
    for (long acked = 0; acked < total;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            die("floor read");
        }
        pending += static_cast<std::size_t>(n);
        for (; pending >= plen && acked < total; pending -= plen, ++acked) {
            ack(ack_fd);
        }
    }
}

struct UvReader {
    int fd, ack_fd;
    std::size_t plen;
    long total, acked = 0;
    std::size_t pending = 0;
    uv_poll_t poll{};
};

void floor_uv(int fd, int ack_fd, std::size_t plen, long total)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    UvReader r{fd, ack_fd, plen, total};
    uv_loop_t loop;
    uv_loop_init(&loop);
    uv_poll_init(&loop, &r.poll, fd);
    r.poll.data = &r;
    uv_poll_start(&r.poll, UV_READABLE, [](uv_poll_t* h, int status, int) {
        auto& u = *static_cast<UvReader*>(h->data);
        if (status < 0) {
            die("uv_poll");
        }
        char buf[256];
        for (;;) {
            ssize_t n = ::read(u.fd, buf, sizeof buf);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                return;
            }
            if (n <= 0) {
                die("uv read");
            }
            u.pending += static_cast<std::size_t>(n);
            for (; u.pending >= u.plen; u.pending -= u.plen) {
                ack(u.ack_fd);
                if (++u.acked == u.total) {
                    uv_poll_stop(h);
                    return;
                }
            }
        }
    });
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&r.poll), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) {
        std::fprintf(stderr, "latency_bench: uv_loop_close failed\n");
        std::exit(2);
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
}

// One round of `warmup + iters` round trips of `payload` through `v`; appends the timed
// samples (ns) to `out`.
void run_round(Variant v, std::string_view payload, int iters, int warmup, std::vector<std::int64_t>& out)
{
    Pty pty;
    int ackp[2];
    if (vtinput::test::open_pipe(ackp) != 0) {
        die("pipe");
    }
    const long total = warmup + iters;
    // Reader-side threads start on the reader CPU (and inherit it); the writer moves back.
    pin_self(reader_cpu());
    std::thread reader;
    std::optional<vtinput::InputDevice> dev;
    vtinput::InlineSubscription handler;
    std::promise<void> handled;
    if (v != Variant::pty_read && v != Variant::pty_uv) {
        vtinput::DeviceOptions o;
        o.fd = pty.slave;
        o.terminal = std::nullopt;  // the bench's own terminal is none of its business
        dev.emplace(vtinput::InputDevice::open(o));
        if (v == Variant::vtinput_spin || v == Variant::vtinput_spin_always) {
            dev->events().set_spin(k_spin_budget, v == Variant::vtinput_spin ? vtinput::SpinPolicy::adaptive
                                                                             : vtinput::SpinPolicy::always);
        }
    }
    if (v == Variant::vtinput_inline) {
        // The device's own receiver becomes the handler's: left unread, it would hand this
        // round's events to the next round's device (no keystroke is lost between devices).
        handler = dev->subscribe_inline(std::move(dev->events()), [ack_fd = ackp[1], total, acked = 0L, &handled](
                                                                      std::span<const vtinput::Event> batch) mutable {
            for (const vtinput::Event& e : batch) {
                if (std::holds_alternative<vtinput::KeyEvent>(e)) {
                    ack(ack_fd);
                    if (++acked == total) {
                        handled.set_value();
                    }
                }
            }
        });
        reader = std::thread([&handled] { handled.get_future().wait(); });
    } else if (dev) {
        reader = std::thread([&dev, ack_fd = ackp[1], total] {
            for (long acked = 0; acked < total;) {
                auto e = dev->receive();
                if (!e) {
                    std::fprintf(stderr, "latency_bench: the stream ended\n");
                    std::exit(2);
                }
                if (std::holds_alternative<vtinput::KeyEvent>(*e)) {
                    ack(ack_fd);
                    ++acked;
                }
            }
        });
    } else {
        reader = std::thread([v, fd = pty.slave, ack_fd = ackp[1], plen = payload.size(), total] {
            (v == Variant::pty_read ? floor_read : floor_uv)(fd, ack_fd, plen, total);
        });
    }
    pin_self(k_writer_cpu);
    for (long i = 0; i < total; ++i) {
        char c;
        auto t0 = steady::now();
        write_all(pty.master, payload);
        while (::read(ackp[0], &c, 1) != 1) {
            if (errno != EINTR) {
                die("ack read");
            }
        }
        auto t1 = steady::now();
        if (i >= warmup) {
            out.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        }
    }
    reader.join();
    handler.reset();
    dev.reset();
    ::close(ackp[0]);
    ::close(ackp[1]);
}

double percentile_us(const std::vector<std::int64_t>& sorted, double p)
{
    auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return static_cast<double>(sorted[std::min(i, sorted.size() - 1)]) / 1000.0;
}

[[noreturn]] void usage()
{
    std::fprintf(stderr, "usage: latency_bench [--iters N] [--rounds R] [--warmup N] [--pin cross|same|none]\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv)
{
    int iters = 20000, rounds = 4, warmup = 200;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (i + 1 >= argc) {
            usage();
        }
        if (a == "--iters") {
            iters = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--rounds") {
            rounds = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--warmup") {
            warmup = std::max(0, std::atoi(argv[++i]));
        } else if (a == "--pin") {
            std::string_view m = argv[++i];
            g_pin = m == "cross"  ? Pin::cross
                    : m == "same" ? Pin::same
                    : m == "none" ? Pin::none
                                  : (usage(), Pin::none);
        } else {
            usage();
        }
    }
#if !defined(CPU_SET)
    if (g_pin != Pin::none) {
        std::printf("latency: no CPU pinning on this system: --pin none\n");
        g_pin = Pin::none;
    }
#endif
    if (g_pin == Pin::cross && std::thread::hardware_concurrency() < 2) {
        std::printf("latency: SKIP: --pin cross needs two CPUs\n");
        return 0;
    }
    int per_round = std::max(1, iters / rounds);
    std::map<std::pair<int, int>, std::vector<std::int64_t>> samples;  // (variant, payload)
    for (int r = 0; r < rounds; ++r) {
        for (int p = 0; p < 2; ++p) {
            for (Variant v : k_variants) {
                run_round(v, k_payloads[p], per_round, warmup, samples[{static_cast<int>(v), p}]);
            }
        }
    }
    const char* pin = g_pin == Pin::cross ? "cross" : g_pin == Pin::same ? "same" : "none";
    for (int p = 0; p < 2; ++p) {
        auto& floor = samples[{static_cast<int>(Variant::pty_read), p}];
        std::sort(floor.begin(), floor.end());
        double f50 = percentile_us(floor, 0.50), f99 = percentile_us(floor, 0.99);
        for (Variant v : k_variants) {
            auto& s = samples[{static_cast<int>(v), p}];
            std::sort(s.begin(), s.end());
            double p50 = percentile_us(s, 0.50), p99 = percentile_us(s, 0.99);
            std::printf("latency variant=%s payload=%zu pin=%s n=%zu p50_us=%.2f p90_us=%.2f p99_us=%.2f max_us=%.2f "
                        "p50_vs_read=%.2f p99_vs_read=%.2f\n",
                        name(v), k_payloads[p].size(), pin, s.size(), p50, percentile_us(s, 0.90), p99,
                        static_cast<double>(s.back()) / 1000.0, p50 / f50, p99 / f99);
        }
    }
    return 0;
}
