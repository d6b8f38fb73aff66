// The poller's batch (internal): decoding what it read into the batch it publishes, with the
// RawEvents of DeviceOptions::raw_bytes put before the events each byte completed.
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

}  // namespace vtinput::detail
