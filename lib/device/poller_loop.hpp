// The poller's libuv state (internal): what poller.cpp and poller_batch.cpp share, kept out of
// poller.hpp so that only the poller's own files see <uv.h>.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <uv.h>

#include "device/poller.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"

namespace vtinput::detail {

struct Poller::Loop {
    uv_loop_t loop{};
    uv_poll_t poll{};     // the input, watched; or
    uv_tty_t tty{};       // the input, read by libuv (`stream`)
    bool stream = false;  // the input is `tty`, not `poll`
    int low_fd = -1;      // `tty`'s fd when libuv chose one of 0..2, which it never closes
    uv_timer_t timer{};
    uv_async_t doorbell{};
    uv_async_t winch{};      // rung by the SIGWINCH listener
    bool listening = false;  // the SIGWINCH listener is registered
    bool stopping = false;
    bool paused = false;  // not reading (released terminal); only the doorbell ends it
    Decoder decoder;
    std::vector<Event> batch;
    // Not zeroed, so that only what reads fill is ever touched (a key: one page, not 64 KiB);
    // new[] rather than make_unique_for_overwrite, which libc++ 15 lacks.
    static constexpr std::size_t k_buffer_size = 64 * 1024;
    std::unique_ptr<char[]> buffer{new char[k_buffer_size]};
    std::string raw;  // raw_bytes: bytes fed since the last RawEvent
    Poller* self = nullptr;

    Loop(const PollerConfig& c) : decoder(c.decoder, c.keymap) {}

    uv_handle_t* input()
    {
        return stream ? reinterpret_cast<uv_handle_t*>(&tty) : reinterpret_cast<uv_handle_t*>(&poll);
    }
    // Whether to read now: not released, and someone to read for.
    bool reading() { return !paused && self->host_.sender().receiver_count() > 0; }
};

}  // namespace vtinput::detail
