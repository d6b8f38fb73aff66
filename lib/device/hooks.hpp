// The poller's test seam (internal): callbacks at the points that matter for the reuse race, for
// the error path and for a failed start, so that tests can hold the poller thread exactly there
// or make a step fail. Not for production.
//
// A HookSlot holds the hooks in force. The lifecycle owns one (it lives as long as the process)
// and hands the poller a pointer to it in PollerConfig, so the poller calls the hooks without
// knowing who set them. Tests may replace the hooks at any time, from any thread, also while a
// poller runs: the poller takes a snapshot at each hook point, and a snapshot stays valid while
// the poller calls it even if the slot is cleared meanwhile. With no hooks set, a hook point
// costs one relaxed atomic load.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace vtinput::detail {

// Called on the poller thread, except before_spawn.
struct PollerHooks {
    // The doorbell rang; the thread is about to take the lifecycle lock and check the receiver
    // count.
    std::function<void()> before_exit_check;
    // The thread decided to exit (the generation is `exiting`) and released the lock.
    std::function<void()> after_exit_decision;
    // The terminal is readable; called before reading. May throw, to exercise that path.
    std::function<void()> before_read;
    // On the spawning thread, with the loop and its handles set up, just before the thread is
    // created. May throw, as the std::thread constructor does when the system refuses a thread
    // (std::system_error with EAGAIN): the start must then undo everything.
    std::function<void()> before_spawn;
    bool empty() const { return !before_exit_check && !after_exit_decision && !before_read && !before_spawn; }
};

class HookSlot {
public:
    // Replaces the hooks; empty hooks clear the slot. Thread: any.
    void set(PollerHooks hooks)
    {
        std::shared_ptr<const PollerHooks> next;
        if (!hooks.empty()) {
            next = std::make_shared<const PollerHooks>(std::move(hooks));
        }
        std::lock_guard lock(mutex_);
        active_.store(next != nullptr, std::memory_order_relaxed);
        hooks_ = std::move(next);
    }

    // The hooks in force, or nullptr when none are set (the hot path: no lock taken).
    // Thread: any.
    std::shared_ptr<const PollerHooks> get() const
    {
        if (!active_.load(std::memory_order_relaxed)) {
            return nullptr;
        }
        std::lock_guard lock(mutex_);
        return hooks_;
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const PollerHooks> hooks_;  // guarded by mutex_
    std::atomic<bool> active_{false};           // hooks_ != nullptr, readable without the lock
};

}  // namespace vtinput::detail
