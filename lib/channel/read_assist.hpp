// The read assist (internal): how a blocked receiver is woken by the kernel together with the
// poller, instead of by the poller afterwards.
//
// The hand-off from the poller thread to a sleeping receiver costs the kernel waking a second
// thread after the poller has read and decoded: 8-10 us onto the same vCPU, 25-33 us onto a
// halted one on the VMs we measured. While the poller reads the terminal, it lends the channel a
// descriptor of the terminal (its own dup, `fd`): one sleeping receiver at a time (the
// "watcher") polls it beside its own descriptor, so a key wakes poller and watcher at once, and
// the watcher then looks, yielding, for the batch the poller is about to publish.
//
// Guards:
// - A terminal that stays readable without producing an event (the poller released it or is
//   busy; bytes that end in no event, such as a query's reply or half a sequence) never makes
//   a receiver spin: after `rounds` (bumped by the poller after each read and its publish)
//   stays still for k_assist_look, or moves without an event, the watcher does not watch again
//   until the poller has read since.
// - Descriptor reuse: the dup is owned by this object, which a watcher holds (shared_ptr) while
//   it polls, so the number cannot be closed and given to another file under it.
// - Only one watcher: 16 subscribers must not all wake and spin for one key on two vCPUs; the
//   others are woken through the parking lot as usual.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "support/fd.hpp"

namespace vtinput {
class Receiver;
class Sender;
}

namespace vtinput::detail {

struct ReadAssist {
    explicit ReadAssist(UniqueFd terminal) : fd(std::move(terminal)) {}
    const UniqueFd fd;
    std::atomic<std::uint64_t> rounds{0};  // reads completed and published by the poller
};

// How long a woken watcher looks for the batch before it concludes the read produced nothing.
constexpr std::chrono::microseconds k_assist_look{1000};

struct SenderAccess {
    // The channel's side: which assist its receivers may use (nullptr: none).
    static void set_read_assist(Sender& sender, std::shared_ptr<ReadAssist> assist);
    // `receiver` is subscribed to `sender`'s channel.
    static bool owns(const Sender& sender, const Receiver& receiver);
};

}  // namespace vtinput::detail
