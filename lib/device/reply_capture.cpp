// Capturing the replies to a capability query (see reply_capture.hpp).
//
// The replies are picked out of the decoded stream, not the bytes: the decoder has already
// separated them from keys typed meanwhile, which keep their order and reach receivers as
// usual. A reply that arrives after the timeout is no longer taken and reaches receivers as a
// ReportEvent.
#include "device/reply_capture.hpp"

#include <cerrno>
#include <string>
#include <string_view>

#include <poll.h>
#include <unistd.h>

#include "support/error.hpp"

namespace vtinput::detail {

void ReplyCapture::take_replies(std::vector<Event>& batch)
{
    if (!capturing_.load(std::memory_order_acquire)) {
        return;
    }
    std::lock_guard lock(probe_mutex_);
    if (!probe_ || probe_->done()) {
        return;
    }
    // Stable removal of the replies; keys typed meanwhile keep their order. A RawEvent whose
    // bytes produced only replies goes too (it would announce events nobody receives).
    std::vector<Event> kept;
    kept.reserve(batch.size());
    bool in_raw_group = false, group_taken = false, group_kept = false;
    auto end_group = [&] {
        if (in_raw_group && group_taken && !group_kept) {
            kept.pop_back();  // the group's RawEvent: nothing was kept after it
        }
    };
    for (Event& e : batch) {
        if (std::holds_alternative<RawEvent>(e)) {
            end_group();
            in_raw_group = true;
            group_taken = group_kept = false;
            kept.push_back(std::move(e));
        } else if (probe_->offer(e)) {
            group_taken = true;
        } else {
            group_kept = true;
            kept.push_back(std::move(e));
        }
    }
    end_group();
    batch.swap(kept);
    if (probe_->done()) {
        probe_done_.notify_all();
    }
}

Capabilities ReplyCapture::query(int fd, std::chrono::milliseconds timeout)
{
    std::lock_guard serial(query_mutex_);
    {
        std::lock_guard lock(probe_mutex_);
        probe_.emplace();
    }
    capturing_.store(true, std::memory_order_release);
    auto start = std::chrono::steady_clock::now();
    auto deadline = start + timeout;
    std::string query = capability_query();
    std::string_view rest = query;
    int write_error = 0;
    while (!rest.empty()) {
        ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n > 0) {
            rest.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 10);  // a non-blocking terminal with a full output queue
        } else {
            write_error = n < 0 ? errno : EIO;
            break;
        }
    }
    std::unique_lock lock(probe_mutex_);
    if (write_error == 0) {
        probe_done_.wait_until(lock, deadline, [&] { return probe_->done(); });
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    Capabilities caps = probe_->result(elapsed);
    probe_.reset();
    capturing_.store(false, std::memory_order_release);
    lock.unlock();
    if (write_error != 0) {
        throw_errno(write_error, "cannot write the capability query to the terminal");
    }
    return caps;
}

}  // namespace vtinput::detail
