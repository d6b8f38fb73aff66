// The lifecycle: the one lock that orders "the poller decides to exit" against "a subscriber
// reuses the running poller", and "the poller stops reading" against "the terminal is released"
// (internal).
//
// State machine of the current generation, changed only under Lifecycle::mutex_:
//   none --spawn--> running --doorbell: no receiver, or input_ended--> exiting --exited--> exited
//   exited --spawn--> running ...                    (a subscriber joins the exited thread first)
// A subscriber that finds `running` attaches to it (fast path); one that finds `exiting`
// waits for `exited`, joins that thread and spawns the next generation (slow path). Because
// the poller's exit decision is taken under the same lock, and the doorbell is only rung
// under it while `running`, a subscriber can never attach to a poller that is about to exit.
// A subscriber for another input than the running generation's waits, like one that finds
// `exiting`, if that generation has no receiver left (it is about to exit); else it is refused.
//
// Released terminal, beside the state machine: `suspended_` (suspend() was called, resume() not
// yet) and `paused_` (the running generation has stopped reading and delivered what it read).
// suspend() sets the first, rings, and waits for the second or for the generation to stop
// being `running` (an exiting generation reads nothing more); resume() clears the first and
// rings, and the poller answers with a ResizeEvent. A generation spawned while suspended starts
// paused. Neither flag changes who is subscribed.
//
// fork(): a child inherits this state but no thread. A pthread_atfork prepare handler takes
// mutex_ (so the child's copy is consistent) after letting a generation whose last receiver
// has gone finish exiting and joining it; in the child, the first call under the lock forgets
// what was inherited. If a generation was running at the fork (a device or receiver was alive
// in the parent), the child cannot use the device at all: subscribe() throws
// operation_not_supported (starting threads in a child of a threaded process is not allowed
// before exec). Otherwise the child starts generations of its own. The parent's poller, channel
// and, through keep_inherited(), an InputDevice's receiver and guard are kept, never touched
// or destroyed: their threads and locks belong to the parent.
//
// The lifecycle owns, besides the state machine: the channel's Sender, the key-map cache (used
// under mutex_), the capture of capability replies (its own locks, never held with mutex_) and
// the test hooks' slot. What to read comes from source.hpp.
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
#include <string_view>
#include <vector>

