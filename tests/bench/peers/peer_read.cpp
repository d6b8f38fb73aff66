// The floor of tests/bench/program_latency: a blocking read() loop on the raw-mode terminal,
// no decoding at all. One line per read() (a key or a mouse report written in one write to
// the PTY master arrives in one read), "ev read N" with N the bytes read.
//
//   peer_read          (protocol: peer.hpp)
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "peer.hpp"

int main()
{
    peer::RawMode raw(STDIN_FILENO);
    if (!raw.ok()) {
        return 1;
    }
    peer::line("ready");
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || std::memchr(buf, 'q', static_cast<std::size_t>(n)) != nullptr) {
            break;
        }
        char text[32];
        std::snprintf(text, sizeof text, "ev read %zd", n);
        peer::line(text);
    }
    return 0;
}
