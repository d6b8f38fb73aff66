// Broadcast channel: one ring written by one sender, read by any number of receivers without
// taking the sender's lock. This file is the ring, the cursors, lag accounting and waking; how
// each event type is encoded into a record, and what it costs the byte budget, is record.hpp;
// the slot that keeps the latest resize is resize_slot.hpp.
//
// Design (a single-writer seqlock per slot):
// - Each slot holds one event as a fixed-size record of relaxed atomic words plus a sequence
//   word: 2n+2 once it holds event n, odd while being written. The sender writes a batch of
//   records, then publishes `head` once. A receiver copies a record and re-reads the sequence;
//   if it changed, the sender lapped it and the event is reported lost (LaggedEvent).
// - Events that do not fit a record (paste, unknown bytes, reports, errors, raw bytes, long key
//   text: encode_record decides, per event type) are kept as shared immutable payloads in a
//   side table under `payload_mutex`, which only those rare events touch.
// - So the sender's cost per event is a handful of stores whatever the number of receivers,
//   and receivers copy in parallel. The sender touches shared state per batch only to wake:
//   one sleeping receiver (which wakes two more: a tree), and each armed readiness fd.
// - A receiver's readiness fd (platform::WakeFd: an eventfd, or a pipe) is readable whenever it
//   has something to take (never a lost wake-up): it clears the fd when it finds nothing, then
//   arms; the sender disarms and signals after
//   publishing; a receiver that finds events after arming signals itself (seq_cst on both sides
//   closes the window). A write racing a receive that already took the events leaves it
//   spuriously readable until the next receive call.
// - Memory is bounded by the capacity and by max_bytes: past the byte budget (the payloads'
//   heap bytes, as encode_record counts them) the sender raises `floor`, releasing the oldest
//   payloads, and receivers below it see a lag.
//
// Resizes collapse (resize_slot.hpp). A window being dragged sends hundreds of resizes a second;
// as records they would push a slow receiver's keys out of the ring. So a resize takes no
// record: the sender overwrites one slot with the latest size, its number and its place (the
// ring position of the next event). A receiver keeps the number of the last resize it had and,
// before the event at its cursor, takes the slot's resize if newer and its place has come. So
// the resizes a receiver has not yet received collapse into one, with the latest size, at the
// place of the last of them. Not the first's: there, the last size would overtake the events
// sent between them, and keys and mouse reports made in one size would be read after a later
// size was announced. At the last one's place no resize comes before an event sent before it,
// only superseded sizes are dropped; a receiver behind keys and resizes sees the change late.
// - A resize storm costs no record (keys are never pushed out), the sender a few stores per
//   resize, a receiver one load of the slot's sequence per take. LaggedEvent counts exactly
//   the ring events lost; a receiver lapped past the latest resize's place takes it right
//   after the lag report (it has taken nothing sent after it): the latest size is never lost.
// - Sending a resize publishes and wakes as a batch does (head unchanged); has_pending counts a
//   due resize, through seq_cst as with `head`, so no wake-up is lost. A resize superseded by
//   one not yet due has an event before it, so when has_pending says yes take() finds something
//   (or the sender is inside a batch, whose publish wakes again): a superseded resize never
//   leaves a receiver asleep, nor its fd readable with nothing behind it.
// - A new receiver counts the latest resize as had if its place is at or before its start; the
//   hand-over keeps the last receiver's count with its cursor.
// All atomics are accessed atomically, so ThreadSanitizer sees no race by construction.
#include "vtinput/channel.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <condition_variable>
#include <mutex>

#include <sched.h>
#include <unistd.h>

#include "channel/record.hpp"
#include "channel/resize_slot.hpp"
#include "platform/platform.hpp"
#include "support/error.hpp"
#include "support/fd.hpp"

namespace vtinput {
namespace detail {

struct ReceiverState {
    std::uint64_t cursor = 0;          // next sequence number to take; touched only by the owner
    std::uint64_t resize_had = 0;      // number of the last resize delivered (or counted as had)
    platform::WakeFd efd;              // Receiver::fd, created on first use; closed with the state
    std::atomic<bool> armed{false};    // the sender must signal `efd` on the next publish
    std::chrono::nanoseconds spin{0};  // set_spin; touched only by the owner
};

namespace {

constexpr std::uint64_t k_writing = 1;  // any odd sequence word

struct Slot {
    std::atomic<std::uint64_t> seq{0};
    std::atomic<std::uint64_t> words[k_record_words]{};
};

}  // namespace

struct ChannelState {
    explicit ChannelState(ChannelOptions o)
        : options(o),
          slots(std::bit_ceil(std::max<std::size_t>(o.capacity, 2))),
          mask(slots.size() - 1),
          payloads(slots.size()),
          sizes(slots.size(), 0)
    {
        options.capacity = slots.size();
    }

    ChannelOptions options;
    std::vector<Slot> slots;
    std::size_t mask;

