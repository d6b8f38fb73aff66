// The poller's batch (internal): decoding what it read into the batch it publishes, with the
// RawEvents of DeviceOptions::raw_bytes put before the events each byte completed; and lending
// the terminal to a sleeping receiver while it polls (channel/read_assist.hpp), best effort.
#include <cerrno>

#include <fcntl.h>

#include "device/poller.hpp"
#include "device/poller_loop.hpp"

namespace vtinput::detail {

void Poller::decode(std::string_view bytes)
{
    Loop& l = *loop_;
    if (auto ms = esc_timeout_.exchange(-1, std::memory_order_relaxed); ms >= 0) {
        l.decoder.set_esc_timeout(std::chrono::milliseconds(ms));
    }
    auto now = Decoder::clock::now();
    if (!config_.raw_bytes) {
        l.decoder.feed(bytes, now, l.batch);
        return;
    }
    // One byte at a time: the decoder gives the same events however its input is split, and
    // the events that appear after a byte are exactly those that byte completed.
    for (char c : bytes) {
        l.raw += c;
        std::size_t first = l.batch.size();
        l.decoder.feed(std::string_view(&c, 1), now, l.batch);
        attribute_raw(first);
    }
}

void Poller::flush()
{
    Loop& l = *loop_;
    std::size_t first = l.batch.size();
    l.decoder.flush(Decoder::clock::now(), l.batch);
    attribute_raw(first);
}

void Poller::finish()
{
    Loop& l = *loop_;
    std::size_t first = l.batch.size();
    l.decoder.finish(l.batch);
    attribute_raw(first);
}

void Poller::attribute_raw(std::size_t first)
{
    Loop& l = *loop_;
    if (config_.raw_bytes && l.batch.size() > first && !l.raw.empty()) {
        l.batch.insert(l.batch.begin() + static_cast<std::ptrdiff_t>(first), RawEvent{std::move(l.raw)});
        l.raw.clear();
    }
}

void Poller::prepare_assist()
{
    Loop& l = *loop_;
    if (l.stream) {
        return;  // libuv reads a terminal stream itself (macOS): poll(2) refuses terminals there
    }
    // Without a descriptor to spare (EMFILE), receivers are woken by the publish alone, as they
    // would be anyway; no memory is an error, as for the rest of the start.
    UniqueFd copy(::fcntl(config_.fd.get(), F_DUPFD_CLOEXEC, 0));
    if (copy) {
        l.assist = std::make_shared<ReadAssist>(std::move(copy));
    }
}

void Poller::lend_terminal() noexcept
{
    Loop& l = *loop_;
    if (auto h = hooks(); h && h->lend_terminal && !h->lend_terminal()) {
        return;
    }
    if (l.assist && !l.lent) {
        SenderAccess::set_read_assist(host_.sender(), l.assist);
        l.lent = true;
    }
}

void Poller::withdraw_terminal() noexcept
{
    Loop& l = *loop_;
    if (l.lent) {
        SenderAccess::set_read_assist(host_.sender(), nullptr);  // a watcher may still hold it
        l.lent = false;
    }
}

}  // namespace vtinput::detail
