// vtinput as a peer of tests/bench/program_latency: the minimal application. InputDevice::open()
// on the controlling terminal (raw mode, SGR mouse motion reports on), and N subscribers, each
// a thread blocked in receive(): the first prints one line per key or mouse event
// ("ev " + to_string), the others only take every event, so that the cost of fan-out shows
// next to one subscriber. Path of an event: the poller thread reads, decodes and broadcasts;
// the subscriber wakes and prints (one hand-off more than the read-on-the-caller's-thread peers).
//
//   peer_device [--subscribers N]      (N >= 1, default 1; protocol: peer.hpp)
//   peer_device --inline               (TODO, issue 15: the poller's inline handler)
//
// Every subscriber quits on a plain 'q', so all threads end and the device closes cleanly.
#include <cstdio>
#include <cstdlib>
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
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--subscribers" && i + 1 < argc) {
            subscribers = std::atoi(argv[++i]);
        } else if (a == "--inline") {
            // TODO(issue 15): InputDevice::subscribe_inline (branch issue-15-handoff) is not
            // on this branch yet; the harness reports this peer as not built.
            std::fprintf(stderr, "peer_device: --inline needs InputDevice::subscribe_inline\n");
            return 3;
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
