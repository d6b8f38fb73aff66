// The input device: the process-wide source of terminal input events.
//
// Opening the device starts (or reuses) a poller thread that reads the terminal, decodes what
// it reads and broadcasts the events. The device holds one receiver; `subscribe()` gives more.
// The poller exits by itself once no receiver is left; the next open or subscribe reuses it if
// it is still running (fast path) or starts a new generation (slow path). Bytes already read
// but not yet taken by anyone are handed to the next generation, and bytes not yet read stay in
// the kernel, so no keystroke is lost between one device and the next.
//
// Run-time failures (end of input, I/O errors) arrive as EofEvent / ErrorEvent on every
// receiver; API misuse and set-up failures throw std::system_error.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "vtinput/capabilities.hpp"
#include "vtinput/channel.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/terminal.hpp"

namespace vtinput {

struct DeviceOptions {
    // The file descriptor to read. -1: standard input if it is a terminal, else /dev/tty.
    // The device reads its own open file description (it re-opens the terminal or
    // /proc/self/fd/N), so the caller's file status flags are never changed; where that is
    // impossible (a socket) the flags it had are put back when the poller stops.
    int fd = -1;
    // Terminfo entry for terminal-specific keys; empty: $TERM. Unknown entries fall back to
    // the built-in grammar (see DeviceStatus::terminfo_diagnostic).
    std::string term;
    DecoderOptions decoder;
    ChannelOptions channel;
    // Terminal modes set on open and restored on close (and on signals; see TerminalModes).
    // Applied only when the input is a terminal; nullopt leaves the terminal alone.
    std::optional<TerminalModes> terminal = TerminalModes{};
    // Precede the events with RawEvents holding the bytes they were decoded from (see
    // RawEvent). For diagnostics: the poller then feeds the decoder one byte at a time.
    bool raw_bytes = false;
};

struct DeviceStatus {
    bool running = false;             // a poller thread is running (not exiting)
    std::uint64_t generation = 0;     // number of the latest poller generation (1, 2, ...)
    std::size_t receivers = 0;        // receivers subscribed right now
    bool device_open = false;         // an InputDevice exists
    std::uint64_t unclean_loops = 0;  // generations whose uv_loop_close did not return 0
    // Why the key table is the built-in one, when DeviceOptions::term (or $TERM) names a
    // terminfo entry that could not be loaded; empty when it loaded.
    std::string terminfo_diagnostic;
};

class InputDevice {
public:
    // Opens the device. Throws std::system_error with std::errc::device_or_resource_busy if
    // an InputDevice is already open in this process, or if a poller still running for other
    // receivers reads a different terminal; with the errno of the failure and a message naming
    // what was tried if there is no terminal to read ("vtinput: cannot open the terminal
    // (/dev/tty): No such device or address") or DeviceOptions::fd cannot be used. Blocking:
    // at most while a previous poller finishes exiting.
    static InputDevice open(DeviceOptions options = {});

    InputDevice(InputDevice&&) noexcept;
    InputDevice& operator=(InputDevice&&) noexcept;
    InputDevice(const InputDevice&) = delete;
    InputDevice& operator=(const InputDevice&) = delete;
    ~InputDevice();  // drops the device's receiver and frees the slot

    // The device's own receiver.
    Receiver& events() { return receiver_; }
    std::optional<Event> receive() { return receiver_.receive(); }
    std::optional<Event> try_receive() { return receiver_.try_receive(); }
    template <class Rep, class Period>
    std::optional<Event> receive_for(std::chrono::duration<Rep, Period> timeout)
    {
        return receiver_.receive_for(timeout);
    }

    // Another receiver of the same events. Thread: any.
    Receiver subscribe();

    // Snapshot of the poller's state, for tests and diagnostics. Thread: any.
    static DeviceStatus status();

    // Drops the device's receiver and frees the slot now, as the destructor does. Idempotent.
    void close() noexcept;
    bool is_open() const { return open_; }

    // The terminal guard, when the device manages the terminal's modes; else nullptr.
    const TerminalGuard* terminal() const { return guard_.get(); }

    // Asks the terminal what it supports (see capabilities.hpp) and waits for the answers, at
    // most `timeout`. The replies are taken out of the event stream: no receiver sees them.
    // Keys typed meanwhile are delivered as usual. Needs the terminal in raw mode under this
    // device (DeviceOptions::terminal with raw set); otherwise returns status `unavailable`
    // at once. Replies that arrive after the timeout reach receivers as ReportEvents.
    // Thread: the device's owner; blocks the caller only.
    const Capabilities& query_capabilities(std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    // The result of the last query (status `not_queried` before the first).
    const Capabilities& capabilities() const { return capabilities_; }

private:
    InputDevice(Receiver receiver, DeviceOptions options);

    Receiver receiver_;
    DeviceOptions options_;
    std::unique_ptr<TerminalGuard> guard_;
    Capabilities capabilities_;
    int tty_fd_ = -1;  // owned: the terminal the guard writes to, when we opened it
    bool open_ = false;
};

}  // namespace vtinput
