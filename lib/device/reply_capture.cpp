// Queries in flight (see reply_capture.hpp).
//
// The replies are picked out of the decoded stream, not the bytes: the decoder has already
// separated them from keys typed meanwhile, which keep their order and reach receivers as
// usual.
#include "device/reply_capture.hpp"

#include <cerrno>
#include <string_view>

#include <poll.h>
#include <unistd.h>

#include "support/error.hpp"

namespace vtinput::detail {

bool ReplyCapture::claim(const Event& e, clock::time_point now)
{
    entries_.remove_if([&](const Entry& x) { return x.ghost && (x.finished() || x.expires <= now); });
    const auto* report = std::get_if<ReportEvent>(&e);
    const bool da1 = report != nullptr && report->what == ReportKind::da1;
    for (Entry& x : entries_) {
        if (da1 && x.sentinel && !x.sentinel_back) {
            x.sentinel_back = true;
            if (x.probe != nullptr && !x.ghost) {
                x.probe->offer(e);
                x.answered = true;
            }
            return true;
        }
        if (x.ghost || x.answered) {
            continue;
        }
        if (x.probe != nullptr) {
            if (x.probe->offer(e)) {
                return true;
            }
        } else if (x.is_reply(e)) {
            x.reply = e;
            x.answered = true;
            return true;
        }
    }
    return false;
}

void ReplyCapture::take_replies(std::vector<Event>& batch)
{
    if (!active_.load(std::memory_order_acquire)) {
        return;
    }
    std::lock_guard lock(mutex_);
    const auto now = clock::now();
    // Stable removal of the replies; keys typed meanwhile keep their order. A RawEvent whose
    // bytes produced only replies goes too (it would announce events nobody receives).
    std::vector<Event> kept;
    kept.reserve(batch.size());
    bool in_raw_group = false, group_taken = false, group_kept = false, taken = false;
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
        } else if (claim(e, now)) {
            group_taken = taken = true;
        } else {
            group_kept = true;
            kept.push_back(std::move(e));
        }
    }
    end_group();
    batch.swap(kept);
    active_.store(!entries_.empty(), std::memory_order_release);
    if (taken) {
        changed_.notify_all();
    }
}

void ReplyCapture::write_all(int fd, const std::string& bytes, clock::time_point deadline)
{
    std::string_view rest = bytes;
    while (!rest.empty()) {
        ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n > 0) {
            rest.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && clock::now() < deadline) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 10);  // a non-blocking terminal with a full output queue
        } else {
            throw_errno(n < 0 ? errno : EIO, "cannot write a query to the terminal");
        }
    }
}

ReplyCapture::Entry ReplyCapture::run(int fd, const std::string& bytes, Entry entry, std::chrono::milliseconds timeout)
{
    const auto deadline = clock::now() + timeout;
    std::list<Entry>::iterator it;
    {
        std::lock_guard serial(write_mutex_);
        {
            std::lock_guard lock(mutex_);
            entries_.push_back(std::move(entry));
            it = std::prev(entries_.end());
            active_.store(true, std::memory_order_release);
        }
        try {
            write_all(fd, bytes, deadline);
        } catch (...) {
            std::lock_guard lock(mutex_);
            it->ghost = true;
            it->expires = clock::now() + k_ghost_life;
            throw;
        }
    }
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return it->answered || it->sentinel_back; });
    Entry out = *it;
    if (it->finished() || !it->sentinel) {
        entries_.erase(it);
    } else {
        it->ghost = true;  // its DA1 is still out: keep owning it
        it->expires = clock::now() + k_ghost_life;
    }
    active_.store(!entries_.empty(), std::memory_order_release);
    return out;
}

std::optional<Event> ReplyCapture::query(int fd, const std::string& request, std::function<bool(const Event&)> is_reply,
                                         bool sentinel, std::chrono::milliseconds timeout)
{
    Entry e;
    e.is_reply = std::move(is_reply);
    e.sentinel = sentinel;
    Entry out = run(fd, sentinel ? request + "\x1b[c" : request, std::move(e), timeout);
    return out.reply;
}

Capabilities ReplyCapture::probe(int fd, std::string_view term, std::chrono::milliseconds timeout)
{
    using std::chrono::duration_cast;
    using std::chrono::microseconds;
    CapabilityProbe probe;
    auto round = [&](const std::string& bytes) {
        Entry e;
        e.probe = &probe;
        e.sentinel = true;  // both rounds end with DA1
        return run(fd, bytes, std::move(e), timeout).sentinel_back;
    };
    const auto start = clock::now();
    const bool answered = round(capability_query(term));
    const auto round_trip = duration_cast<microseconds>(clock::now() - start);
    std::string followup;
    {
        std::lock_guard lock(mutex_);  // a ghost entry no longer touches the probe
        followup = answered ? capability_followup(probe.result(round_trip)) : std::string();
        if (!followup.empty()) {
            probe.expect_followup();
        }
    }
    if (!followup.empty()) {
        round(followup);
    }
    std::lock_guard lock(mutex_);
    Capabilities caps = probe.result(duration_cast<microseconds>(clock::now() - start));
    caps.round_trip = answered ? round_trip : microseconds(0);
    return caps;
}

}  // namespace vtinput::detail