    // Published by the sender: events [floor, head) may be taken.
    std::atomic<std::uint64_t> head{0};
    std::atomic<std::uint64_t> floor{0};
    std::atomic<bool> closed{false};
    ResizeSlot resize;  // the latest resize: resizes take no ring record

    // Payload side table, indexed like `slots`.
    std::mutex payload_mutex;
    std::vector<std::shared_ptr<const Event>> payloads;

    // Sender-only bookkeeping for the byte budget.
    std::vector<std::size_t> sizes;
    std::size_t bytes = 0;

    // Sleeping receivers.
    std::mutex sleep_mutex;
    std::condition_variable wake;
    std::atomic<int> sleepers{0};

    // Registry: receiver count, readiness fd holders, hand-over cursor, drop hook.
    std::mutex registry_mutex;
    std::size_t receivers = 0;
    std::vector<ReceiverState*> fd_receivers;
    std::atomic<std::size_t> fd_count{0};
    std::uint64_t orphan = 0;
    std::uint64_t orphan_resize_had = 0;
    std::function<void(std::size_t)> drop_hook;

    std::uint64_t lowest(std::uint64_t h) const
    {
        std::uint64_t by_capacity = h > slots.size() ? h - slots.size() : 0;
        return std::max(by_capacity, floor.load(std::memory_order_acquire));
    }

    // ---- sender side --------------------------------------------------------------------

    // Releases event n's payload and budget share (it is being overwritten or dropped).
    void forget(std::uint64_t n)
    {
        std::size_t i = n & mask;
        bytes -= sizes[i];
        if (sizes[i] != 0 || payloads[i]) {
            std::lock_guard lock(payload_mutex);
            payloads[i].reset();
        }
        sizes[i] = 0;
    }

    // Writes `e` at ring position n, or a resize into the resize slot with its place at n.
    // Returns the next free ring position.
    std::uint64_t write(std::uint64_t n, Event&& e)
    {
        Record r;
        const Encoding enc = encode_record(e, r);
        if (enc.route == Route::resize_slot) {
            resize.write(n, r);
            return n;
        }
        std::size_t i = n & mask;
        Slot& s = slots[i];
        if (n >= slots.size()) {
            forget(n - slots.size());
        }
        if (enc.route == Route::payload) {
            // Mark the slot as being written before its payload changes, so a receiver that
            // checks the sequence under payload_mutex never pairs record n with another payload.
            std::lock_guard lock(payload_mutex);
            s.seq.store(k_writing, std::memory_order_relaxed);
            payloads[i] = std::make_shared<const Event>(std::move(e));
        } else {
            s.seq.store(k_writing, std::memory_order_relaxed);
        }
        std::atomic_thread_fence(std::memory_order_release);
        for (std::size_t w = 0; w < k_record_words; ++w) {
            s.words[w].store(r[w], std::memory_order_relaxed);
        }
        s.seq.store(2 * n + 2, std::memory_order_release);
        sizes[i] = enc.payload_bytes;
        bytes += sizes[i];
        return n + 1;
    }

    // Drops the oldest events while the payload budget is exceeded.
    void enforce_budget(std::uint64_t h)
    {
        if (bytes <= options.max_bytes) {
            return;
        }
        std::uint64_t f = lowest(h);
        while (bytes > options.max_bytes && f + 1 < h) {
            floor.store(f + 1, std::memory_order_release);
            forget(f);
            ++f;
        }
    }

    void publish(std::uint64_t h)
    {
        head.store(h, std::memory_order_seq_cst);
        wake_all();
    }

    void wake_all()
    {
        if (sleepers.load(std::memory_order_seq_cst) > 0) {
            {
                std::lock_guard lock(sleep_mutex);
            }
            // Wake one sleeper; each woken receiver wakes two more (see receive_until), so the
            // sender pays for one wake-up per batch however many receivers sleep.
            wake.notify_one();
        }
        if (fd_count.load(std::memory_order_seq_cst) > 0) {
            std::lock_guard lock(registry_mutex);
            for (ReceiverState* r : fd_receivers) {
                if (r->armed.exchange(false, std::memory_order_seq_cst)) {
                    r->efd.signal();
                }
            }
        }
    }

    // ---- receiver side ------------------------------------------------------------------

    bool has_pending(const ReceiverState& r) const
    {
        return r.cursor != head.load(std::memory_order_seq_cst) || closed.load(std::memory_order_seq_cst) ||
               resize.due(r.resize_had, r.cursor);
    }

