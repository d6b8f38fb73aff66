// The poller: one std::thread running one libuv loop that reads the terminal (internal).
//
// Handles: uv_poll_t on the terminal fd (uv_tty_t for a terminal on the portable backend: see
// poller.cpp), uv_timer_t for the decoder's deadline, uv_async_t as
// the doorbell other threads ring, and a second uv_async_t rung by a SIGWINCH listener
// (terminal/winch.hpp; libuv's own uv_signal_t would take the application's SIGWINCH handler
// away). They are initialised (and SIGWINCH watched) by start() on the spawning thread, before
// the thread exists, so that the doorbell is valid the moment the generation is published and a
// resize right after open() is not lost; from then on only the loop thread touches them. A
// start that fails undoes all of it (listener removed, handles closed, loop closed) before it
// throws. The poller knows its owner only as a PollerHost, and its test hooks only as the
// HookSlot in its PollerConfig.
//
// Reading is paused (the input handle stopped, nothing read) while the host says so: when no
// receiver is left, and while the device has released the terminal to another program.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "device/hooks.hpp"
#include "support/fd.hpp"
#include "vtinput/channel.hpp"
#include "vtinput/decoder.hpp"

namespace vtinput::detail {

// What the poller does after its doorbell rang, as the host decided under the lifecycle lock.
struct DoorbellAnswer {
    enum class Next : std::uint8_t {
        read,   // (go on) reading the terminal
        pause,  // stop reading: deliver what was read, then tell the host (PollerHost::paused)
        exit,   // the generation stops; nobody rings the doorbell again
    };
    Next next = Next::read;
    bool announce_size = false;  // send a ResizeEvent with the terminal's size (after a resume)
};

// What the poller needs from its owner (the lifecycle). Every call may take the lifecycle lock.
class PollerHost {
public:
    // The doorbell rang: what next (see DoorbellAnswer).
    virtual DoorbellAnswer doorbell() = 0;
    // Input ended (EOF, an I/O error, an exception): the generation stops. Nobody rings the
    // doorbell again.
    virtual void input_ended() = 0;
    // After a `pause` answer: the poller has stopped reading and has delivered every event of
    // what it read. Not called for a generation that started paused (it never read).
    virtual void paused() = 0;
    // The loop is closed: hand over what the decoder still holds and mark the generation
    // exited. Last call of the thread.
    virtual void exited(std::string carry, bool loop_closed_cleanly) = 0;
    virtual Sender& sender() = 0;
    // Called with every batch before it is sent: takes out the replies to a capability query
    // in progress, if any.
    virtual void take_replies(std::vector<Event>& batch) = 0;
    // Called after every publish, and when the doorbell rings: the inline handlers take what
    // their receivers have.
    virtual void dispatch_inline() noexcept = 0;

protected:
    ~PollerHost() = default;
};

struct PollerConfig {
    UniqueFd fd;  // what to read, non-blocking; closed when the thread ends (or with the Poller)
    DecoderOptions decoder;
    std::shared_ptr<const KeyMap> keymap;
    int restore_flags = -1;  // file status flags to put back on `fd`'s description, or -1
    bool raw_bytes = false;  // precede events with RawEvents (DeviceOptions::raw_bytes)
    // Do not read until the doorbell answers `read` (the terminal is released).
    bool start_paused = false;
    // The test hooks; not owned, must outlive the Poller; nullptr: none.
    const HookSlot* hooks = nullptr;
};

class Poller {
public:
    Poller(PollerHost& host, PollerConfig config, std::string carry, std::uint64_t generation);
    ~Poller();  // joins
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    // Initialises the loop and handles, watches SIGWINCH, then starts the thread. Throws
    // std::system_error naming the step that failed (or std::bad_alloc); everything it set up
    // is undone first, and the fd is closed with the Poller.
    void start();
    // Rings the doorbell. Any thread; only while the generation is running (the caller holds
    // the lifecycle lock and has checked).
    void wake();
    // The decoder takes this ESC timeout before it decodes its next bytes. Any thread.
    void set_esc_timeout(std::chrono::milliseconds timeout) { esc_timeout_.store(timeout.count()); }
    void join();

    std::uint64_t generation() const { return generation_; }

    struct Loop;  // the libuv state, kept out of this header

private:
    // The test hooks in force, or nullptr (the common case, one atomic load).
    std::shared_ptr<const PollerHooks> hooks() const;
    // Closes what start() set up, when it fails.
    void undo_start() noexcept;
    void run() noexcept;
    // Sets up the input handle (uv_poll_t, or uv_tty_t on a copy of the fd); libuv's error.
    int init_input(Loop& lp);
    void on_readable(int status) noexcept;  // uv_poll_t: read what the fd has
    void on_read(long nread) noexcept;      // uv_tty_t: what libuv read into the buffer
    void end_of_input();
    void on_timer() noexcept;
    void on_winch() noexcept;
    void on_doorbell() noexcept;
    void start_polling();
    void stop_reading();
    // Stops reading, resolves what the decoder holds and delivers it (the terminal is being
    // released: what was read before must not be joined with what is read after).
    void pause();
    // Appends a ResizeEvent with the terminal's size, if it has one.
    void add_size();
    // Decodes bytes read (or carried over), byte by byte with RawEvents when asked for.
    void decode(std::string_view bytes);
    // Events the decoder produced from pending input (timeout, end of input), attributed to
    // the raw bytes still unattributed when asked for.
    void flush();
    void finish();
    // Before the events from batch[first] on, the RawEvent of the bytes they came from.
    void attribute_raw(std::size_t first);
    // Hands the batch to the receivers (minus capability replies): all of it, or, if that
    // throws, none of it (the batch is then dropped).
    void send();
    // Sends the batch and re-arms the timer for the decoder's deadline.
    void deliver();
    // Sends an ErrorEvent "vtinput: <what><detail>" after what the batch holds, then stops the
    // generation. If not even that can be sent (no memory), the batch goes and the receivers
    // see the stream end without it.
    void fail(const std::error_code& ec, std::string_view what, std::string_view detail) noexcept;
    // An exception escaped a callback: the batch it was building is dropped whole (it may be
    // incomplete, or moved-from by a failed send), then the error, as state_not_recoverable.
    void fail(const char* what) noexcept;
    // Closes every handle (the SIGWINCH listener goes first); uv_run returns once they are
    // closed.
    void stop() noexcept;

    PollerHost& host_;
    PollerConfig config_;
    std::string carry_;
    std::uint64_t generation_;
    std::unique_ptr<Loop> loop_;
    std::thread thread_;
    std::atomic<std::int64_t> esc_timeout_{-1};  // a new ESC timeout in ms, or -1
};

}  // namespace vtinput::detail
