// Heap allocations per decoded event, counted by replacing the global operator new.
//
//   alloc_bench [--events N]
//
// Inputs (generated here, so no corpus is needed): keys (text, arrows, modified keys, function
// keys, Alt+letter, kitty CSI u with press/repeat/release), mouse (SGR reports), paste
// (bracketed, 4 KiB each) and resize (in-band resize reports, storms of 8 between keys; the
// channel collapses resizes, so receivers count fewer events than the decoder). For each, after a warm-up pass that lets buffers reach their
// working size, the allocations of a second pass are counted along three paths:
//   decoder   Decoder::feed into a sink that looks at each event
//   channel   decoder -> batch -> Sender::send_batch -> Receiver::try_receive_all (reused)
//   device    an InputDevice reading a pipe (poller thread, decoder, channel) -> receive()
// One line each: `alloc path=P input=I events=N allocs=A per_event=X`.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "system.hpp"
#include "vtinput/channel.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/input_device.hpp"

namespace {
std::atomic<std::uint64_t> g_allocs{0};
}  // namespace

// Every allocation of the process goes through these (threads included).
void* operator new(std::size_t n)
{
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept
{
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using steady = std::chrono::steady_clock;

struct Input {
    const char* name;
    std::string bytes;
    std::uint64_t events;       // events per pass
    std::uint64_t resizes = 0;  // of which resizes (which the channel may collapse)
};

Input keys(std::uint64_t n)
{
    static const char* const units[] = {
        "a",         "Z",          "\xc3\xa9",     "\xe4\xb8\xad", "\x1b[A",      "\x1bOB",
        "\x1b[1;5C", "\x1b[3~",    "\x1b[15;2~",   "\x1bx",        "\x01",        "\r",
        "\x7f",      "\x1b[97;5u", "\x1b[97;1:2u", "\x1b[97;1:3u", "\x1b[1;3:1A", "\x1b[Z",
    };
    Input in{"keys", {}, 0};
    for (std::uint64_t i = 0; i < n; ++i) {
        in.bytes += units[i % std::size(units)];
    }
    in.events = n;
    return in;
}

Input mouse(std::uint64_t n)
{
    Input in{"mouse", {}, 0};
    for (std::uint64_t i = 0; i < n; ++i) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "\x1b[<%d;%d;%d%c", i % 3 == 0 ? 0 : 32, static_cast<int>(i % 200 + 1),
                      static_cast<int>((i / 200) % 60 + 1), i % 3 == 2 ? 'm' : 'M');
        in.bytes += buf;
    }
    in.events = n;
    return in;
}

Input paste(std::uint64_t n)
{
    Input in{"paste", {}, 0};
    std::string body(4096, 'p');
    for (std::uint64_t i = 0; i < n; ++i) {
        in.bytes += "\x1b[200~" + body + "\x1b[201~";
    }
    in.events = n;
    return in;
}

Input resize(std::uint64_t n)
{
    Input in{"resize", {}, 0};
    for (std::uint64_t i = 0; i < n; ++i) {
        if (i % 9 == 8) {
            in.bytes += "k";
            continue;
        }
        char buf[48];
        std::snprintf(buf, sizeof buf, "\x1b[48;%d;%d;%d;%dt", static_cast<int>(i % 50 + 20),
                      static_cast<int>(i % 100 + 80), static_cast<int>(i % 50 + 20) * 16,
                      static_cast<int>(i % 100 + 80) * 8);
        in.bytes += buf;
        ++in.resizes;
    }
    in.events = n;
    return in;
}

struct Count final : vtinput::EventSink {
    void on_event(vtinput::Event&& e) override { events += e.index() != std::variant_npos; }
    std::uint64_t events = 0;
};

void report(const char* path, const Input& in, std::uint64_t events, std::uint64_t allocs)
{
    std::printf("alloc path=%s input=%s events=%llu allocs=%llu per_event=%.4f\n", path, in.name,
                static_cast<unsigned long long>(events), static_cast<unsigned long long>(allocs),
                events ? static_cast<double>(allocs) / static_cast<double>(events) : 0.0);
    std::fflush(stdout);
}

