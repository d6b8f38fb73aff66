/// @file
/// Broadcast channel: one sender, any number of receivers, every receiver sees every event
/// (resizes collapse: see below).
///
/// Events live once, in one shared ring; each receiver has its own cursor into it, so sending
/// costs the same whatever the number of receivers, and a slow receiver never blocks the sender
/// or anyone else. A receiver that falls behind by more than the ring holds loses the oldest
/// events for itself only, and its next receive returns LaggedEvent{missed} first: loss is
/// always reported, never silent. A waiting receiver is woken at most once per batch sent, and
/// the sender pays for one wake-up per batch however many receivers wait.
///
/// Resizes collapse: a ResizeEvent takes no place in the ring. The resizes a receiver has not
/// yet received arrive as one, with the latest size, where the last of them was sent: after
/// every event sent before it, before every event sent after it (superseded sizes are dropped,
/// never moved earlier). So a burst of resizes (a window being dragged) cannot push keys out of
/// the ring, LaggedEvent never counts a resize, and the latest size is never lost: a receiver
/// that lagged past it gets it right after the LaggedEvent.
///
/// Hand-over: events sent while there are no receivers (or not yet taken by the last receiver
/// when it dropped) are kept, within the ring's limits, for the next receiver that subscribes
/// while there are none. This is what lets an input device be closed and re-opened without
/// losing a keystroke.
///
/// Thread-safety: Sender and Receiver are each owned by one thread at a time; any number of
/// them may be used concurrently on different threads.
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "vtinput/event.hpp"

namespace vtinput {

namespace detail {
struct ChannelState;
struct ReceiverState;
struct SenderAccess;
}  // namespace detail

/// How Receiver::set_spin spends its budget.
enum class SpinPolicy : std::uint8_t {
    /// Looks only when events have been coming closer together than what it can afford, and
    /// spends at most 5% of the receiving thread's time looking, however events arrive.
    adaptive,
    /// Looks for the whole budget before every sleep: the lowest latency while events keep
    /// coming, at up to a core's worth of CPU.
    always,
};

/// The size of a channel's ring: how far a receiver may fall behind before it loses events.
struct ChannelOptions {
    /// Events the ring holds (rounded up to a power of two, at least 2); resizes take no place.
    /// Each costs 32 bytes of ring (128 KiB at the default), plus 24 bytes of payload table
    /// once the first paste, report or long key text is sent.
    std::size_t capacity = 4096;
    /// Payload bytes (paste text, unknown bytes, report text) the ring may hold; beyond it the
    /// oldest events are dropped as if the ring were full, so memory stays bounded.
    std::size_t max_bytes = std::size_t{64} << 20;
};

/// One subscriber's end of a channel: a move-only handle whose destructor unsubscribes.
class Receiver {
public:
    Receiver();  ///< not subscribed: every receive says "closed"
    ///@{
    /// Moves the subscription (assigning first unsubscribes this receiver); the moved-from
    /// receiver is not subscribed.
    Receiver(Receiver&&) noexcept;
    Receiver& operator=(Receiver&&) noexcept;
    ///@}
    Receiver(const Receiver&) = delete;
    Receiver& operator=(const Receiver&) = delete;
    ~Receiver();  ///< unsubscribes

    /// The next event, or LaggedEvent{n} if n events were lost to this receiver since its last
    /// receive (never counting resizes, which collapse instead). Non-blocking: nullopt when
    /// nothing is pending (or the channel is closed and drained; see closed()).
    std::optional<Event> try_receive();
    /// Blocks until an event arrives; nullopt once the sender has closed and every event was
    /// received.
    std::optional<Event> receive();
    /// As receive(), giving up at `deadline` (nullopt on timeout too).
    std::optional<Event> receive_until(std::chrono::steady_clock::time_point deadline);
    /// As receive_until(now + `timeout`).
    template <class Rep, class Period>
    std::optional<Event> receive_for(std::chrono::duration<Rep, Period> timeout)
    {
        return receive_until(std::chrono::steady_clock::now() +
                             std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout));
    }

