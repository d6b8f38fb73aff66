// What the device reads, and the terminal whose modes it manages (internal).
//
// The one rule for "which terminal": DeviceOptions::fd when it is set, else standard input if
// it is a terminal, else the controlling terminal (/dev/tty). The lifecycle opens the reading
// side with open_input(); InputDevice opens the side the TerminalGuard writes to with
// open_for_modes(); InputDevice::size() and the poller's ResizeEvents ask terminal_size() and
// window_size(). All follow terminal_path(), so they always name the same terminal.
//
// Stateless: every function may be called from any thread, and blocks only in open(2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "support/fd.hpp"
#include "vtinput/input_device.hpp"

namespace vtinput::detail {

// The terminal to use when DeviceOptions::fd is -1: the name of standard input's terminal if
// standard input is one, else "/dev/tty".
std::string terminal_path();

// Which file the options ask to read, as (device, inode): that of DeviceOptions::fd, or (0, 0)
// for the default terminal. Two subscribers may share a poller only if these are equal.
// Throws std::system_error if DeviceOptions::fd is not open.
struct SourceIdentity {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    friend bool operator==(const SourceIdentity&, const SourceIdentity&) = default;
};
SourceIdentity source_identity(const DeviceOptions& options);

// The reading side: our own open file description of the input, non-blocking, so that
// O_NONBLOCK (which libuv sets) never reaches the caller's. Where re-opening is impossible
// (a socket) the description is shared, and `restore_flags` holds its file status flags to put
// back when reading stops (else -1).
struct InputFd {
    UniqueFd fd;
    int restore_flags = -1;
};
// Throws std::system_error naming what it tried: "vtinput: cannot open the terminal
// (/dev/tty)", "vtinput: cannot use fd 5".
InputFd open_input(const DeviceOptions& options);

// The side the TerminalGuard writes to, blocking and writable: DeviceOptions::fd itself if it
// is a terminal (borrowed), else the default terminal opened read-write (owned). `fd` is -1
// when the input is not a terminal, or when we may not write to the terminal (EACCES, EPERM,
// EROFS): the device then leaves the modes alone. Any other failure to open it (no free fd, no
// memory) throws std::system_error: a device must not come up on a terminal it was asked to
// set and could not.
struct ModesFd {
    int fd = -1;     // what to hand the guard; valid while this object lives
    UniqueFd owned;  // set when `fd` was opened here
};
ModesFd open_for_modes(const DeviceOptions& options);

// The size of terminal `fd` (TIOCGWINSZ), as a ResizeEvent carries it; nullopt if `fd` is not
// a terminal.
std::optional<ResizeEvent> window_size(int fd);
// The size of the terminal the options name (the one rule above); nullopt if the input is not
// a terminal or the terminal cannot be opened.
std::optional<ResizeEvent> terminal_size(const DeviceOptions& options);

}  // namespace vtinput::detail
