// Where blocked receivers sleep (internal): each on its own readiness descriptor, so that a
// batch wakes each sleeping receiver at most once, and the sender pays for one wake-up per batch
// whatever the number of sleepers.
//
// A receiver about to sleep clears its descriptor, arms it (Entry::armed, the flag Receiver::fd
// uses too), parks here stamped with the current epoch, checks for events once more, and polls
// its descriptor. Publishing a batch (or a resize, or the close) advances the epoch after the
// state receivers check, both seq_cst, so a receiver either sees the batch in that last check or
// is parked with an older epoch: "due". wake(n) takes up to n due entries out of the list and
// signals each (disarming it first: one signal per arming). The sender wakes one; each receiver
// so taken out wakes two more when it leaves (a tree: the last of R sleepers wakes after about
// log2(R) hand-offs, and the sender's cost stays flat). An entry parked after the batch has the
// new epoch and is never taken out for it: nobody is woken twice for one batch, which a shared
// condition variable cannot promise (a receiver that woke, took its events and slept again is
// on the same queue as those not yet woken).
//
// Entries are taken out under the lot's lock and signalled after it is released, so that the
// receivers re-parking meanwhile do not sleep on the lock behind a system call. A receiver
// still in the list leaves under the lock; one taken out waits (without the lock) until its
// signal is sent, so a descriptor is never signalled after its receiver has gone. The list's
// storage is reserved when receivers subscribe (reserve()), so parking never allocates.
//
// wait_readable() (sleep.cpp) is the sleep itself: poll(2) on the descriptor.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "platform/platform.hpp"

namespace vtinput::detail {

class ParkingLot {
public:
    struct Entry {
        std::atomic<bool>* armed = nullptr;
        const platform::WakeFd* wake = nullptr;
        std::uint64_t epoch = 0;  // guarded by the lot's mutex
        // free -> parked (park) -> taken (wake, under the lock) -> signalled (wake, after it)
        // -> free (leave). A receiver that finds its entry taken or signalled leaves without
        // the lock, once it is signalled: its waker owns the entry until then.
        std::atomic<int> state{k_free};
    };
    static constexpr int k_free = 0, k_parked = 1, k_taken = 2, k_signalled = 3;

    // Sender side, after publishing (seq_cst): entries parked before now are due.
    void advance() { epoch_.fetch_add(1, std::memory_order_seq_cst); }

    // Takes up to `n` (at most 2) due entries out of the list, then signals them. An empty
    // list costs one load, not the lock: an entry parked before the caller's publish (or
    // before it was itself taken out) stored its count under the lock first, seq_cst.
    void wake(std::size_t n)
    {
        if (count_.load(std::memory_order_seq_cst) == 0) {
            return;
        }
        Entry* taken[2];
        std::size_t k = 0;
        n = std::min<std::size_t>(n, 2);
        {
            std::lock_guard lock(mutex_);
            const std::uint64_t now = epoch_.load(std::memory_order_seq_cst);
            for (std::size_t i = 0; i < list_.size() && k < n;) {
                Entry* e = list_[i];
                if (e->epoch >= now) {
                    ++i;
                    continue;
                }
                list_[i] = list_.back();
                list_.pop_back();
                e->state.store(k_taken, std::memory_order_seq_cst);
                taken[k++] = e;
            }
            count_.store(list_.size(), std::memory_order_seq_cst);
        }
        // Outside the lock, so that receivers parking meanwhile do not sleep on it behind a
        // system call; a taken receiver waits in leave() until its signal is sent.
        for (std::size_t i = 0; i < k; ++i) {
            Entry* e = taken[i];
            if (e->armed->exchange(false, std::memory_order_seq_cst)) {
                e->wake->signal();
            }
            e->state.store(k_signalled, std::memory_order_release);  // its fd is not touched again
        }
    }

    // Receiver side. The caller has armed its descriptor; it checks for events after this.
    void park(Entry& e)
    {
        std::lock_guard lock(mutex_);
        e.epoch = epoch_.load(std::memory_order_seq_cst);
        e.state.store(k_parked, std::memory_order_relaxed);
        list_.push_back(&e);  // never allocates: reserve()
        count_.store(list_.size(), std::memory_order_seq_cst);
    }

    // Leaves the list (if still in it); true when wake() took the entry out, and so the caller
    // owes the tree its two wake-ups.
    bool leave(Entry& e)
    {
        int s = e.state.load(std::memory_order_acquire);
        if (s == k_parked) {
            std::lock_guard lock(mutex_);
            s = e.state.load(std::memory_order_acquire);
            if (s == k_parked) {
                list_.erase(std::find(list_.begin(), list_.end(), &e));
                count_.store(list_.size(), std::memory_order_seq_cst);
                e.state.store(k_free, std::memory_order_relaxed);
                return false;
            }
        }
        // Taken: the waker is signalling, a system call's length at most.
        while (e.state.load(std::memory_order_acquire) != k_signalled) {
            std::this_thread::yield();
        }
        e.state.store(k_free, std::memory_order_relaxed);
        return true;
    }

    // Room for `receivers` entries. Throws std::bad_alloc.
    void reserve(std::size_t receivers)
    {
        std::lock_guard lock(mutex_);
        list_.reserve(receivers);
    }

private:
    std::mutex mutex_;
    std::vector<Entry*> list_;
    std::atomic<std::size_t> count_{0};
    std::atomic<std::uint64_t> epoch_{0};
};

// Sleeps until `fd` is readable (true) or `deadline` passes (false).
bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline) noexcept;

}  // namespace vtinput::detail
