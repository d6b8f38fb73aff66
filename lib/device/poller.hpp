// The poller: one std::thread running one libuv loop that reads the terminal (internal).
//
// Handles: uv_poll_t on the terminal fd, uv_signal_t for SIGWINCH, uv_timer_t for the
// decoder's deadline, uv_async_t as the doorbell other threads ring. They are initialised (and
// SIGWINCH watched) by start() on the spawning thread, before the thread exists, so that the
// doorbell is valid the moment the generation is published; from then on only the loop thread
// touches them. The poller knows its owner only as a PollerHost, and its test hooks only as the
// HookSlot in its PollerConfig.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "device/hooks.hpp"
#include "support/fd.hpp"
#include "vtinput/channel.hpp"
#include "vtinput/decoder.hpp"

namespace vtinput::detail {

// What the poller needs from its owner (the lifecycle). Every call may take the lifecycle lock.
class PollerHost {
public:
    // The doorbell rang or input ended: under the lifecycle lock, decide whether this
    // generation stops. `forced` (EOF, I/O error, exception) always stops; otherwise it stops
    // only when no receiver is left. Once it returns true nobody rings the doorbell again.
    virtual bool decide_exit(bool forced) = 0;
    // The loop is closed: hand over what the decoder still holds and mark the generation
    // exited. Last call of the thread.
    virtual void exited(std::string carry, bool loop_closed_cleanly) = 0;
    virtual Sender& sender() = 0;
    // Called with every batch before it is sent: takes out the replies to a capability query
    // in progress, if any.
    virtual void take_replies(std::vector<Event>& batch) = 0;

protected:
    ~PollerHost() = default;
};

struct PollerConfig {
    UniqueFd fd;  // what to read, non-blocking; closed when the thread ends (or with the Poller)
    DecoderOptions decoder;
    std::shared_ptr<const KeyMap> keymap;
    int restore_flags = -1;  // file status flags to put back on `fd`'s description, or -1
    bool raw_bytes = false;  // precede events with RawEvents (DeviceOptions::raw_bytes)
    // The test hooks; not owned, must outlive the Poller; nullptr: none.
    const HookSlot* hooks = nullptr;
};

class Poller {
public:
    Poller(PollerHost& host, PollerConfig config, std::string carry, std::uint64_t generation);
    ~Poller();  // joins
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    // Initialises the loop and handles, then starts the thread. Throws std::system_error (the
    // fd is then closed with the Poller).
    void start();
    // Rings the doorbell. Any thread; only while the generation is running (the caller holds
    // the lifecycle lock and has checked).
    void wake();
    void join();

    std::uint64_t generation() const { return generation_; }

    struct Loop;  // the libuv state, kept out of this header

private:
    // The test hooks in force, or nullptr (the common case, one atomic load).
    std::shared_ptr<const PollerHooks> hooks() const;
    void run() noexcept;
    void on_readable(int status) noexcept;
    void on_timer() noexcept;
    void on_winch() noexcept;
    void on_doorbell() noexcept;
    void start_polling();
    // Decodes bytes read (or carried over), byte by byte with RawEvents when asked for.
    void decode(std::string_view bytes);
    // Events the decoder produced from pending input (timeout, end of input), attributed to
    // the raw bytes still unattributed when asked for.
    void flush();
    void finish();
    // Before the events from batch[first] on, the RawEvent of the bytes they came from.
    void attribute_raw(std::size_t first);
    // Hands the batch to the receivers (minus capability replies).
    void send();
    // Sends the batch and re-arms the timer for the decoder's deadline.
    void deliver();
    // Sends an ErrorEvent, then stops the generation.
    void fail(const std::error_code& ec, const std::string& message);
    // An exception escaped a callback: the same, as state_not_recoverable.
    void fail(const std::exception& ex);
    // Closes every handle; uv_run returns once they are closed.
    void stop();

    PollerHost& host_;
    PollerConfig config_;
    std::string carry_;
    std::uint64_t generation_;
    std::unique_ptr<Loop> loop_;
    std::thread thread_;
};

}  // namespace vtinput::detail
