// A capability query in flight (internal): writes capability_query() to the terminal and takes
// the replies out of the poller's batches until the DA1 reply (the sentinel) or the timeout.
//
// Threads: query() runs on the caller's thread and blocks it; take_replies() runs on the poller
// thread with every batch. The probe lives under probe_mutex_, which is never held together
// with the lifecycle's lock; `capturing_` lets take_replies skip the lock when no query is in
// flight, which is nearly always. One query at a time: a second caller waits for the first.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include "vtinput/capabilities.hpp"
#include "vtinput/event.hpp"

namespace vtinput::detail {

class ReplyCapture {
public:
    // Writes the query to terminal `fd` (not owned; may be non-blocking) and waits at most
    // `timeout` for the DA1 reply. Throws std::system_error if the query cannot be written.
    Capabilities query(int fd, std::chrono::milliseconds timeout);

    // Removes the replies to the query in flight from `batch`, keeping the order of everything
    // else; does nothing when none is in flight. Poller thread.
    void take_replies(std::vector<Event>& batch);

private:
    std::mutex query_mutex_;  // one query at a time
    std::mutex probe_mutex_;
    std::condition_variable probe_done_;
    std::optional<CapabilityProbe> probe_;  // guarded by probe_mutex_
    std::atomic<bool> capturing_{false};    // probe_ is set
};

}  // namespace vtinput::detail