    // Takes the next event (or lag report) into `out`; false when there is none.
    bool take(ReceiverState& r, Event& out)
    {
        for (;;) {
            // Head first: a resize placed before an event visible in `h` was written before that
            // event was published, so the slot read after it shows that resize (or a newer one).
            std::uint64_t h = head.load(std::memory_order_acquire);
            if (Record rec; resize.due(r.resize_had, r.cursor, r.resize_had, rec)) {
                decode_record(rec, out);
                return true;
            }
            if (r.cursor >= h) {
                return false;
            }
            std::uint64_t low = lowest(h);
            if (r.cursor < low) {
                out = LaggedEvent{low - r.cursor};
                r.cursor = low;
                return true;
            }
            std::uint64_t n = r.cursor;
            Slot& s = slots[n & mask];
            std::uint64_t want = 2 * n + 2;
            Record rec;
            std::uint64_t s1 = s.seq.load(std::memory_order_acquire);
            for (std::size_t w = 0; w < k_record_words; ++w) {
                rec[w] = s.words[w].load(std::memory_order_relaxed);
            }
            std::atomic_thread_fence(std::memory_order_acquire);
            std::uint64_t s2 = s.seq.load(std::memory_order_relaxed);
            if (s1 != want || s2 != want) {
                // Lapped while copying: event n is gone. Everything below the new floor too.
                std::uint64_t gone_to = std::max(lowest(head.load(std::memory_order_acquire)), n + 1);
                out = LaggedEvent{gone_to - r.cursor};
                r.cursor = gone_to;
                return true;
            }
            if (record_tag(rec) != RecordTag::payload) {
                ++r.cursor;
                decode_record(rec, out);
                return true;
            }
            std::shared_ptr<const Event> p;
            {
                std::lock_guard lock(payload_mutex);
                if (s.seq.load(std::memory_order_relaxed) == want && floor.load(std::memory_order_relaxed) <= n) {
                    p = payloads[n & mask];
                }
            }
            if (!p) {
                continue;  // dropped meanwhile: the next round reports the lag
            }
            ++r.cursor;
            out = *p;
            return true;
        }
    }

    std::optional<Event> take(ReceiverState& r)
    {
        std::optional<Event> e(std::in_place);
        if (!take(r, *e)) {
            e.reset();
        }
        return e;
    }

    // After a receive that found nothing: make the fd say so, without losing a wake-up.
    void rearm(ReceiverState& r)
    {
        if (!r.efd) {
            return;
        }
        r.efd.clear();
        r.armed.store(true, std::memory_order_seq_cst);
        if (has_pending(r) && r.armed.exchange(false, std::memory_order_seq_cst)) {
            r.efd.signal();
        }
    }

    std::optional<Event> take_and_rearm(ReceiverState& r)
    {
        auto e = take(r);
        if (!e || !has_pending(r)) {
            rearm(r);
        }
        return e;
    }
};

}  // namespace detail

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
        if (state_->efd) {
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
    for (;;) {
        if (auto e = c.take_and_rearm(*state_)) {
            return e;
        }
        if (c.closed.load(std::memory_order_seq_cst)) {
            // Everything was sent before the close: what a take finds now is the true rest.
            return c.take_and_rearm(*state_);
        }
        if (state_->spin.count() > 0) {
            // Opt-in: look again, yielding the CPU in between, before going to sleep. An event
            // that arrives meanwhile is taken with no wake-up (the sender sees no sleeper).
            auto until = std::min(deadline, std::chrono::steady_clock::now() + state_->spin);
            while (std::chrono::steady_clock::now() < until) {
                if (auto e = c.take_and_rearm(*state_)) {
                    return e;
                }
                if (c.closed.load(std::memory_order_seq_cst)) {
                    return c.take_and_rearm(*state_);
                }
                ::sched_yield();
            }
        }
        c.sleepers.fetch_add(1, std::memory_order_seq_cst);
        bool timed_out = false;
        {
            std::unique_lock lock(c.sleep_mutex);
            auto ready = [&] { return c.has_pending(*state_); };
            if (deadline == std::chrono::steady_clock::time_point::max()) {
                c.wake.wait(lock, ready);
            } else {
                timed_out = !c.wake.wait_until(lock, deadline, ready);
            }
        }
        // Pass the wake-up on to two more sleepers waiting for the same batch: a tree, so the
        // last of R receivers wakes after about log2(R) hand-offs, not R.
        if (int left = c.sleepers.fetch_sub(1, std::memory_order_seq_cst) - 1; left > 0) {
            c.wake.notify_one();
            if (left > 1) {
                c.wake.notify_one();
            }
        }
        if (timed_out) {
            return c.take_and_rearm(*state_);
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

void Receiver::set_spin(std::chrono::microseconds budget)
{
    if (state_) {
        state_->spin = std::max(budget, std::chrono::microseconds(0));
    }
}

int Receiver::fd()
{
    if (!state_) {
        detail::throw_errno(ENOTCONN, "Receiver::fd: the receiver is not subscribed");
    }
    if (!state_->efd) {
        auto efd = detail::platform::WakeFd::create();
        if (!efd) {
            detail::throw_errno(errno, "Receiver::fd: cannot create its readiness descriptor");
        }
        {
            std::lock_guard lock(channel_->registry_mutex);
            state_->efd = std::move(efd);
            channel_->fd_receivers.push_back(state_.get());
            channel_->fd_count.store(channel_->fd_receivers.size(), std::memory_order_seq_cst);
        }
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
