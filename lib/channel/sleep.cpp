// How a blocked receiver sleeps (the design is in parking.hpp and read_assist.hpp): parked on
// its readiness fd, woken by the lot's tree or, as the watcher, by the terminal with the
// poller; on a condition variable when it has no fd; and set_spin's looking before either.
//
// poll() takes milliseconds: a deadline between two is rounded up, and a wake-up before it
// (poll may also return early) sleeps again for the rest.
#include <algorithm>
#include <cerrno>

#include <poll.h>
#include <sched.h>

#include "channel/parking.hpp"
#include "channel/read_assist.hpp"
#include "channel/state.hpp"

namespace vtinput::detail {

bool ChannelState::park(ReceiverState& r, std::chrono::steady_clock::time_point deadline)
{
    r.efd.clear();
    r.armed.store(true, std::memory_order_seq_cst);
    lot.park(r.park);
    bool timed_out = false;
    if (!has_pending(r)) {
        timed_out = sleep_on_fds(r, deadline);
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

bool ChannelState::sleep_on_fds(ReceiverState& r, std::chrono::steady_clock::time_point deadline)
{
    std::shared_ptr<ReadAssist> a;
    ReceiverState* none = nullptr;
    if (assisted.load(std::memory_order_acquire) && watcher.compare_exchange_strong(none, &r)) {
        {
            std::lock_guard lock(assist_mutex);
            a = assist;
        }
        if (!a || a->rounds.load(std::memory_order_acquire) == r.blind_rounds) {
            a.reset();  // none now, or it woke us for nothing and the poller has not read since
            watcher.store(nullptr, std::memory_order_release);
        }
    }
    const Woken w = wait_readable(r.efd.fd(), a ? a->fd.get() : -1, deadline);
    if (a) {
        watcher.store(nullptr, std::memory_order_release);
    }
    if (w != Woken::terminal) {
        return w == Woken::timeout;
    }
    // The poller was woken with us: look for its batch, unless it was signalled already.
    const std::uint64_t rounds = a->rounds.load(std::memory_order_acquire);
    if (r.armed.exchange(false, std::memory_order_seq_cst)) {
        const auto until = std::chrono::steady_clock::now() + k_assist_look;
        while (!has_pending(r) && a->rounds.load(std::memory_order_acquire) == rounds &&
               std::chrono::steady_clock::now() < until) {
            ::sched_yield();
        }
    }
    if (!has_pending(r)) {
        r.blind_rounds = a->rounds.load(std::memory_order_acquire);
    }
    return false;
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

Woken wait_readable(int wake, int terminal, std::chrono::steady_clock::time_point deadline) noexcept
{
    pollfd fds[2] = {{wake, POLLIN, 0}, {terminal, POLLIN, 0}};
    const nfds_t n = terminal >= 0 ? 2 : 1;
    for (;;) {
        int timeout = -1;
        if (deadline != std::chrono::steady_clock::time_point::max()) {
            const auto left = deadline - std::chrono::steady_clock::now();
            if (left <= std::chrono::steady_clock::duration::zero()) {
                return Woken::timeout;
            }
            const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
            timeout = ms > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(ms);
        }
        const int ready = ::poll(fds, n, timeout);
        if (ready < 0) {
            // EINTR: a signal; ENOMEM: the kernel could not poll now. Either way, try again
            // (the fds are ours and valid: EFAULT, EINVAL cannot happen).
            continue;
        }
        if (ready == 0) {
            continue;  // the deadline check above decides
        }
        if (fds[0].revents != 0) {
            return Woken::signal;
        }
        return Woken::terminal;  // readable, or hung up: the poller will tell
    }
}

}  // namespace vtinput::detail