#include "device/hooks.hpp"
#include "device/inline_handlers.hpp"
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
    // InputDevice slot (throws if taken). `keypad`, if given, receives the keypad-transmit
    // bytes that go with the key table the generation decodes with (KeyMapCache), taken under
    // the same lock. Throws std::system_error (or std::bad_alloc) with nothing left behind: no
    // fd, handle, thread or receiver.
    Receiver subscribe(const DeviceOptions& options, bool claim_device, KeypadTransmit* keypad = nullptr);
    void release_device();

    // Stops the reading: returns once the running generation (if any) has stopped reading and
    // delivered what it had read, or has stopped. Later generations start paused. Idempotent.
    // Thread: any but the poller's.
    void suspend();
    // Reading resumes; with `announce_size`, the running generation first sends a ResizeEvent
    // with the terminal's size. Idempotent.
    void resume(bool announce_size);
    // The running generation's decoder takes this ESC timeout from its next read on (later
    // generations get it from the DeviceOptions they are started with).
    void set_esc_timeout(std::chrono::milliseconds timeout);

    // An InputDevice's receiver and guard in a process forked from the one that opened it:
    // kept, never destroyed (see the fork paragraph above). Thread: any.
    void keep_inherited(Receiver receiver, std::unique_ptr<TerminalGuard> guard) noexcept;

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

    // The capability probe and general queries (reply_capture.hpp): the requests are written
    // to terminal `fd`, the replies taken out of the event stream (take_replies). Any number
    // at once, from any threads.
    Capabilities query_capabilities(int fd, std::string_view term, std::chrono::milliseconds timeout)
    {
        refuse_on_input_thread("query_capabilities");
        return replies_.probe(fd, term, timeout);
    }
    std::optional<Event> query(int fd, const std::string& request, std::function<bool(const Event&)> is_reply,
                               bool sentinel, std::chrono::milliseconds timeout)
    {
        refuse_on_input_thread("query");
        return replies_.query(fd, request, std::move(is_reply), sentinel, timeout);
    }

    DoorbellAnswer doorbell() override;
    void input_ended() override;
    void paused() override;
    void take_replies(std::vector<Event>& batch) override { replies_.take_replies(batch); }
    void dispatch_inline() noexcept override { inline_.dispatch(*sender_); }

    // InputDevice::subscribe_inline: `receiver` drained into `handler` on the poller thread
    // after each publish (inline_handlers.hpp); the poller is rung so that what is already
    // pending reaches the handler now. Throws std::bad_alloc, or resource_deadlock_would_occur
    // from inside a handler.
    std::shared_ptr<InlineEntry> add_inline(Receiver receiver, std::function<void(std::span<const Event>)> handler);
    void remove_inline(const std::shared_ptr<InlineEntry>& entry) noexcept { inline_.remove(entry); }
    // `receiver` is subscribed to the channel the pollers publish on.
    bool owns(const Receiver& receiver);
    // The calling thread is the poller's, running inline handlers: it must not wait for the
    // poller (a query, a suspend).
    bool on_input_thread() const noexcept { return inline_.on_handler_thread(); }
    // Throws resource_deadlock_would_occur, naming `what`, on the input thread.
    void refuse_on_input_thread(const char* what) const;
    void exited(std::string carry, bool loop_closed_cleanly) override;
    Sender& sender() override { return *sender_; }

private:
    Lifecycle() = default;
    enum class State { none, running, exiting, exited };

    // Once per process, with the first generation: the atexit and pthread_atfork handlers.
    void register_process_handlers();
    void on_receiver_dropped(const Sender* sender, std::size_t remaining);
    void reap_locked(std::unique_lock<std::mutex>& lock);
    // In a fork() child, on the first call under the lock: forgets the parent's generation.
    void after_fork_locked();

    std::mutex mutex_;
    std::condition_variable changed_;
    State state_ = State::none;
    std::unique_ptr<Poller> poller_;
    std::unique_ptr<Sender> sender_;
    InlineHandlers inline_;
    std::string carry_;
    std::uint64_t generation_ = 0;
    bool device_open_ = false;
    bool forced_stop_ = false;
    bool input_ended_ = false;  // the running generation stopped on EOF, an I/O error or an exception
    bool suspended_ = false;    // the terminal is released: nothing may be read
    bool paused_ = false;       // the running generation has stopped reading (suspend's answer)
    bool size_due_ = false;     // resume asked the running generation for a ResizeEvent
    bool forked_ = false;       // set in a fork() child (pthread_atfork); after_fork_locked clears it
    bool unusable_ = false;     // a fork() child of a process whose generation was running
    std::uint64_t unclean_loops_ = 0;
    SourceIdentity source_;  // what the running generation reads
    KeyMapCache keymaps_;    // the last generation's key table, reused while `term` is the same
    // The process that started the latest generation: a child forked after it has the state
    // but not the thread, and must not wait for it at exit.
    std::atomic<int> spawn_pid_{0};

    // What a fork() child inherited and must never touch (see the fork paragraph above).
    struct Inherited {
        std::unique_ptr<Poller> poller;
        std::unique_ptr<Sender> sender;
        Receiver receiver;
        std::unique_ptr<TerminalGuard> guard;
    };
    // Moves `inherited` into inherited_; if that fails, leaks all but its receiver, which the
    // caller drops after releasing the lock.
    void keep_locked(Inherited& inherited) noexcept;
    std::vector<Inherited> inherited_;

    // Not under mutex_: each has its own synchronisation.
    ReplyCapture replies_;
    HookSlot hooks_;
};

}  // namespace vtinput::detail
