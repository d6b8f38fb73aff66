// Queries in flight (internal): writes each query's request to the terminal and takes exactly
// its reply out of the poller's batches, while everything else reaches the receivers.
//
// Correlation: terminals answer in order, so replies are matched to queries first in, first
// served: an event is offered to the oldest query still waiting that accepts it. A query with
// a sentinel is followed on the wire by DA1 (`CSI c`), which every terminal answers: a DA1
// reply belongs to the oldest query whose sentinel has not come back, and it ends that query
// (without a reply, if none came: the terminal does not know the request). So a request the
// terminal ignores costs one round trip, not the timeout. The capability probe is a query
// whose own last request is DA1.
//
// Lifetime of an entry: from the write until its sentinel's DA1 (or its reply, without a
// sentinel), even if the caller stopped waiting. A caller that times out leaves its entry as
// a ghost that takes no reply (a late reply reaches receivers as the ReportEvent it is) but
// still owns its DA1, so that the next query's sentinel is not taken for it; ghosts expire
// after k_ghost_life (a terminal that late is not answering).
//
// Threads: query() and probe() run on callers' threads, any number at once, and block them;
// take_replies() runs on the poller thread with every batch. Entries live under mutex_, which
// is never held with the lifecycle's lock; `active_` lets take_replies skip the lock when
// nothing is in flight, which is nearly always. Writes are serialized (write_mutex_) and an
// entry is registered before its bytes are written, so the entry order is the wire order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtinput/capabilities.hpp"
#include "vtinput/event.hpp"

namespace vtinput::detail {

class ReplyCapture {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds k_ghost_life{5};

    // Writes `request` (followed by DA1 when `sentinel`) to terminal `fd` (not owned; may be
    // non-blocking) and waits at most `timeout` for the event `is_reply` accepts. nullopt on
    // timeout, or when the sentinel came back first. Throws std::system_error if the request
    // cannot be written.
    std::optional<Event> query(int fd, const std::string& request, std::function<bool(const Event&)> is_reply,
                               bool sentinel, std::chrono::milliseconds timeout);

    // Writes capability_query(term) to `fd` and waits at most `timeout` for its DA1 reply;
    // then, if the terminal answered, capability_followup() and at most `timeout` again.
    Capabilities probe(int fd, std::string_view term, std::chrono::milliseconds timeout);

    // Removes the replies to the queries in flight from `batch`, keeping the order of
    // everything else; does nothing when none is in flight. Poller thread.
    void take_replies(std::vector<Event>& batch);

private:
    struct Entry {
        std::function<bool(const Event&)> is_reply;  // or
        CapabilityProbe* probe = nullptr;            // the probe (its DA1 is the sentinel)
        bool sentinel = false;                       // a DA1 follows the request
        bool sentinel_back = false;                  // ... and its reply came
        bool answered = false;                       // the reply came (the probe: done)
        bool ghost = false;                          // the caller left: takes no reply
        clock::time_point expires{};                 // ghosts only
        std::optional<Event> reply;
        bool finished() const { return sentinel ? sentinel_back : answered; }
    };
    // Takes `e` for the entry that claims it; false if none does. Under mutex_.
    bool claim(const Event& e, clock::time_point now);
    // All of `bytes` to `fd`, waiting (until `deadline`) while a non-blocking fd is full.
    static void write_all(int fd, const std::string& bytes, clock::time_point deadline);
    // Registers `entry`, writes `bytes`, waits until it is answered or its sentinel is back or
    // `timeout` passed, then retires it (a ghost if its sentinel is still out). Returns the
    // entry as it ended. Throws if the bytes cannot be written (the entry is then a ghost too:
    // part of the request may be out).
    Entry run(int fd, const std::string& bytes, Entry entry, std::chrono::milliseconds timeout);

    std::mutex write_mutex_;  // one writer at a time: entry order is wire order
    std::mutex mutex_;
    std::condition_variable changed_;
    std::list<Entry> entries_;  // guarded by mutex_; oldest first
    std::atomic<bool> active_{false};
};

}  // namespace vtinput::detail
