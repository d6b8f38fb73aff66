// Fixtures of the suites that open a real InputDevice on a pipe (device_test, handoff_test):
// the pipe that plays the terminal, the guard that leaves no poller behind whatever a test did,
// and the options of a device on an fd. Header-only; doctest's REQUIRE, so test files only.
#pragma once

#include <string_view>

#include <doctest/doctest.h>
#include <unistd.h>

#include "device/lifecycle.hpp"
#include "system.hpp"
#include "vtinput/input_device.hpp"

namespace vtinput::test {

struct Pipe {
    int r = -1, w = -1;
    Pipe()
    {
        int fds[2];
        REQUIRE(open_pipe(fds) == 0);
        r = fds[0];
        w = fds[1];
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    ~Pipe()
    {
        close_write();
        if (r >= 0) {
            ::close(r);
        }
    }
    // Writes everything; false if the pipe broke. Called from writer threads, so no asserts.
    bool write(std::string_view s) const
    {
        while (!s.empty()) {
            ssize_t n = ::write(w, s.data(), s.size());
            if (n <= 0) {
                return false;
            }
            s.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }
    void close_write()
    {
        if (w >= 0) {
            ::close(w);
            w = -1;
        }
    }
};

// Every test leaves no poller behind, whatever happened.
struct Clean {
    Clean() { detail::Lifecycle::instance().shutdown(); }
    Clean(const Clean&) = delete;
    Clean& operator=(const Clean&) = delete;
    ~Clean()
    {
        detail::Lifecycle::instance().set_hooks({});
        detail::Lifecycle::instance().shutdown();
    }
};

// A device reading `fd`, with a fixed terminal type so that no test depends on $TERM.
inline DeviceOptions on(int fd)
{
    DeviceOptions o;
    o.fd = fd;
    o.term = "xterm-256color";
    return o;
}

}  // namespace vtinput::test
