// The poller thread: read what the terminal has, decode it, broadcast the events.
//
// Goals: deliver every byte it reads, as events, before it stops (or hand the decoder's
// undecided bytes to the next generation); never block anything but itself; never die
// silently. Every way out (no receivers left, end of input, I/O error, exception) goes through
// PollerHost::decide_exit under the lifecycle lock and then the same shutdown: close every
// handle, run the loop dry, uv_loop_close() == 0, hand over, return.
#include "device/poller.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

#include "support/error.hpp"

namespace vtinput::detail {

struct Poller::Loop {
    uv_loop_t loop{};
    uv_poll_t poll{};
    uv_signal_t winch{};
    uv_timer_t timer{};
    uv_async_t doorbell{};
    bool stopping = false;
    Decoder decoder;
    std::vector<Event> batch;
    std::vector<char> buffer = std::vector<char>(64 * 1024);
    std::string raw;  // raw_bytes: bytes fed since the last RawEvent
    Poller* self = nullptr;

    Loop(const PollerConfig& c) : decoder(c.decoder, c.keymap) {}
};

namespace {

constexpr std::size_t k_max_reads_per_wakeup = 16;  // fairness towards timer and doorbell

Poller::Loop& loop_of(const void* handle_data) { return *static_cast<Poller::Loop*>(const_cast<void*>(handle_data)); }

// libuv's errors are negative errno values.
std::error_code uv_code(int err) { return errno_code(-err); }

void close_handle(uv_handle_t* h)
{
    if (!uv_is_closing(h)) {
        uv_close(h, nullptr);
    }
}

}  // namespace

Poller::Poller(PollerHost& host, PollerConfig config, std::string carry, std::uint64_t generation)
    : host_(host), config_(std::move(config)), carry_(std::move(carry)), generation_(generation)
{}

Poller::~Poller() { join(); }

std::shared_ptr<const PollerHooks> Poller::hooks() const
{
    return config_.hooks != nullptr ? config_.hooks->get() : nullptr;
}

void Poller::start()
{
    auto l = std::make_unique<Loop>(config_);
    l->self = this;
    auto fail = [&](const char* what, int err) {
        throw_error(uv_code(err), std::string("cannot start the input poller: ") + what);
    };
    if (int err = uv_loop_init(&l->loop)) {
        fail("uv_loop_init", err);
    }
    // From here on, a failure must close what was opened and still leave the loop closable.
    int err = uv_poll_init(&l->loop, &l->poll, config_.fd.get());
    const char* what = "the terminal fd cannot be polled";
    if (err == 0) {
        uv_signal_init(&l->loop, &l->winch);
        uv_timer_init(&l->loop, &l->timer);
        err = uv_async_init(&l->loop, &l->doorbell, [](uv_async_t* h) { loop_of(h->data).self->on_doorbell(); });
        what = "uv_async_init";
    }
    if (err == 0) {
        // Watch SIGWINCH before open() returns: a resize that arrives before the thread runs
        // is then queued for the loop instead of meeting the default action (discard).
        l->winch.data = l.get();
        err = uv_signal_start(
            &l->winch, [](uv_signal_t* h, int) { loop_of(h->data).self->on_winch(); }, SIGWINCH);
        what = "uv_signal_start(SIGWINCH)";
    }
    if (err != 0) {
        uv_walk(
            &l->loop, [](uv_handle_t* h, void*) { close_handle(h); }, nullptr);
        uv_run(&l->loop, UV_RUN_DEFAULT);
        uv_loop_close(&l->loop);
        fail(what, err);
    }
    l->poll.data = l->winch.data = l->timer.data = l->doorbell.data = l.get();
    loop_ = std::move(l);
    thread_ = std::thread([this] { run(); });
}

void Poller::wake() { uv_async_send(&loop_->doorbell); }

void Poller::join()
{
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Poller::stop()
{
    Loop& l = *loop_;
    if (l.stopping) {
        return;
    }
    l.stopping = true;
    close_handle(reinterpret_cast<uv_handle_t*>(&l.poll));
    close_handle(reinterpret_cast<uv_handle_t*>(&l.winch));
    close_handle(reinterpret_cast<uv_handle_t*>(&l.timer));
    close_handle(reinterpret_cast<uv_handle_t*>(&l.doorbell));
}

void Poller::fail(const std::exception& ex)
{
    // Our own errors already read "vtinput: ..."; the prefix is added once, by fail() below.
    std::string_view what = ex.what();
    if (what.starts_with("vtinput: ")) {
        what.remove_prefix(9);
    }
    fail(std::make_error_code(std::errc::state_not_recoverable), "the input poller failed: " + std::string(what));
}

void Poller::fail(const std::error_code& ec, const std::string& message)
{
    Loop& l = *loop_;
    l.batch.push_back(ErrorEvent{ec, error_message(message)});
    send();
    host_.decide_exit(true);
    stop();
}

void Poller::send()
{
    Loop& l = *loop_;
    host_.take_replies(l.batch);
    host_.sender().send_batch(l.batch);
}

void Poller::decode(std::string_view bytes)
{
    Loop& l = *loop_;
    auto now = Decoder::clock::now();
    if (!config_.raw_bytes) {
        l.decoder.feed(bytes, now, l.batch);
        return;
    }
    // One byte at a time: the decoder gives the same events however its input is split, and
    // the events that appear after a byte are exactly those that byte completed.
    for (char c : bytes) {
        l.raw += c;
        std::size_t first = l.batch.size();
        l.decoder.feed(std::string_view(&c, 1), now, l.batch);
        attribute_raw(first);
    }
}

void Poller::flush()
{
    Loop& l = *loop_;
    std::size_t first = l.batch.size();
    l.decoder.flush(Decoder::clock::now(), l.batch);
    attribute_raw(first);
}

void Poller::finish()
{
    Loop& l = *loop_;
    std::size_t first = l.batch.size();
    l.decoder.finish(l.batch);
    attribute_raw(first);
}

void Poller::attribute_raw(std::size_t first)
{
    Loop& l = *loop_;
    if (config_.raw_bytes && l.batch.size() > first && !l.raw.empty()) {
        l.batch.insert(l.batch.begin() + static_cast<std::ptrdiff_t>(first), RawEvent{std::move(l.raw)});
        l.raw.clear();
    }
}

void Poller::deliver()
{
    Loop& l = *loop_;
    send();
    if (l.stopping) {
        return;
    }
    auto deadline = l.decoder.deadline();
    if (!deadline) {
        uv_timer_stop(&l.timer);
        return;
    }
    auto wait = *deadline - Decoder::clock::now();
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    uv_update_time(&l.loop);
    uv_timer_start(
        &l.timer, [](uv_timer_t* h) { loop_of(h->data).self->on_timer(); }, ms > 0 ? static_cast<std::uint64_t>(ms) : 0,
        0);
}

void Poller::on_readable(int status) noexcept
{
    Loop& l = *loop_;
    try {
        // libuv reports POLLERR as UV_EBADF and stops the handle; the read below then tells
        // the real story (ECONNRESET, EIO, end of input). Only if it has nothing to say is
        // the poll status itself the error.
        if (status < 0 && host_.sender().receiver_count() == 0) {
            uv_poll_stop(&l.poll);
            return;
        }
        if (host_.sender().receiver_count() == 0) {
            // Nobody to read for: leave the bytes in the kernel for the next generation. The
            // doorbell (rung by the last receiver's drop) decides whether we stop or resume.
            uv_poll_stop(&l.poll);
            return;
        }
        if (auto h = hooks(); h && h->before_read) {
            h->before_read();
        }
        for (std::size_t i = 0; i < k_max_reads_per_wakeup; ++i) {
            ssize_t n = ::read(config_.fd.get(), l.buffer.data(), l.buffer.size());
            if (n > 0) {
                decode(std::string_view(l.buffer.data(), static_cast<std::size_t>(n)));
                if (static_cast<std::size_t>(n) < l.buffer.size()) {
                    break;
                }
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (status < 0) {
                    fail(uv_code(status), std::string("polling the terminal failed: ") + uv_strerror(status));
                    return;
                }
                break;
            }
            if (n == 0 || errno == EIO) {
                // End of input: a pipe's writer closed, or the terminal hung up (EIO).
                finish();
                l.batch.push_back(EofEvent{});
                send();
                host_.decide_exit(true);
                stop();
                return;
            }
            int e = errno;
            finish();
            fail(errno_code(e), std::string("reading the terminal failed: ") + std::strerror(e));
            return;
        }
        deliver();
    } catch (const std::exception& ex) {
        fail(ex);
    }
}

void Poller::on_timer() noexcept
{
    try {
        flush();
        deliver();
    } catch (const std::exception& ex) {
        fail(ex);
    }
}

void Poller::on_winch() noexcept
{
    Loop& l = *loop_;
    try {
        winsize ws{};
        if (::ioctl(config_.fd.get(), TIOCGWINSZ, &ws) == 0) {
            l.batch.push_back(ResizeEvent{ws.ws_col, ws.ws_row, ws.ws_xpixel, ws.ws_ypixel});
            deliver();
        }
    } catch (const std::exception& ex) {
        fail(ex);
    }
}

void Poller::on_doorbell() noexcept
{
    // One snapshot for both hook points: hooks replaced meanwhile never mix with these.
    auto h = hooks();
    if (h && h->before_exit_check) {
        h->before_exit_check();
    }
    if (host_.decide_exit(false)) {
        if (h && h->after_exit_decision) {
            h->after_exit_decision();
        }
        stop();
        return;
    }
    // A receiver arrived before we looked: keep going (and resume polling if we paused).
    start_polling();
}

void Poller::start_polling()
{
    Loop& l = *loop_;
    int err = uv_poll_start(&l.poll, UV_READABLE | UV_DISCONNECT,
                            [](uv_poll_t* h, int status, int) { loop_of(h->data).self->on_readable(status); });
    if (err != 0) {
        fail(uv_code(err), std::string("the terminal fd cannot be polled: ") + uv_strerror(err));
    }
}

void Poller::run() noexcept
{
    Loop& l = *loop_;
    try {
        start_polling();
        if (!l.stopping && !carry_.empty()) {
            // What the previous generation had read but not decided: decode it first.
            decode(carry_);
            carry_.clear();
            deliver();
        }
    } catch (const std::exception& ex) {
        fail(ex);
    }
    uv_run(&l.loop, UV_RUN_DEFAULT);
    // uv_run returns only once every handle is closed (stop() was called on every exit path).
    bool clean = uv_loop_close(&l.loop) == 0;
    std::string carry = l.decoder.take_pending();
    if (config_.restore_flags >= 0) {
        ::fcntl(config_.fd.get(), F_SETFL, config_.restore_flags);
    }
    config_.fd.reset();
    host_.exited(std::move(carry), clean);
}

}  // namespace vtinput::detail