constexpr std::size_t k_chunk = 4096;  // what a read() of a busy terminal returns

void decoder_path(const Input& in)
{
    vtinput::Decoder d;
    Count sink;
    auto pass = [&] {
        for (std::size_t off = 0; off < in.bytes.size(); off += k_chunk) {
            d.feed(std::string_view(in.bytes).substr(off, k_chunk), steady::now(), sink);
        }
    };
    pass();
    sink.events = 0;
    auto before = g_allocs.load();
    pass();
    report("decoder", in, sink.events, g_allocs.load() - before);
}

void channel_path(const Input& in)
{
    vtinput::Decoder d;
    vtinput::ChannelOptions o;
    o.capacity = 1 << 16;
    vtinput::Sender tx(o);
    vtinput::Receiver rx = tx.subscribe();
    std::vector<vtinput::Event> batch, got;
    batch.reserve(1024);
    got.reserve(1 << 17);
    std::uint64_t events = 0;
    auto pass = [&] {
        for (std::size_t off = 0; off < in.bytes.size(); off += k_chunk) {
            d.feed(std::string_view(in.bytes).substr(off, k_chunk), steady::now(), batch);
            tx.send_batch(batch);
            events += rx.try_receive_all(got);
            got.clear();  // keeps capacity; the events' own storage is what is measured
        }
    };
    pass();
    events = 0;
    auto before = g_allocs.load();
    pass();
    report("channel", in, events, g_allocs.load() - before);
}

void device_path(const Input& in)
{
    int p[2];
    if (vtinput::test::open_pipe(p) != 0) {
        std::perror("pipe");
        std::exit(2);
    }
#if defined(F_SETPIPE_SZ)
    ::fcntl(p[1], F_SETPIPE_SZ, 1 << 20);  // fewer, larger reads (Linux; elsewhere the pipe's own size)
#endif
    vtinput::DeviceOptions o;
    o.fd = p[0];
    o.terminal = std::nullopt;
    o.channel.capacity = 1 << 16;
    auto dev = vtinput::InputDevice::open(o);
    auto pass = [&] {
        std::thread writer([&] {
            std::string_view s = in.bytes;
            while (!s.empty()) {
                ssize_t n = ::write(p[1], s.data(), std::min<std::size_t>(s.size(), k_chunk));
                if (n <= 0) {
                    return;
                }
                s.remove_prefix(static_cast<std::size_t>(n));
            }
        });
        std::uint64_t n = 0, lost = 0, resizes = 0;
        while (n - resizes + lost < in.events - in.resizes) {  // every event but the resizes
            auto e = dev.receive_for(std::chrono::seconds(10));
            if (!e) {
                std::fprintf(stderr, "alloc_bench: %s: %llu of %llu events, then nothing\n", in.name,
                             static_cast<unsigned long long>(n + lost), static_cast<unsigned long long>(in.events));
                std::exit(1);
            }
            if (const auto* l = std::get_if<vtinput::LaggedEvent>(&*e)) {
                lost += l->missed;
            } else {
                ++n;
                resizes += std::holds_alternative<vtinput::ResizeEvent>(*e);
            }
        }
        writer.join();
        if (lost != 0) {
            std::printf("alloc path=device input=%s lagged=%llu (events dropped for the slow receiver; not counted)\n",
                        in.name, static_cast<unsigned long long>(lost));
        }
        return n;
    };
    pass();
    auto before = g_allocs.load();
    std::uint64_t n = pass();  // the writer thread's own start is counted: a few allocations
    report("device", in, n, g_allocs.load() - before);
    dev.close();
    ::close(p[0]);
    ::close(p[1]);
}

}  // namespace

int main(int argc, char** argv)
{
    std::uint64_t n = 200000;
    if (argc == 3 && std::string_view(argv[1]) == "--events") {
        n = std::strtoull(argv[2], nullptr, 10);
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: alloc_bench [--events N]\n");
        return 2;
    }
    for (const Input& in : {keys(n), mouse(n), paste(std::max<std::uint64_t>(1, n / 100)), resize(n)}) {
        decoder_path(in);
        channel_path(in);
        device_path(in);
    }
    return 0;
}
