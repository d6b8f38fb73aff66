// The lifecycle: generations of the poller thread, the device slot, the released terminal, and
// the one lock.
//
// Rules that keep the reuse race closed (see lifecycle.hpp for the state machine):
// - The poller's exit decision (doorbell, input_ended) and a subscriber's reuse decision
//   (subscribe) both happen under mutex_; the doorbell is rung only under mutex_ and only while
//   the state is `running`, so once a poller has decided to exit nobody touches its handles
//   again.
// - A Receiver is never destroyed while mutex_ is held: its drop hook takes mutex_. subscribe()
//   declares its receiver before its lock, so that on a failure the lock goes first.
// - A new generation starts with the carry (bytes the last one read but had not decoded) and
//   the channel keeps the events nobody took, so nothing read is lost across generations.
// - suspend() returns only once the running generation has answered its doorbell with "paused"
//   (or stopped), under mutex_: from then on that thread reads nothing until resume().
// The singleton is never destroyed, so a poller still running at exit() never races with a
// static destructor.
#include "device/lifecycle.hpp"

#include <cstdlib>
#include <mutex>
#include <system_error>
#include <utility>

#include <pthread.h>
#include <unistd.h>

#include "channel/access.hpp"
#include "support/error.hpp"

namespace vtinput::detail {

Lifecycle& Lifecycle::instance()
{
    static Lifecycle* instance = new Lifecycle();  // intentionally never destroyed
    return *instance;
}

Receiver Lifecycle::subscribe(const DeviceOptions& options, bool claim_device, KeypadTransmit* keypad)
{
    Receiver r;  // before the lock: unwinding releases the lock first (see the rules above)
    std::unique_lock lock(mutex_);
    after_fork_locked();
    if (unusable_) {
        throw_error(std::errc::operation_not_supported,
                    "this process was forked while the input device was in use, and its thread does not exist "
                    "here; use the device before fork() or after exec(), or drop every device and receiver "
                    "before fork()");
    }
    auto claim = [&] {
        if (claim_device && device_open_) {
            throw_error(std::errc::device_or_resource_busy, "an InputDevice is already open in this process");
        }
    };
    claim();
    SourceIdentity identity = source_identity(options);
    for (;;) {
        // A generation that has decided to exit is past reuse: wait for it to finish.
        changed_.wait(lock, [&] { return state_ != State::exiting; });
        if (state_ != State::running || identity == source_) {
            break;
        }
        if (sender_->receiver_count() != 0) {
            throw_error(std::errc::device_or_resource_busy, "the running input poller reads another input");
        }
        // Its last receiver has gone (a close right before this open) and rang the doorbell:
        // it is about to exit. Wait for that, unless someone subscribes to it meanwhile.
        changed_.wait(lock, [&] { return state_ != State::running || sender_->receiver_count() != 0; });
    }
    claim();
    if (state_ == State::running) {
        if (keypad != nullptr) {
            *keypad = keymaps_.keypad_transmit();  // the running generation's table is the cache's last
        }
        r = sender_->subscribe();  // fast path
        device_open_ = device_open_ || claim_device;
        changed_.notify_all();  // for a subscriber of another input waiting for this one to end
        return r;
    }
    if (state_ == State::exited) {
        reap_locked(lock);
    }
    // Slow path: a new generation.
    register_process_handlers();
    std::shared_ptr<const KeyMap> keymap = keymaps_.get(options.term);
    if (keypad != nullptr) {
        *keypad = keymaps_.keypad_transmit();
    }
    InputFd input = open_input(options);
    PollerConfig config{std::move(input.fd),         options.decoder, std::move(keymap), input.restore_flags,
                        options.raw_bytes,
                        /*start_paused=*/suspended_, &hooks_};
    if (!sender_) {
        auto sender = std::make_unique<Sender>(options.channel);
        sender->on_receiver_dropped(
            [this, s = sender.get()](std::size_t remaining) { on_receiver_dropped(s, remaining); });
        sender_ = std::move(sender);
    }
    // Subscribe before the thread starts, so that it never sees a generation without
    // receivers and pauses for good.
    r = sender_->subscribe();
    auto poller = std::make_unique<Poller>(*this, std::move(config), carry_, generation_ + 1);
    poller->start();  // the fd closes with `poller` if this throws
    carry_.clear();
    ++generation_;
    spawn_pid_.store(::getpid());
    poller_ = std::move(poller);
    state_ = State::running;
    source_ = identity;
    paused_ = suspended_;  // a paused start reads nothing: suspend's answer is given already
    device_open_ = device_open_ || claim_device;
    return r;
}

void Lifecycle::register_process_handlers()
{
    // The atexit handler stops and joins the thread: a poller left running (or still exiting
    // after the last drop) would otherwise race with libuv's exit-time teardown of its signal
    // machinery. Only in the process that started it: a fork() child has no such thread.
    // The atfork handlers: see lifecycle.hpp.
    static std::once_flag once;
    std::call_once(once, [] {
        auto prepare = [] {
            Lifecycle& l = Lifecycle::instance();
            std::unique_lock lock(l.mutex_);
            // A generation whose last receiver has gone is about to exit: let it, and join
            // it, so that a child forked right after the last close starts clean.
            l.changed_.wait(lock, [&] {
                return l.state_ != State::exiting && !(l.state_ == State::running && l.sender_->receiver_count() == 0);
            });
            if (l.state_ == State::exited) {
                l.reap_locked(lock);
            }
            lock.release();  // held across fork(); the parent and child handlers unlock
        };
        auto parent = [] { Lifecycle::instance().mutex_.unlock(); };
        auto child = [] {
            Lifecycle& l = Lifecycle::instance();
            l.forked_ = true;
            l.mutex_.unlock();
        };
        if (int err = ::pthread_atfork(prepare, parent, child)) {
            throw_errno(err, "cannot register the fork() handlers");
        }
        std::atexit([] {
            Lifecycle& l = Lifecycle::instance();
            if (l.spawn_pid_.load() == ::getpid()) {
                l.shutdown();
            }
        });
    });
}

void Lifecycle::after_fork_locked()
{
    if (!forked_) {
        return;
    }
    forked_ = false;
    // The prepare handler let an exiting generation finish and joined it, so a generation is
    // here only if it was running: its receivers were alive, its thread is not here, and this
    // child may not start threads of its own.
    unusable_ = unusable_ || state_ == State::running || state_ == State::exiting;
    Inherited inherited{std::move(poller_), std::move(sender_), Receiver(), nullptr};
    keep_locked(inherited);
    state_ = State::none;
    carry_.clear();  // the parent's bytes: its next generation decodes them
    device_open_ = forced_stop_ = input_ended_ = false;
    suspended_ = paused_ = size_due_ = false;
}

void Lifecycle::keep_inherited(Receiver receiver, std::unique_ptr<TerminalGuard> guard) noexcept
{
    Inherited inherited{nullptr, nullptr, std::move(receiver), std::move(guard)};
    std::lock_guard lock(mutex_);
    after_fork_locked();
    keep_locked(inherited);
    // `inherited` is destroyed after the lock: what it still holds is a receiver that could not be
    // kept, whose drop hook takes the lock.
}

void Lifecycle::keep_locked(Inherited& inherited) noexcept
{
    if (!inherited.poller && !inherited.sender && !inherited.receiver.subscribed() && !inherited.guard) {
        return;
    }
    try {
        inherited_.push_back(std::move(inherited));
    } catch (...) {
        // No memory to keep them: leak them rather than run their destructors (which would
        // join a thread that does not exist here, or restore the parent's terminal). The
        // receiver is left to the caller: it touches only its channel's registry lock.
        (void)inherited.poller.release();
        (void)inherited.sender.release();
        (void)inherited.guard.release();
    }
}

void Lifecycle::release_device()
{
    std::lock_guard lock(mutex_);
    after_fork_locked();
    device_open_ = false;
}

void Lifecycle::on_receiver_dropped(const Sender* sender, std::size_t remaining)
{
    std::lock_guard lock(mutex_);
    after_fork_locked();
    // Ring even if a subscriber has arrived since: the poller may have paused reading while
    // the count was zero, and the doorbell is what makes it look again.
    if (state_ == State::running && remaining == 0 && sender == sender_.get()) {
        poller_->wake();
    }
}

std::shared_ptr<InlineEntry> Lifecycle::add_inline(Receiver receiver,
                                                   std::function<void(std::span<const Event>)> handler)
{
    auto entry = inline_.add(std::move(receiver), std::move(handler));
    std::lock_guard lock(mutex_);
    if (state_ == State::running) {
        poller_->wake();
    }
    return entry;
}

bool Lifecycle::owns(const Receiver& receiver)
{
    std::lock_guard lock(mutex_);
    return sender_ && SenderAccess::owns(*sender_, receiver);
}

void Lifecycle::refuse_on_input_thread(const char* what) const
{
    if (on_input_thread()) {
        throw_error(std::errc::resource_deadlock_would_occur,
                    std::string(what) + ": called from an inline handler, it would wait for the input thread itself");
    }
}

void Lifecycle::suspend()
{
    refuse_on_input_thread("suspend");
    std::unique_lock lock(mutex_);
    after_fork_locked();
    suspended_ = true;
    if (state_ == State::running && !paused_) {
        poller_->wake();
    }
    changed_.wait(lock, [&] { return state_ != State::running || paused_; });
}

void Lifecycle::set_esc_timeout(std::chrono::milliseconds timeout)
{
    std::lock_guard lock(mutex_);
    if (state_ == State::running) {
        poller_->set_esc_timeout(timeout);
    }
}

void Lifecycle::resume(bool announce_size)
{
    std::lock_guard lock(mutex_);
    after_fork_locked();
    if (!suspended_) {
        return;
    }
    suspended_ = false;
    if (state_ == State::running) {
        size_due_ = size_due_ || announce_size;
        poller_->wake();
    }
}

DoorbellAnswer Lifecycle::doorbell()
{
    std::lock_guard lock(mutex_);
    if (state_ != State::running) {
        return {DoorbellAnswer::Next::exit};
    }
    if (forced_stop_ || sender_->receiver_count() == 0) {
        state_ = State::exiting;
        return {DoorbellAnswer::Next::exit};
    }
    if (suspended_) {
        return {DoorbellAnswer::Next::pause};
    }
    paused_ = false;
    return {DoorbellAnswer::Next::read, std::exchange(size_due_, false)};
}

void Lifecycle::input_ended()
{
    std::lock_guard lock(mutex_);
    if (state_ == State::running) {
        state_ = State::exiting;
        input_ended_ = true;
    }
}

void Lifecycle::paused()
{
    {
        std::lock_guard lock(mutex_);
        // Still asked for: a resume (and a new suspend) since the doorbell are answered by the
        // doorbell rung with them, which the poller has not seen yet.
        if (state_ == State::running && suspended_) {
            paused_ = true;
        }
    }
    changed_.notify_all();
}

void Lifecycle::exited(std::string carry, bool loop_closed_cleanly)
{
    std::unique_ptr<Sender> ended;
    {
        std::lock_guard lock(mutex_);
        carry_ = std::move(carry);
        if (!loop_closed_cleanly) {
            ++unclean_loops_;
        }
        if (input_ended_) {
            // The input ended (EofEvent or ErrorEvent was the last event): its receivers drain
            // and then see the end of the stream. A later subscriber gets a new channel.
            ended = std::move(sender_);
            input_ended_ = false;
        }
        state_ = State::exited;
        paused_ = size_due_ = false;
    }
    changed_.notify_all();
    if (ended) {
        ended->close();  // outside the lock: closing wakes receivers
    }
}

void Lifecycle::reap_locked(std::unique_lock<std::mutex>&)
{
    // The thread has called exited() and is returning; it no longer needs the lock.
    poller_->join();
    poller_.reset();
    state_ = State::none;
}

DeviceStatus Lifecycle::status()
{
    std::lock_guard lock(mutex_);
    after_fork_locked();
    DeviceStatus s;
    s.running = state_ == State::running;
    s.generation = generation_;
    s.receivers = sender_ ? sender_->receiver_count() : 0;  // receivers of an ended stream not counted
    s.device_open = device_open_;
    s.suspended = suspended_;
    s.unclean_loops = unclean_loops_;
    s.terminfo_diagnostic = keymaps_.diagnostic();
    return s;
}

bool Lifecycle::wait_idle(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    after_fork_locked();
    if (!changed_.wait_for(lock, timeout, [&] { return state_ != State::running && state_ != State::exiting; })) {
        return false;
    }
    if (state_ == State::exited) {
        reap_locked(lock);
    }
    return true;
}

void Lifecycle::shutdown()
{
    std::unique_lock lock(mutex_);
    after_fork_locked();
    if (state_ == State::running) {
        forced_stop_ = true;
        poller_->wake();
    }
    changed_.wait(lock, [&] { return state_ != State::exiting && state_ != State::running; });
    if (state_ == State::exited) {
        reap_locked(lock);
    }
    forced_stop_ = false;
}

}  // namespace vtinput::detail
