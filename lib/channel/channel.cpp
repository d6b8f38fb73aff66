// Broadcast channel: the public Sender and Receiver over the shared state of state.hpp (whose
// opening comment is the channel's design: the ring, lag, resizes, waking). A blocked receive
// looks (set_spin), then sleeps (sleep.cpp) and takes again; the hand-over of a dropped last
// receiver's cursor to the next subscriber is here.
#include "vtinput/channel.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>

#include "channel/access.hpp"
#include "channel/state.hpp"
#include "platform/platform.hpp"
#include "support/error.hpp"

namespace vtinput {

using detail::ChannelState;
using detail::ReceiverState;

// ---- Receiver ---------------------------------------------------------------------------

Receiver::Receiver() = default;

Receiver::Receiver(std::shared_ptr<ChannelState> channel, std::unique_ptr<ReceiverState> state)
    : channel_(std::move(channel)), state_(std::move(state))
{}

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
        std::lock_guard lock(channel_->registry_mutex);
        auto& list = channel_->fd_receivers;
        if (state_->external) {
            list.erase(std::remove(list.begin(), list.end(), state_.get()), list.end());
            channel_->fd_count.store(list.size(), std::memory_order_seq_cst);
        }
        remaining = --channel_->receivers;
        if (remaining == 0) {
            channel_->orphan = state_->cursor;
            channel_->orphan_resize_had = state_->resize_had;
        }
        hook = channel_->drop_hook;
    }
    state_.reset();  // closes the readiness fd
    if (hook) {
        hook(remaining);
    }
}

std::optional<Event> Receiver::try_receive()
{
    if (!state_) {
        return std::nullopt;
    }
    return channel_->take_and_rearm(*state_);
}

std::optional<Event> Receiver::receive() { return receive_until(std::chrono::steady_clock::time_point::max()); }

std::optional<Event> Receiver::receive_until(std::chrono::steady_clock::time_point deadline)
{
    if (!state_) {
        return std::nullopt;
    }
    ChannelState& c = *channel_;
    ReceiverState& r = *state_;
    for (;;) {
        if (auto e = c.take_and_rearm(r)) {
            if (r.spin.enabled()) {
                r.spin.received(std::chrono::steady_clock::now());
            }
            return e;
        }
        if (c.closed.load(std::memory_order_seq_cst)) {
            // Everything was sent before the close: what a take finds now is the true rest.
            return c.take_and_rearm(r);
        }
        if (r.spin.enabled() && c.look(r, deadline)) {
            continue;  // an event arrived while looking: taken with no wake-up
        }
        if (!r.efd) {
            r.efd = detail::platform::WakeFd::create();  // none (EMFILE): the condition variable
        }
        if (r.efd ? c.park(r, deadline) : c.sleep_on_condition(r, deadline)) {
            return c.take_and_rearm(r);
        }
    }
}

std::size_t Receiver::try_receive_all(std::vector<Event>& out)
{
    if (!state_) {
        return 0;
    }
    // At most a ring's worth (plus a lag report) per call: a sender that keeps up must not
    // stretch one call, and the caller's vector, without bound.
    const std::size_t limit = channel_->options.capacity + 1;
    std::size_t n = 0;
    while (n < limit) {
        out.emplace_back();
        if (!channel_->take(*state_, out.back())) {
            out.pop_back();
            break;
        }
        ++n;
    }
    channel_->rearm(*state_);
    return n;
}

void Receiver::set_spin(std::chrono::microseconds budget, SpinPolicy policy)
{
    if (state_) {
        state_->spin.set(budget, policy == SpinPolicy::always);
    }
}

int Receiver::fd()
{
    if (!state_) {
        detail::throw_errno(ENOTCONN, "Receiver::fd: the receiver is not subscribed");
    }
    if (!state_->external) {
        if (!state_->efd) {
            state_->efd = detail::platform::WakeFd::create();
            if (!state_->efd) {
                detail::throw_errno(errno, "Receiver::fd: cannot create its readiness descriptor");
            }
        }
        {
            std::lock_guard lock(channel_->registry_mutex);
            channel_->fd_receivers.push_back(state_.get());
            channel_->fd_count.store(channel_->fd_receivers.size(), std::memory_order_seq_cst);
        }
        state_->external = true;
        channel_->rearm(*state_);
    }
    return state_->efd.fd();
}

std::size_t Receiver::pending() const
{
    if (!state_) {
        return 0;
    }
    std::uint64_t h = channel_->head.load(std::memory_order_acquire);
    const std::size_t resize = channel_->resize.due(state_->resize_had, h) ? 1 : 0;  // collapsed: one at most
    return static_cast<std::size_t>(h - std::min(h, std::max(state_->cursor, channel_->lowest(h)))) + resize;
}

bool Receiver::closed() const
{
    if (!state_) {
        return true;
    }
    return channel_->closed.load(std::memory_order_seq_cst) &&
           state_->cursor == channel_->head.load(std::memory_order_seq_cst) &&
           !channel_->resize.due(state_->resize_had, state_->cursor);
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
    ChannelState& c = *channel_;
    if (c.closed.load(std::memory_order_relaxed)) {
        return;
    }
    const std::uint64_t h = c.write(c.head.load(std::memory_order_relaxed), std::move(event));
    c.enforce_budget(h);
    c.publish(h);
}

void Sender::send_batch(std::vector<Event>& batch)
{
    ChannelState& c = *channel_;
    if (batch.empty() || c.closed.load(std::memory_order_relaxed)) {
        batch.clear();
        return;
    }
    std::uint64_t h = c.head.load(std::memory_order_relaxed);
    for (Event& e : batch) {
        h = c.write(h, std::move(e));
    }
    c.enforce_budget(h);
    c.publish(h);
    batch.clear();
}

Receiver Sender::subscribe()
{
    auto state = std::make_unique<ReceiverState>();
    {
        std::lock_guard lock(channel_->registry_mutex);
        const bool first = channel_->receivers == 0;
        state->cursor = first ? channel_->orphan : channel_->head.load(std::memory_order_seq_cst);
        state->resize_had = first ? channel_->orphan_resize_had : channel_->resize.had_at(state->cursor);
        channel_->lot.reserve(channel_->receivers + 1);  // room to sleep: parking never allocates
        ++channel_->receivers;
    }
    return Receiver(channel_, std::move(state));
}

std::size_t Sender::receiver_count() const
{
    std::lock_guard lock(channel_->registry_mutex);
    return channel_->receivers;
}

void Sender::on_receiver_dropped(std::function<void(std::size_t)> hook)
{
    std::lock_guard lock(channel_->registry_mutex);
    channel_->drop_hook = std::move(hook);
}

void Sender::close()
{
    if (!channel_ || channel_->closed.exchange(true, std::memory_order_seq_cst)) {
        return;
    }
    channel_->wake_all();
}

const ChannelOptions& Sender::options() const { return channel_->options; }

}  // namespace vtinput

namespace vtinput::detail {

bool SenderAccess::owns(const Sender& sender, const Receiver& receiver)
{
    return receiver.state_ != nullptr && receiver.channel_ == sender.channel_;
}

}  // namespace vtinput::detail
