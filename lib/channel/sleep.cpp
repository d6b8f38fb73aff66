// How a blocked receiver sleeps (the design is in parking.hpp): parked on its readiness fd,
// woken by the lot's tree; on a condition variable when it has no fd; and set_spin's looking
// before either.
//
// poll() takes milliseconds: a deadline between two is rounded up, and a wake-up before it
// (poll may also return early) sleeps again for the rest.
#include <algorithm>
#include <cerrno>

#include <poll.h>
#include <sched.h>

#include "channel/parking.hpp"
#include "channel/state.hpp"

namespace vtinput::detail {

bool ChannelState::park(ReceiverState& r, std::chrono::steady_clock::time_point deadline)
{
    r.efd.clear();
    r.armed.store(true, std::memory_order_seq_cst);
    lot.park(r.park);
    bool timed_out = false;
    if (!has_pending(r)) {
        timed_out = !wait_readable(r.efd.fd(), deadline);
    }
    const bool taken = lot.leave(r.park);
    if (r.external) {
        r.efd.signal();  // its owner's poll may see events pending: keep the fd's promise
    }
    r.armed.store(false, std::memory_order_seq_cst);
    if (taken) {
        lot.wake(2);  // pass the batch on: a tree
    }
    return timed_out;
}

bool ChannelState::sleep_on_condition(ReceiverState& r, std::chrono::steady_clock::time_point deadline)
{
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    bool timed_out = false;
    {
        std::unique_lock lock(sleep_mutex);
        auto ready = [&] { return has_pending(r); };
        if (deadline == std::chrono::steady_clock::time_point::max()) {
            wake.wait(lock, ready);
        } else {
            timed_out = !wake.wait_until(lock, deadline, ready);
        }
    }
    sleepers.fetch_sub(1, std::memory_order_seq_cst);
    return timed_out;
}

bool ChannelState::look(ReceiverState& r, std::chrono::steady_clock::time_point deadline)
{
    const auto start = std::chrono::steady_clock::now();
    const auto until = std::min(deadline, start + r.spin.allowance(start));
    auto now = start;
    bool found = false;
    while (now < until && !(found = has_pending(r))) {
        ::sched_yield();
        now = std::chrono::steady_clock::now();
    }
    r.spin.spent(now - start);
    return found;
}

bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline) noexcept
{
    pollfd p{fd, POLLIN, 0};
    for (;;) {
        int timeout = -1;
        if (deadline != std::chrono::steady_clock::time_point::max()) {
            const auto left = deadline - std::chrono::steady_clock::now();
            if (left <= std::chrono::steady_clock::duration::zero()) {
                return false;
            }
            const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
            timeout = ms > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(ms);
        }
        // EINTR (a signal) or ENOMEM (the kernel could not poll now): try again; the fd is ours
        // and valid, so EFAULT and EINVAL cannot happen. 0: the deadline check above decides.
        if (::poll(&p, 1, timeout) > 0) {
            return true;
        }
    }
}

}  // namespace vtinput::detail
