// vtinput as a peer of tests/bench/program_latency: the minimal application. InputDevice::open()
// on the controlling terminal (raw mode, SGR mouse motion reports on), and N subscribers, each
// a thread blocked in receive(): the first prints one line per key or mouse event
// ("ev " + to_string), the others only take every event, so that the cost of fan-out shows
// next to one subscriber. Path of an event: the poller thread reads, decodes and broadcasts;
// the subscriber wakes and prints (one hand-off more than the read-on-the-caller's-thread peers).
//
//   peer_device [--subscribers N]      (N >= 1, default 1; protocol: peer.hpp)
//   peer_device --inline               InputDevice::subscribe_inline: the poller thread itself
//                                      prints, with no hand-off; the main thread waits for 'q'
//
// Every subscriber quits on a plain 'q', so all threads end and the device closes cleanly.
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <variant>
#include <vector>

#include "peer.hpp"
#include "vtinput/input_device.hpp"

namespace {

bool is_quit(const vtinput::Event& e)
{
    const auto* k = std::get_if<vtinput::KeyEvent>(&e);
    return k != nullptr && k->key == vtinput::char_key(U'q') && k->mods.empty();
}

bool is_input(const vtinput::Event& e)
{
    return std::holds_alternative<vtinput::KeyEvent>(e) || std::holds_alternative<vtinput::MouseEvent>(e);
}

// Until 'q' or the end of the stream; prints if `print`.
void subscriber(vtinput::Receiver& rx, bool print)
{
    while (std::optional<vtinput::Event> e = rx.receive()) {
        if (is_quit(*e)) {
            return;
        }
        if (print && is_input(*e)) {
            peer::line("ev " + vtinput::to_string(*e));
        }
    }
}

[[noreturn]] void usage()
{
    std::fprintf(stderr, "usage: peer_device [--subscribers N | --inline]\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv)
try {
    int subscribers = 1;
    bool inline_handler = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--subscribers" && i + 1 < argc) {
            subscribers = std::atoi(argv[++i]);
        } else if (a == "--inline") {
            inline_handler = true;
        } else {
            usage();
        }
    }
    if (subscribers < 1) {
        usage();
    }
    vtinput::DeviceOptions options;
    options.terminal->mouse = vtinput::MouseTracking::motion;
    vtinput::InputDevice device = vtinput::InputDevice::open(options);
    if (inline_handler) {
        std::mutex m;
        std::condition_variable cv;
        bool quit = false;
        auto sub = device.subscribe_inline(std::move(device.events()), [&](std::span<const vtinput::Event> batch) {
            for (const vtinput::Event& e : batch) {
                if (is_quit(e) || std::holds_alternative<vtinput::EofEvent>(e)) {
                    std::lock_guard lock(m);
                    quit = true;
                    cv.notify_one();
                } else if (is_input(e)) {
                    peer::line("ev " + vtinput::to_string(e));
                }
            }
        });
        // The device's own receiver is the handler's now; the device keeps the terminal's modes.
        peer::line("ready");
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return quit; });
        return 0;
    }
    std::vector<vtinput::Receiver> others;
    for (int i = 1; i < subscribers; ++i) {
        others.push_back(device.subscribe());
    }
    std::vector<std::thread> threads;
    for (vtinput::Receiver& rx : others) {
        threads.emplace_back(subscriber, std::ref(rx), false);
    }
    peer::line("ready");
    subscriber(device.events(), true);
    for (std::thread& t : threads) {
        t.join();
    }
    return 0;
} catch (const std::system_error& e) {
    std::fprintf(stderr, "peer_device: %s\n", e.what());
    return 1;
}
