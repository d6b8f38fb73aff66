// What the device and the channel need from the system beyond POSIX (internal), in two
// backends chosen by the build (lib/platform/meson.build): linux.cpp (eventfd, /proc/self/fd,
// gettid) and posix.cpp, its twin for macOS and the BSDs, which CI also runs on Linux
// (-Dportable=true). Each function has one contract; the backends differ only in how they keep
// it. Nothing here includes <uv.h>: the poller asks `read_terminals_as_streams` and picks the
// libuv handle itself.
#pragma once

#include "support/fd.hpp"

namespace vtinput::detail::platform {

// A readiness descriptor, what Receiver::fd() hands out: readable from signal() until clear().
// Non-blocking and close-on-exec. signal() may be called from any thread and any number of
// times (a full pipe or counter stays readable); clear() only by the one thread that owns the
// receiver. Linux: one eventfd. POSIX: a pipe whose read end is fd().
class WakeFd {
public:
    WakeFd() = default;
    // Empty, with errno set (EMFILE, ENFILE, ENOMEM), when the system refuses.
    static WakeFd create() noexcept;

    explicit operator bool() const noexcept { return static_cast<bool>(read_); }
    int fd() const noexcept { return read_.get(); }
    void signal() const noexcept;
    void clear() const noexcept;

private:
    UniqueFd read_;
    UniqueFd write_;  // the pipe's write end (POSIX backend only)
};

// A file description of our own for the open fd `fd`, opened with `flags` (plus O_NOCTTY and
// O_CLOEXEC), so that O_NONBLOCK set on it never reaches the caller's description. Empty, with
// errno set, when this kind of file cannot be re-opened: the caller then shares the
// description and puts its flags back (lib/device/source.cpp). Linux: /proc/self/fd/N, which
// serves terminals, pipes and files alike. POSIX: terminals only, by ttyname_r(), checked to be
// the same device.
UniqueFd reopen(int fd, int flags);

// A number that tells the calling thread from every other live thread of the process, below
// 2^56 and never 0. Async-signal-safe. Linux: gettid(). POSIX: pthread_self()'s value, which on
// the systems we build for is the address of the thread's descriptor (16-byte aligned, under
// 2^60), shifted right by 4.
unsigned long long thread_token() noexcept;

// Names the calling thread (at most 15 characters), as top -H, ps -L, gdb and /proc/PID/task
// show it; best effort. Linux: pthread_setname_np. POSIX: the system's own call on macOS and
// the BSDs, nothing elsewhere.
void name_thread(const char* name) noexcept;

// Whether the poller reads a terminal as a libuv stream (uv_tty_t + uv_read_start) instead of
// watching it with uv_poll_t. kqueue refuses terminals (EINVAL on macOS: tokio-rs/mio#1377,
// crossterm#996), and libuv's tty stream falls back to select() on a thread of its own there;
// uv_poll_t has no such fallback. Pipes, sockets and files take uv_poll_t everywhere.
extern const bool read_terminals_as_streams;

}  // namespace vtinput::detail::platform
