// The libuv floor of tests/bench/program_latency: the terminal as a uv_tty_t in raw mode
// (UV_TTY_MODE_RAW), read with uv_read_start on the thread that runs the loop, no decoding.
// One line per read callback, "ev uv N" with N the bytes read, as peer_read does.
//
//   peer_uv            (protocol: peer.hpp)
#include <cstdio>
#include <cstring>

#include <unistd.h>
#include <uv.h>

#include "peer.hpp"

namespace {

char g_buf[4096];

void on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) { *buf = uv_buf_init(g_buf, sizeof g_buf); }

void on_read(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf)
{
    if (n == 0) {
        return;  // EAGAIN
    }
    if (n < 0 || std::memchr(buf->base, 'q', static_cast<std::size_t>(n)) != nullptr) {
        uv_read_stop(stream);
        uv_close(reinterpret_cast<uv_handle_t*>(stream), nullptr);
        return;
    }
    char text[32];
    std::snprintf(text, sizeof text, "ev uv %zd", n);
    peer::line(text);
}

}  // namespace

int main()
{
    uv_loop_t loop;
    uv_tty_t tty;
    if (uv_loop_init(&loop) != 0 || uv_tty_init(&loop, &tty, STDIN_FILENO, 1) != 0 ||
        uv_tty_set_mode(&tty, UV_TTY_MODE_RAW) != 0) {
        std::fprintf(stderr, "peer_uv: cannot set up the terminal\n");
        return 1;
    }
    peer::line("ready");
    uv_read_start(reinterpret_cast<uv_stream_t*>(&tty), on_alloc, on_read);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_tty_reset_mode();
    return uv_loop_close(&loop) == 0 ? 0 : 1;
}