    /// Takes what is pending into `out` (appending), at most capacity + 1 events per call;
    /// returns how many were added. Non-blocking.
    std::size_t try_receive_all(std::vector<Event>& out);

    /// A file descriptor that is readable whenever this receiver has events pending or the
    /// channel is closed, for poll/epoll/kqueue/select or another event loop (an eventfd on
    /// Linux, the read end of a pipe on the portable backend: README "Platforms"); a wake-up is
    /// never lost. Like any readiness signal it can be spurious: a send racing with a receive
    /// that already took its events may leave it readable with nothing pending (the next
    /// receive call clears it), so after poll() use try_receive / try_receive_all, not a
    /// blocking receive. Only read it through this Receiver's receive calls. Owned by the
    /// receiver (closed when it unsubscribes); the one a blocking receive sleeps on, created by
    /// the first call or the first sleep, the same fd after.
    /// Throws std::system_error: std::errc::not_connected when the receiver is not subscribed,
    /// or the system's errno when it refuses a descriptor (EMFILE, ENFILE). Thread: any.
    int fd();

    /// Events pending for this receiver (lost ones not counted; pending resizes count as one).
    std::size_t pending() const;
    /// The sender has closed and this receiver has received everything.
    bool closed() const;
    /// Subscribed to a channel (false when default-constructed or moved from).
    bool subscribed() const { return state_ != nullptr; }

    /// Latency mode, off by default: before sleeping, receive / receive_until keep looking for
    /// up to `budget`, yielding the CPU between looks, so that an event arriving within it is
    /// taken without a wake-up (and, on a VM, without waking a halted vCPU). With
    /// SpinPolicy::adaptive (the default) it looks only while events come in bursts closer than
    /// what a bank filled at 5% of the time that passes can pay for, so it can be left on: at
    /// most 5% of a core spent looking, idle or busy. SpinPolicy::always looks for the whole
    /// budget after every event, at up to a core's worth of CPU. A zero budget turns it off.
    /// Thread: the receiver's owner.
    void set_spin(std::chrono::microseconds budget, SpinPolicy policy = SpinPolicy::adaptive);

private:
    friend class Sender;
    friend struct detail::ChannelState;
    friend struct detail::SenderAccess;
    Receiver(std::shared_ptr<detail::ChannelState> channel, std::unique_ptr<detail::ReceiverState> state);

    std::shared_ptr<detail::ChannelState> channel_;
    std::unique_ptr<detail::ReceiverState> state_;
};

/// The one sending end of a channel: owns the ring and hands out receivers.
class Sender {
public:
    /// A new channel, with no receiver yet.
    explicit Sender(ChannelOptions options = {});
    ///@{
    /// Moves the channel (assigning first closes this sender's); the moved-from sender has none.
    Sender(Sender&&) noexcept;
    Sender& operator=(Sender&&) noexcept;
    ///@}
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;
    ~Sender();  ///< closes

    /// Never blocks on receivers. Thread: the owner of the Sender.
    void send(Event event);
    /// Sends every event of `batch` (moved out; the vector is cleared), waking waiting
    /// receivers once.
    void send_batch(std::vector<Event>& batch);

    /// A new receiver, seeing every event sent from now on (and the hand-over described above
    /// when it is the only receiver).
    Receiver subscribe();
    /// The number of subscribed receivers. Exact at all times.
    std::size_t receiver_count() const;

    /// Called on the dropping thread, after a receiver has unsubscribed, with the number of
    /// receivers left. Must not call back into a Receiver being destroyed. Set before sharing.
    void on_receiver_dropped(std::function<void(std::size_t remaining)> hook);

    /// No more events: receivers drain what is left, then see the end of the stream.
    void close();

    /// The options in effect, `capacity` rounded up as described there.
    const ChannelOptions& options() const;

private:
    friend struct detail::SenderAccess;
    std::shared_ptr<detail::ChannelState> channel_;
};

}  // namespace vtinput
