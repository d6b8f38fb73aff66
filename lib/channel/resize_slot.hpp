// The resize slot (internal): where the channel keeps a ResizeEvent instead of a ring record. It
// holds only the latest resize, its number and its place; every receiver delivers it once, when
// its place comes. Why resizes collapse this way, and how order, lag and waking stay true, is in
// the design notes at the top of channel.cpp.
//
// A single-writer seqlock, as a ring slot is: `seq_` is 2g once the slot holds resize number g
// (resizes are numbered from 1 in the order sent; 0: none yet), odd while the sender rewrites
// it. `pos_` is the resize's place: the ring position of the first event sent after it (the
// sender's write position when it was sent), so it is delivered before that event and after
// every event sent before it. Nothing of a batch is visible before the batch is published, so
// in a batch a resize followed by an event and another resize is superseded for every receiver.
//
// Readers never wait for the writer. A read that finds the sequence odd, or sees it move, is
// racing with a newer resize; that resize's place is at or after the sender's write position,
// hence after every event the reader can see, so the reader may treat it as not yet due and go
// on with the ring: the sender wakes receivers once the write is complete.
#pragma once

#include <atomic>
#include <cstdint>

#include "channel/record.hpp"

namespace vtinput::detail {

class ResizeSlot {
public:
    // Sender only: keeps the resize encoded in `r` (encode_record's words 1 and 2), superseding
    // the one held, with its place at ring position `pos`. The final store is seq_cst: with the
    // receivers' seq_cst loads in has_pending it is the same hand-shake as `head` (channel.cpp),
    // so a receiver about to sleep or to arm its fd either sees this resize or is woken.
    void write(std::uint64_t pos, const Record& r)
    {
        const std::uint64_t s = seq_.load(std::memory_order_relaxed);
        seq_.store(s + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
        pos_.store(pos, std::memory_order_relaxed);
        words_[0].store(r[1], std::memory_order_relaxed);
        words_[1].store(r[2], std::memory_order_relaxed);
        seq_.store(s + 2, std::memory_order_seq_cst);
    }

    // For a receiver that has had resize number `seen` and whose next event is at ring position
    // `cursor`: true when the slot holds a newer resize whose place has come (at or before
    // `cursor`); then `number` is its number and `r` its record (words 0 to 2). One load when
    // there is nothing newer, which is every call but those after a resize.
    bool due(std::uint64_t seen, std::uint64_t cursor, std::uint64_t& number, Record& r) const
    {
        const std::uint64_t s = seq_.load(std::memory_order_seq_cst);
        if (s <= 2 * seen + 1 || (s & 1) != 0) {
            return false;  // nothing newer, or a newer one being written (not yet due; see above)
        }
        const std::uint64_t pos = pos_.load(std::memory_order_relaxed);
        r[0] = record_layout::tag_word(RecordTag::resize);
        r[1] = words_[0].load(std::memory_order_relaxed);
        r[2] = words_[1].load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (seq_.load(std::memory_order_relaxed) != s || pos > cursor) {
            return false;  // superseded while read (not yet due), or its place is ahead
        }
        number = s / 2;
        return true;
    }

    bool due(std::uint64_t seen, std::uint64_t cursor) const
    {
        std::uint64_t number = 0;
        Record r;
        return due(seen, cursor, number, r);
    }

    // The number of resizes a receiver starting at ring position `cursor` counts as had: the
    // latest, unless its place is after `cursor` (sent in a batch after events the receiver will
    // take: then it is still to come). A resize written meanwhile supersedes the latest and is
    // still to come, so a racing read needs no retry.
    std::uint64_t had_at(std::uint64_t cursor) const
    {
        const std::uint64_t s = seq_.load(std::memory_order_seq_cst);
        const std::uint64_t pos = pos_.load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if ((s & 1) != 0 || seq_.load(std::memory_order_relaxed) != s || pos <= cursor) {
            return s / 2;
        }
        return s / 2 - 1;
    }

private:
    std::atomic<std::uint64_t> seq_{0};
    std::atomic<std::uint64_t> pos_{0};
    std::atomic<std::uint64_t> words_[2]{};
};

}  // namespace vtinput::detail
