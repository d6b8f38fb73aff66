// The lifecycle: the one lock that orders "the poller decides to exit" against "a subscriber
// reuses the running poller" (internal).
//
// State machine of the current generation, changed only under Lifecycle::mutex_:
//   none --spawn--> running --decide_exit--> exiting --exited--> exited --spawn--> running ...
// A subscriber that finds `running` attaches to it (fast path); one that finds `exiting`
// waits for `exited`, joins that thread and spawns the next generation (slow path). Because
// the poller's exit decision is taken under the same lock, and the doorbell is only rung
// under it while `running`, a subscriber can never attach to a poller that is about to exit.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device/poller.hpp"
#include "vtinput/capabilities.hpp"
#include "vtinput/channel.hpp"
#include "vtinput/input_device.hpp"

namespace vtinput::detail {

// Test hooks: called on the poller thread at the two points that matter for the reuse race.
// Set through set_hooks; the poller calls a snapshot taken under the lock. Not for production.
struct LifecycleHooks {
    // The doorbell rang; the thread is about to take the lock and check the receiver count.
    std::function<void()> before_exit_check;
    // The thread decided to exit (state is `exiting`) and released the lock.
    std::function<void()> after_exit_decision;
    // The terminal is readable; called before reading. May throw, to exercise that path.
    std::function<void()> before_read;
};

class Lifecycle final : public PollerHost {
public:
    static Lifecycle& instance();  // process-wide, never destroyed

    // A receiver from the running poller, or from a new generation reading `source`.
    // `claim_device` also claims the single InputDevice slot (throws if taken).
    Receiver subscribe(const DeviceOptions& options, bool claim_device);
    void release_device();

    DeviceStatus status();
    std::string terminfo_diagnostic();
    void set_hooks(LifecycleHooks hooks);
    LifecycleHooks hooks();
    // Cheap check for the poller's hot path: are any hooks set?
    bool hooks_active() const { return hooks_active_.load(std::memory_order_relaxed); }

    // Stops the running poller regardless of receivers and waits for its thread (tests, and
    // exit(): registered with the first generation, so that no poller thread is still inside
    // libuv when libuv's own exit-time cleanup runs). The channel stays open: a later
    // subscriber starts the next generation on it.
    void shutdown();
    // Waits until no poller is running or exiting and the last one's thread is joined;
    // false on timeout. For tests.
    bool wait_idle(std::chrono::milliseconds timeout);

    // Writes capability_query() to terminal `fd` and waits at most `timeout` for the DA1
    // reply, taking the replies out of the event stream meanwhile (take_replies). One query
    // at a time; a second caller waits for the first.
    Capabilities query_capabilities(int fd, std::chrono::milliseconds timeout);

    bool decide_exit(bool forced) override;
    void take_replies(std::vector<Event>& batch) override;
    void exited(std::string carry, bool loop_closed_cleanly) override;
    Sender& sender() override { return *sender_; }

private:
    Lifecycle() = default;
    enum class State { none, running, exiting, exited };

    void on_receiver_dropped(std::size_t remaining);
    void reap_locked(std::unique_lock<std::mutex>& lock);

    std::mutex mutex_;
    std::condition_variable changed_;
    State state_ = State::none;
    std::unique_ptr<Poller> poller_;
    std::unique_ptr<Sender> sender_;
    std::string carry_;
    std::uint64_t generation_ = 0;
    bool device_open_ = false;
    bool forced_stop_ = false;
    bool input_ended_ = false;  // the running generation stopped on EOF, an I/O error or an exception
    std::uint64_t unclean_loops_ = 0;
    // Identity of what the running generation reads (device and inode of the source).
    std::uint64_t source_dev_ = 0;
    std::uint64_t source_ino_ = 0;
    // Key table of the last generation, reused while DeviceOptions::term stays the same.
    std::shared_ptr<const KeyMap> keymap_;
    std::string keymap_term_;
    std::string terminfo_diagnostic_;
    LifecycleHooks hooks_;
    std::atomic<bool> hooks_active_{false};
    // The process that started the latest generation: a child forked after it has the state
    // but not the thread, and must not wait for it at exit.
    std::atomic<int> spawn_pid_{0};

    // Capability query in progress: the probe lives under probe_mutex_ (never held with
    // mutex_), `capturing_` lets the poller skip the lock when there is none.
    std::mutex query_mutex_;  // one query at a time
    std::mutex probe_mutex_;
    std::condition_variable probe_done_;
    std::optional<CapabilityProbe> probe_;
    std::atomic<bool> capturing_{false};
};

}  // namespace vtinput::detail
