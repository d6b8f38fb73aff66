// The lifecycle: the one lock that orders "the poller decides to exit" against "a subscriber
// reuses the running poller" (internal).
//
// State machine of the current generation, changed only under Lifecycle::mutex_:
//   none --spawn--> running --decide_exit--> exiting --exited--> exited --spawn--> running ...
// A subscriber that finds `running` attaches to it (fast path); one that finds `exiting`
// waits for `exited`, joins that thread and spawns the next generation (slow path). Because
// the poller's exit decision is taken under the same lock, and the doorbell is only rung
// under it while `running`, a subscriber can never attach to a poller that is about to exit.
//
// The lifecycle owns, besides the state machine: the channel's Sender, the key-map cache (used
// under mutex_), the capture of capability replies (its own locks, never held with mutex_) and
// the test hooks' slot. What to read comes from source.hpp.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "device/hooks.hpp"
#include "device/keymap_cache.hpp"
#include "device/poller.hpp"
#include "device/reply_capture.hpp"
#include "device/source.hpp"
#include "vtinput/capabilities.hpp"
#include "vtinput/channel.hpp"
#include "vtinput/input_device.hpp"

namespace vtinput::detail {

class Lifecycle final : public PollerHost {
public:
    static Lifecycle& instance();  // process-wide, never destroyed

    // A receiver from the running poller, or from a new generation reading what `options`
    // name (source.hpp; throws if that cannot be opened). `claim_device` also claims the single
    // InputDevice slot (throws if taken).
    Receiver subscribe(const DeviceOptions& options, bool claim_device);
    void release_device();

    DeviceStatus status();
    // Replaces the pollers' test hooks (see hooks.hpp); the running poller sees them at its
    // next hook point. Thread: any.
    void set_hooks(PollerHooks hooks) { hooks_.set(std::move(hooks)); }

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
    Capabilities query_capabilities(int fd, std::chrono::milliseconds timeout) { return replies_.query(fd, timeout); }

    bool decide_exit(bool forced) override;
    void take_replies(std::vector<Event>& batch) override { replies_.take_replies(batch); }
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
    SourceIdentity source_;  // what the running generation reads
    KeyMapCache keymaps_;    // the last generation's key table, reused while `term` is the same
    // The process that started the latest generation: a child forked after it has the state
    // but not the thread, and must not wait for it at exit.
    std::atomic<int> spawn_pid_{0};

    // Not under mutex_: each has its own synchronisation.
    ReplyCapture replies_;
    HookSlot hooks_;
};

}  // namespace vtinput::detail
