// The lifecycle: generations of the poller thread, the device slot, and the one lock.
//
// Rules that keep the reuse race closed (see lifecycle.hpp for the state machine):
// - The poller's exit decision (decide_exit) and a subscriber's reuse decision (subscribe)
//   both happen under mutex_; the doorbell is rung only under mutex_ and only while the state
//   is `running`, so once a poller has decided to exit nobody touches its handles again.
// - A Receiver is never destroyed while mutex_ is held: its drop hook takes mutex_.
// - A new generation starts with the carry (bytes the last one read but had not decoded) and
//   the channel keeps the events nobody took, so nothing read is lost across generations.
// The singleton is never destroyed, so a poller still running at exit() never races with a
// static destructor.
#include "device/lifecycle.hpp"

#include <cstdlib>
#include <mutex>
#include <system_error>

#include <unistd.h>

#include "support/error.hpp"

namespace vtinput::detail {

Lifecycle& Lifecycle::instance()
{
    static Lifecycle* instance = new Lifecycle();  // intentionally never destroyed
    return *instance;
}

Receiver Lifecycle::subscribe(const DeviceOptions& options, bool claim_device)
{
    std::unique_lock lock(mutex_);
    if (claim_device && device_open_) {
        throw_error(std::errc::device_or_resource_busy, "an InputDevice is already open in this process");
    }
    // A generation that has decided to exit is past reuse: wait for it to finish.
    changed_.wait(lock, [&] { return state_ != State::exiting; });
    SourceIdentity identity = source_identity(options);
    if (state_ == State::running) {
        if (identity != source_) {
            throw_error(std::errc::device_or_resource_busy, "the running input poller reads another input");
        }
        Receiver r = sender_->subscribe();  // fast path
        device_open_ = device_open_ || claim_device;
        return r;
    }
    if (state_ == State::exited) {
        reap_locked(lock);
    }
    // Slow path: a new generation. The first one also arranges for the thread to be stopped
    // and joined at exit(): a poller left running (or still exiting after the last drop)
    // would otherwise race with libuv's exit-time teardown of its signal machinery.
    static std::once_flag at_exit;
    std::call_once(at_exit, [] {
        std::atexit([] {
            Lifecycle& l = Lifecycle::instance();
            if (l.spawn_pid_.load() == ::getpid()) {
                l.shutdown();
            }
        });
    });
    std::shared_ptr<const KeyMap> keymap = keymaps_.get(options.term);
    InputFd input = open_input(options);
    PollerConfig config{std::move(input.fd), options.decoder,   std::move(keymap),
                        input.restore_flags, options.raw_bytes, &hooks_};
    if (!sender_) {
        sender_ = std::make_unique<Sender>(options.channel);
        sender_->on_receiver_dropped([this](std::size_t remaining) { on_receiver_dropped(remaining); });
    }
    // Subscribe before the thread starts, so that it never sees a generation without
    // receivers and pauses for good.
    Receiver r = sender_->subscribe();
    auto poller = std::make_unique<Poller>(*this, std::move(config), carry_, generation_ + 1);
    try {
        poller->start();  // the fd closes with `poller` if this throws
    } catch (...) {
        lock.unlock();  // `r` unsubscribes during unwinding, and its hook takes the lock
        throw;
    }
    carry_.clear();
    ++generation_;
    spawn_pid_.store(::getpid());
    poller_ = std::move(poller);
    state_ = State::running;
    source_ = identity;
    device_open_ = device_open_ || claim_device;
    return r;
}

void Lifecycle::release_device()
{
    std::lock_guard lock(mutex_);
    device_open_ = false;
}

void Lifecycle::on_receiver_dropped(std::size_t remaining)
{
    std::lock_guard lock(mutex_);
    // Ring even if a subscriber has arrived since: the poller may have paused reading while
    // the count was zero, and the doorbell is what makes it look again.
    if (state_ == State::running && remaining == 0) {
        poller_->wake();
    }
}

bool Lifecycle::decide_exit(bool forced)
{
    std::lock_guard lock(mutex_);
    if (state_ != State::running) {
        return true;
    }
    if (forced || forced_stop_ || sender_->receiver_count() == 0) {
        state_ = State::exiting;
        input_ended_ = forced;
        return true;
    }
    return false;
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
    DeviceStatus s;
    s.running = state_ == State::running;
    s.generation = generation_;
    s.receivers = sender_ ? sender_->receiver_count() : 0;  // receivers of an ended stream not counted
    s.device_open = device_open_;
    s.unclean_loops = unclean_loops_;
    s.terminfo_diagnostic = keymaps_.diagnostic();
    return s;
}

bool Lifecycle::wait_idle(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
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
