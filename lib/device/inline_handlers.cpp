// Inline handlers (see inline_handlers.hpp), and the public InlineSubscription that ends one.
#include "device/inline_handlers.hpp"

#include <exception>
#include <string>
#include <system_error>

#include <unistd.h>

#include "device/lifecycle.hpp"
#include "platform/platform.hpp"

namespace vtinput::detail {

std::shared_ptr<InlineEntry> InlineHandlers::add(Receiver receiver, std::function<void(std::span<const Event>)> handler)
{
    if (on_handler_thread()) {
        throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur),
                                "vtinput: subscribe_inline called from an inline handler");
    }
    auto entry = std::make_shared<InlineEntry>();
    entry->receiver = std::move(receiver);
    entry->handler = std::move(handler);
    std::lock_guard lock(mutex_);
    entries_.push_back(entry);
    count_.store(entries_.size(), std::memory_order_release);
    return entry;
}

void InlineHandlers::remove(const std::shared_ptr<InlineEntry>& entry) noexcept
{
    if (on_handler_thread()) {
        entry->ended.store(true, std::memory_order_release);  // the dispatch removes it when the handler returns
        return;
    }
    Receiver dropped;
    {
        std::lock_guard lock(mutex_);
        entry->ended.store(true, std::memory_order_release);
        std::erase(entries_, entry);
        count_.store(entries_.size(), std::memory_order_release);
        dropped = std::move(entry->receiver);
    }
}

bool InlineHandlers::on_handler_thread() const noexcept
{
    return running_on_.load(std::memory_order_acquire) == platform::thread_token();
}

std::string InlineHandlers::run_handlers(std::vector<Receiver>& ended)
{
    std::string error;
    for (const auto& e : entries_) {
        // A receiver holds at most a ring's worth per call: drain it whole.
        while (!e->ended.load(std::memory_order_relaxed) && e->receiver.try_receive_all(e->batch) > 0) {
            try {
                e->handler(std::span<const Event>(e->batch));
            } catch (const std::exception& ex) {
                e->ended.store(true, std::memory_order_release);
                error = std::string("vtinput: an inline handler threw and was removed: ") + ex.what();
            } catch (...) {
                e->ended.store(true, std::memory_order_release);
                error = "vtinput: an inline handler threw and was removed (not a std::exception)";
            }
            e->batch.clear();
        }
    }
    for (auto it = entries_.begin(); it != entries_.end();) {
        if ((*it)->ended.load(std::memory_order_relaxed)) {
            ended.push_back(std::move((*it)->receiver));
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
    count_.store(entries_.size(), std::memory_order_release);
    return error;
}

void InlineHandlers::dispatch(Sender& sender) noexcept
{
    if (count_.load(std::memory_order_acquire) == 0) {
        return;
    }
    std::vector<Receiver> ended;  // dropped after the lock: a drop may ring the doorbell
    try {
        for (;;) {
            std::string error;
            {
                std::lock_guard lock(mutex_);
                running_on_.store(platform::thread_token(), std::memory_order_release);
                try {
                    error = run_handlers(ended);
                } catch (...) {
                    running_on_.store(0, std::memory_order_release);
                    throw;
                }
                running_on_.store(0, std::memory_order_release);
            }
            // Dropped before anything more is sent: a receiver that drops last hands the events
            // after its cursor to the next subscriber, and an ended handler's must not outlive
            // the error that reports it.
            ended.clear();
            if (error.empty()) {
                break;
            }
            // Everyone hears of it, the other handlers too (the next pass).
            sender.send(ErrorEvent{std::make_error_code(std::errc::interrupted), std::move(error)});
        }
    } catch (...) {
        // No memory for the batch or the error: the events stay in the handlers' receivers,
        // and the next publish's dispatch delivers them.
    }
}

}  // namespace vtinput::detail

// ---- InlineSubscription (include/vtinput/input_device.hpp) ------------------------------

namespace vtinput {

InlineSubscription& InlineSubscription::operator=(InlineSubscription&& other) noexcept
{
    if (this != &other) {
        reset();
        entry_ = std::move(other.entry_);
        pid_ = other.pid_;
    }
    return *this;
}

void InlineSubscription::reset() noexcept
{
    if (!entry_) {
        return;
    }
    if (pid_ != ::getpid()) {
        // A fork() child: the entry, its receiver and the lock that guards them are the
        // parent's (the lock may have been held by its input thread at the fork).
        (void)new std::shared_ptr<detail::InlineEntry>(std::move(entry_));
        return;
    }
    detail::Lifecycle::instance().remove_inline(entry_);
    entry_.reset();
}

InlineSubscription::operator bool() const noexcept { return entry_ && !entry_->ended.load(std::memory_order_acquire); }

}  // namespace vtinput
