// Inline handlers (internal): what InputDevice::subscribe_inline registers, run by the poller
// thread right after it publishes each batch, so that an application that acts on events
// pays no hand-off to another thread.
//
// Each handler holds a Receiver of its own, drained on the poller thread after every publish:
// it sees exactly what a receiver sees (order, LaggedEvent, collapsed resizes, the hand-over)
// and counts as a receiver, so the poller keeps reading for it. The handlers run in the order
// they were added, one at a time, under `mutex_`.
//
// Ending one (InlineSubscription::reset) takes `mutex_`, so once it returns the handler is not
// running and never runs again. From inside a handler (the poller thread holds `mutex_` then)
// it only marks the entry ended; the poller removes it when the handler returns. The ended
// entries' receivers are dropped outside `mutex_` (a drop may ring the doorbell, under the
// lifecycle's lock, which is never held while `mutex_` is taken).
//
// A handler that throws is ended, and an ErrorEvent naming the exception goes to every
// receiver (and to the other handlers): an exception must not stop the input thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "vtinput/channel.hpp"
#include "vtinput/event.hpp"

namespace vtinput::detail {

struct InlineEntry {
    Receiver receiver;
    std::function<void(std::span<const Event>)> handler;
    std::vector<Event> batch;  // reused: no allocation per batch once warm
    // Written under InlineHandlers::mutex_ (by the dispatch, or by remove(), which holds it or
    // runs inside the dispatch); read without it by InlineSubscription's operator bool.
    std::atomic<bool> ended{false};
};

class InlineHandlers {
public:
    // Throws std::bad_alloc.
    std::shared_ptr<InlineEntry> add(Receiver receiver, std::function<void(std::span<const Event>)> handler);
    void remove(const std::shared_ptr<InlineEntry>& entry) noexcept;
    // The poller thread, after each publish: each handler gets what its receiver has.
    void dispatch(Sender& sender) noexcept;
    // The calling thread is running the handlers (so it must not wait for the poller).
    bool on_handler_thread() const noexcept;

private:
    // One pass over the handlers, under mutex_; an error message if one threw. The ended
    // entries' receivers are moved to `ended`, to be dropped after the lock.
    std::string run_handlers(std::vector<Receiver>& ended);

    std::mutex mutex_;
    std::vector<std::shared_ptr<InlineEntry>> entries_;
    std::atomic<std::size_t> count_{0};
    std::atomic<unsigned long long> running_on_{0};  // platform::thread_token() while dispatching
};

}  // namespace vtinput::detail
