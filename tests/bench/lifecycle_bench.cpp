// Lifecycle benchmarks over a pipe: slow-path open (a new poller generation), fast-path open
// (the poller kept alive by another receiver), the time from the last receiver's drop until
// the thread has exited and been joined, and releasing the terminal (suspend(): until the
// reading poller has answered that it stopped).
//
// One line per measurement:
//   lifecycle what=slow_open|fast_open|exit|suspend iterations=N p50_us=X p90_us=Y p99_us=Z
//             max_us=W
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "device/lifecycle.hpp"
#include "system.hpp"
#include "vtinput/input_device.hpp"

using namespace vtinput;
using clock_type = std::chrono::steady_clock;

namespace {

void report(const char* what, std::vector<double>& us)
{
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[static_cast<std::size_t>(q * static_cast<double>(us.size() - 1))]; };
    std::printf("lifecycle what=%s iterations=%zu p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f\n", what, us.size(),
                at(0.5), at(0.9), at(0.99), us.back());
}

double since_us(clock_type::time_point t0)
{
    return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

}  // namespace

int main()
{
    int fds[2];
    if (vtinput::test::open_pipe(fds) != 0) {
        std::perror("pipe");
        return 1;
    }
    DeviceOptions o;
    o.fd = fds[0];
    o.term = "xterm-256color";
    auto& lc = detail::Lifecycle::instance();
    constexpr int k_iterations = 1000;
    std::vector<double> slow, fast, exit_us, release;
    // Warm-up: terminfo is loaded once per term name.
    {
        auto d = InputDevice::open(o);
    }
    lc.wait_idle(std::chrono::seconds(10));
    for (int i = 0; i < k_iterations; ++i) {
        auto t0 = clock_type::now();
        auto dev = InputDevice::open(o);
        slow.push_back(since_us(t0));
        auto t1 = clock_type::now();
        dev.close();
        if (!lc.wait_idle(std::chrono::seconds(10))) {
            std::fprintf(stderr, "poller did not exit\n");
            return 1;
        }
        exit_us.push_back(since_us(t1));
    }
    {
        auto keeper = InputDevice::open(o);
        Receiver alive = keeper.subscribe();
        keeper.close();
        for (int i = 0; i < k_iterations; ++i) {
            auto t0 = clock_type::now();
            auto dev = InputDevice::open(o);
            fast.push_back(since_us(t0));
        }
    }
    {
        auto dev = InputDevice::open(o);
        for (int i = 0; i < k_iterations; ++i) {
            // A key read first: the poller is reading (a resume is answered) when suspend comes.
            if (::write(fds[1], "k", 1) != 1 || !dev.receive_for(std::chrono::seconds(10))) {
                std::fprintf(stderr, "no key\n");
                return 1;
            }
            auto t0 = clock_type::now();
            dev.suspend();
            release.push_back(since_us(t0));
            dev.resume();
        }
    }
    lc.wait_idle(std::chrono::seconds(10));
    report("slow_open", slow);
    report("fast_open", fast);
    report("exit", exit_us);
    report("suspend", release);
    ::close(fds[0]);
    ::close(fds[1]);
    return 0;
}
