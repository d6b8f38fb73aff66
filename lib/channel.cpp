// Broadcast channel: one ring of events, a cursor per receiver, one mutex.
//
// Invariants (all under ChannelState::mutex):
// - Events with sequence numbers [tail, head) are in the ring, at ring[seq & mask].
// - A receiver's cursor is the sequence number of the next event it will take; a cursor
//   below `tail` means it lost `tail - cursor` events, reported as LaggedEvent on its next
//   receive.
// - A receiver's eventfd holds a non-zero count exactly while it has something to take
//   (an event, a lag report, or the end of the stream), because both the sender's write and
//   the receiver's clearing read happen under the mutex.
// Sending costs O(1) per event plus one wake-up per waiting receiver per batch.
#include "vtinput/channel.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <condition_variable>
#include <mutex>

#include <sys/eventfd.h>
#include <unistd.h>

namespace vtinput {
namespace detail {

struct ReceiverState {
    std::uint64_t cursor = 0;
    int efd = -1;
    bool signalled = false;  // efd currently readable
};

namespace {

// Heap bytes an event keeps alive (what max_bytes bounds).
std::size_t payload_bytes(const Event& e)
{
    if (const auto* p = std::get_if<PasteEvent>(&e)) {
        return p->text.size();
    }
    if (const auto* u = std::get_if<UnknownEvent>(&e)) {
        return u->bytes.size();
    }
    if (const auto* r = std::get_if<ReportEvent>(&e)) {
        return r->text.size() + r->params.size() * sizeof(int);
    }
    if (const auto* k = std::get_if<KeyEvent>(&e)) {
        return k->text.capacity() > 15 ? k->text.size() : 0;
    }
    if (const auto* x = std::get_if<ErrorEvent>(&e)) {
        return x->message.size();
    }
    return 0;
}

void signal_fd(ReceiverState& r)
{
    if (r.efd >= 0 && !r.signalled) {
        std::uint64_t one = 1;
        // Cannot block (EFD_NONBLOCK) and cannot overflow (at most one pending write).
        ssize_t n = ::write(r.efd, &one, sizeof one);
        (void)n;
        r.signalled = true;
    }
}

void clear_fd(ReceiverState& r)
{
    if (r.efd >= 0 && r.signalled) {
        std::uint64_t count = 0;
        ssize_t n = ::read(r.efd, &count, sizeof count);
        (void)n;
        r.signalled = false;
    }
}

}  // namespace

struct ChannelState {
    explicit ChannelState(ChannelOptions o)
        : options(o),
          ring(std::bit_ceil(std::max<std::size_t>(o.capacity, 2))),
          mask(ring.size() - 1)
    {
        options.capacity = ring.size();
    }

    ChannelOptions options;
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::vector<Event> ring;
    std::size_t mask;
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    std::size_t bytes = 0;
    // Where the next receiver starts when there are none: the oldest event no receiver took.
    std::uint64_t orphan = 0;
    std::size_t receivers = 0;
    std::vector<ReceiverState*> fd_receivers;
    int waiters = 0;
    bool closed = false;
    std::function<void(std::size_t)> drop_hook;

    void evict_oldest()
    {
        Event& slot = ring[tail & mask];
        bytes -= payload_bytes(slot);
        slot = EofEvent{};  // release the payload now, not when the slot is reused
        ++tail;
    }

    void push(Event&& e)
    {
        if (head - tail == ring.size()) {
            evict_oldest();
        }
        bytes += payload_bytes(e);
        ring[head & mask] = std::move(e);
        ++head;
        while (bytes > options.max_bytes && head - tail > 1) {
            evict_oldest();
        }
    }

    bool has_pending(const ReceiverState& r) const { return r.cursor != head || closed; }

    // After a batch or close: wake every receiver that has something to take.
    void wake_locked()
    {
        for (ReceiverState* r : fd_receivers) {
            signal_fd(*r);
        }
    }

