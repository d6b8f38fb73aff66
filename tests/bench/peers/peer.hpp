// The line protocol of the program peers of tests/bench/program_latency: each peer is a
// whole program reading its controlling terminal (standard input, a PTY slave the harness
// holds the master of) the way an application using its library would.
//
// Protocol: set the terminal up (raw mode, the library's way), print "ready", then print
// exactly one line "ev <what>" per input event (a key, a mouse report), each with one write()
// so that every peer pays the same output cost; exit on a plain 'q' or at the end of input.
// Raw mode turns output processing off, so lines end in CR LF. Header-only, C++ peers only
// (the crossterm peer speaks the same protocol from Rust).
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <termios.h>
#include <unistd.h>

namespace peer {

// One write of `text` and CR LF; gives up quietly when the harness has gone.
inline void line(std::string_view text)
{
    char buf[512];
    std::size_t n = std::min(text.size(), sizeof buf - 2);
    std::memcpy(buf, text.data(), n);
    buf[n++] = '\r';
    buf[n++] = '\n';
    for (std::size_t off = 0; off < n;) {
        ssize_t w = ::write(STDOUT_FILENO, buf + off, n - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        off += static_cast<std::size_t>(w);
    }
}

// termios raw mode on `fd` (cfmakeraw, blocking reads of at least one byte) for the peers
// whose library leaves that to the caller; the settings are put back by the destructor.
class RawMode {
public:
    explicit RawMode(int fd) : fd_(fd)
    {
        if (::tcgetattr(fd_, &saved_) != 0) {
            std::perror("tcgetattr");
            return;
        }
        termios t = saved_;
        ::cfmakeraw(&t);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        ok_ = ::tcsetattr(fd_, TCSANOW, &t) == 0;
    }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    ~RawMode()
    {
        if (ok_) {
            ::tcsetattr(fd_, TCSANOW, &saved_);
        }
    }
    bool ok() const { return ok_; }

private:
    int fd_;
    termios saved_{};
    bool ok_ = false;
};

}  // namespace peer
