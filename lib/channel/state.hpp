// The channel's shared state (internal): one ring written by one sender, read by any number of
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
//   one sleeping receiver (which wakes two more: a tree, parking.hpp), and each armed readiness
//   fd handed out by Receiver::fd().
// - A blocked receive sleeps on its own readiness fd (platform::WakeFd: an eventfd, or a pipe)
//   in the parking lot (parking.hpp), so each sleeper is woken at most once per batch.
//   Where no fd can be had (EMFILE), it sleeps on a condition variable that every publish
//   notifies whole.
// - A readiness fd handed out by Receiver::fd() is readable whenever its receiver has something
//   to take (never a lost wake-up): the receiver clears the fd when it finds nothing, then
//   arms; the sender disarms and signals after publishing; a receiver that finds events after
//   arming signals itself (seq_cst on both sides closes the window). A write racing a receive
//   that already took the events leaves it spuriously readable until the next receive call.
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
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "channel/parking.hpp"
#include "channel/record.hpp"
#include "channel/resize_slot.hpp"
#include "channel/spin.hpp"
#include "platform/platform.hpp"
#include "vtinput/channel.hpp"

namespace vtinput::detail {

struct ReceiverState {
    ReceiverState() : park{&armed, &efd} {}
    std::uint64_t cursor = 0;        // next sequence number to take; touched only by the owner
    std::uint64_t resize_had = 0;    // number of the last resize delivered (or counted as had)
    platform::WakeFd efd;            // created by Receiver::fd or the first sleep; closed with the state
    std::atomic<bool> armed{false};  // the sender (or the parking lot) must signal `efd`
    bool external = false;           // Receiver::fd was called: in fd_receivers, armed by rearm()
    ParkingLot::Entry park;          // where a blocked receive sleeps
    SpinBank spin;                   // set_spin; touched only by the owner
};

constexpr std::uint64_t k_writing = 1;  // any odd sequence word

struct alignas(32) Slot {
    std::atomic<std::uint64_t> seq{0};
    std::atomic<std::uint64_t> words[k_record_words]{};
};

struct ChannelState {
    explicit ChannelState(ChannelOptions o)
        : options(o), slots(std::bit_ceil(std::max<std::size_t>(o.capacity, 2))), mask(slots.size() - 1)
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

    // Payload side table, indexed like `slots`; made by the sender, under payload_mutex, for the
    // first payload (a paste, a report), so that a program that never gets one never pays for it
    // (96 KiB at the default capacity). A receiver reads it only for a payload record, published
    // after the table was made.
    std::mutex payload_mutex;
    std::unique_ptr<std::shared_ptr<const Event>[]> payloads;

    // Sender-only bookkeeping for the byte budget, made with `payloads`.
    std::unique_ptr<std::size_t[]> sizes;
    std::size_t bytes = 0;

    // Sleeping receivers: parked on their fds, or (no fd to be had) on the condition variable.
    ParkingLot lot;
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
        if (!sizes) {
            return;  // no payload yet: nothing to release
        }
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
            if (!payloads) {
                // May throw std::bad_alloc, as make_shared below may; then neither table is set.
                auto table = std::make_unique<std::shared_ptr<const Event>[]>(slots.size());
                sizes = std::make_unique<std::size_t[]>(slots.size());
                payloads = std::move(table);
            }
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
        if (sizes) {
            sizes[i] = enc.payload_bytes;
            bytes += sizes[i];
        }
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
        // Wake one parked receiver; each one taken out wakes two more (parking.hpp), so the
        // sender pays for one wake-up per batch however many receivers sleep.
        lot.advance();
        lot.wake(1);
        if (sleepers.load(std::memory_order_seq_cst) > 0) {
            {
                std::lock_guard lock(sleep_mutex);
            }
            wake.notify_all();
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
        if (!r.external) {
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

    // ---- sleeping (sleep.cpp) -----------------------------------------------------------

    // Sleeps in the parking lot until an event (or the close) may be there, or the deadline;
    // true on timeout. The receiver has an fd.
    bool park(ReceiverState& r, std::chrono::steady_clock::time_point deadline);
    // Without an fd: the condition variable every publish notifies.
    bool sleep_on_condition(ReceiverState& r, std::chrono::steady_clock::time_point deadline);
    // Set-spin: looks again, yielding, while the bank allows; true if an event (or the close)
    // turned up.
    bool look(ReceiverState& r, std::chrono::steady_clock::time_point deadline);
};

}  // namespace vtinput::detail