    std::optional<Event> take_locked(ReceiverState& r)
    {
        std::optional<Event> out;
        if (r.cursor < tail) {
            out = LaggedEvent{tail - r.cursor};
            r.cursor = tail;
        } else if (r.cursor != head) {
            out = ring[r.cursor & mask];
            ++r.cursor;
        }
        if (!has_pending(r)) {
            clear_fd(r);
        }
        return out;
    }
};

}  // namespace detail

using detail::ChannelState;
using detail::ReceiverState;

// ---- Receiver ---------------------------------------------------------------------------

Receiver::Receiver(std::shared_ptr<ChannelState> channel, std::unique_ptr<ReceiverState> state)
    : channel_(std::move(channel)), state_(std::move(state))
{
}

Receiver::Receiver() = default;
Receiver::Receiver(Receiver&&) noexcept = default;

Receiver& Receiver::operator=(Receiver&& other) noexcept
{
    if (this != &other) {
        Receiver dropped(std::move(*this));
        channel_ = std::move(other.channel_);
        state_ = std::move(other.state_);
    }
    return *this;
}

Receiver::~Receiver()
{
    if (!state_) {
        return;
    }
    std::function<void(std::size_t)> hook;
    std::size_t remaining = 0;
    {
        std::lock_guard lock(channel_->mutex);
        auto& list = channel_->fd_receivers;
        list.erase(std::remove(list.begin(), list.end(), state_.get()), list.end());
        remaining = --channel_->receivers;
        if (remaining == 0) {
            channel_->orphan = state_->cursor;
        }
        hook = channel_->drop_hook;
    }
    if (state_->efd >= 0) {
        ::close(state_->efd);
    }
    state_.reset();
    if (hook) {
        hook(remaining);
    }
}

std::optional<Event> Receiver::try_receive()
{
    if (!state_) {
        return std::nullopt;
    }
    std::lock_guard lock(channel_->mutex);
    return channel_->take_locked(*state_);
}

std::optional<Event> Receiver::receive()
{
    return receive_until(std::chrono::steady_clock::time_point::max());
}

std::optional<Event> Receiver::receive_until(std::chrono::steady_clock::time_point deadline)
{
    if (!state_) {
        return std::nullopt;
    }
    std::unique_lock lock(channel_->mutex);
    for (;;) {
        if (auto e = channel_->take_locked(*state_)) {
            return e;
        }
        if (channel_->closed) {
            return std::nullopt;
        }
        ++channel_->waiters;
        bool timed_out = false;
        if (deadline == std::chrono::steady_clock::time_point::max()) {
            channel_->cv.wait(lock);
        } else {
            timed_out = channel_->cv.wait_until(lock, deadline) == std::cv_status::timeout;
        }
        --channel_->waiters;
        if (timed_out) {
            return channel_->take_locked(*state_);
        }
    }
}

std::size_t Receiver::try_receive_all(std::vector<Event>& out)
{
    if (!state_) {
        return 0;
    }
    std::lock_guard lock(channel_->mutex);
    std::size_t n = 0;
    while (auto e = channel_->take_locked(*state_)) {
        out.push_back(std::move(*e));
        ++n;
    }
    return n;
}

int Receiver::fd()
{
    if (!state_) {
        errno = ENOTCONN;
        return -1;
    }
    std::lock_guard lock(channel_->mutex);
    if (state_->efd < 0) {
        int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0) {
            return -1;
        }
        state_->efd = efd;
        channel_->fd_receivers.push_back(state_.get());
        if (channel_->has_pending(*state_)) {
            detail::signal_fd(*state_);
        }
    }
    return state_->efd;
}

std::size_t Receiver::pending() const
{
    if (!state_) {
        return 0;
    }
    std::lock_guard lock(channel_->mutex);
    return static_cast<std::size_t>(channel_->head - std::max(state_->cursor, channel_->tail));
}

bool Receiver::closed() const
{
    if (!state_) {
        return true;
    }
    std::lock_guard lock(channel_->mutex);
    return channel_->closed && state_->cursor == channel_->head;
}

// ---- Sender -----------------------------------------------------------------------------

Sender::Sender(ChannelOptions options) : channel_(std::make_shared<ChannelState>(options)) {}

Sender::Sender(Sender&&) noexcept = default;

Sender& Sender::operator=(Sender&& other) noexcept
{
    if (this != &other) {
        close();
        channel_ = std::move(other.channel_);
    }
    return *this;
}

Sender::~Sender() { close(); }

void Sender::send(Event event)
{
    {
        std::lock_guard lock(channel_->mutex);
        if (channel_->closed) {
            return;
        }
        channel_->push(std::move(event));
        channel_->wake_locked();
        if (channel_->waiters == 0) {
            return;
        }
    }
    channel_->cv.notify_all();
}

void Sender::send_batch(std::vector<Event>& batch)
{
    if (batch.empty()) {
        return;
    }
    bool notify = false;
    {
        std::lock_guard lock(channel_->mutex);
        if (!channel_->closed) {
            for (Event& e : batch) {
                channel_->push(std::move(e));
            }
            channel_->wake_locked();
            notify = channel_->waiters > 0;
        }
    }
    batch.clear();
    if (notify) {
        channel_->cv.notify_all();
    }
}

Receiver Sender::subscribe()
{
    auto state = std::make_unique<ReceiverState>();
    {
        std::lock_guard lock(channel_->mutex);
        state->cursor = channel_->receivers == 0 ? channel_->orphan : channel_->head;
        ++channel_->receivers;
    }
    return Receiver(channel_, std::move(state));
}

std::size_t Sender::receiver_count() const
{
    std::lock_guard lock(channel_->mutex);
    return channel_->receivers;
}

void Sender::on_receiver_dropped(std::function<void(std::size_t)> hook)
{
    std::lock_guard lock(channel_->mutex);
    channel_->drop_hook = std::move(hook);
}

void Sender::close()
{
    if (!channel_) {
        return;
    }
    {
        std::lock_guard lock(channel_->mutex);
        if (channel_->closed) {
            return;
        }
        channel_->closed = true;
        channel_->wake_locked();
    }
    channel_->cv.notify_all();
}

const ChannelOptions& Sender::options() const { return channel_->options; }

}  // namespace vtinput
