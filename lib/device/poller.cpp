// The poller thread: read what the terminal has, decode it, broadcast the events.
//
// Goals: deliver every byte it reads, as events, before it stops (or hand the decoder's
// undecided bytes to the next generation); never block anything but itself; never die
// silently; never deliver a damaged event. Every way out (no receivers left, end of input, I/O
// error, exception) goes through the PollerHost under the lifecycle lock and then the same
// shutdown: remove the SIGWINCH listener, close every handle, run the loop dry,
// uv_loop_close() == 0, hand over, return.
//
// Batches: the events of one wake-up are sent as one batch, whole or not at all. A failure
// while a batch is built or sent (an allocation, in practice) drops that batch and sends the
// ErrorEvent alone: a half-built batch may end in the middle of what one read produced, and a
// failed send leaves moved-from events behind (a paste with no text). Sender::send_batch
// publishes nothing when it throws.
//
// Reading: a uv_poll_t watches the fd and on_readable reads it, except for a terminal on the
// portable backend (platform::read_terminals_as_streams: kqueue refuses terminals), which is a
// uv_tty_t that libuv reads (select() on a thread of its own on macOS) into our buffer, handing
// each read to on_read. uv_tty_init may put a new description of the same terminal under the fd
// it is given, and uv_close closes that fd: it gets a copy (>= 3, which libuv closes), and
// `config_.fd` stays ours for the window size and the flags to put back.
//
// Pausing: reading stops (the handle is stopped, and both paths check `paused` and the receiver
// count before they read: on_readable before read(), on_alloc by refusing the buffer, whatever
// libuv still has queued) while no receiver is left, and while the device has released the
// terminal. On release the decoder's pending bytes are resolved and delivered before the host
// is told: they were typed for the application.
#include "device/poller.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include "device/poller_loop.hpp"
#include "device/source.hpp"
#include "platform/platform.hpp"
#include "support/error.hpp"
#include "terminal/winch.hpp"

namespace vtinput::detail {

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

// Runs in the SIGWINCH handler: only async-signal-safe calls (uv_async_send is one).
void on_winch_signal(void* loop) noexcept { uv_async_send(&static_cast<Poller::Loop*>(loop)->winch); }

// The first uv_loop_init of the process also creates libuv's process-wide signal lock pipe,
// after the loop's epoll (kqueue) fd, and calls abort() if it cannot: 3 free fds are needed
// then. Ask for them first (copies of the terminal's fd), so that too few fds are an error
// instead of a crash. (Another thread could take them between this check and the init; nothing
// closes that window short of libuv.)
std::atomic<bool> g_libuv_initialised{false};

void check_fds_for_first_loop(int fd_to_copy)
{
    if (g_libuv_initialised.load()) {
        return;
    }
    UniqueFd probe[3];
    for (UniqueFd& fd : probe) {
        fd.reset(::fcntl(fd_to_copy, F_DUPFD_CLOEXEC, 0));
        if (!fd) {
            throw_errno(errno, "cannot start the input poller: libuv needs 3 free file descriptors");
        }
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
    l->paused = config_.start_paused;
    check_fds_for_first_loop(config_.fd.get());
    if (int err = uv_loop_init(&l->loop)) {
        // libuv 1.44 leaves the epoll fd open when a later step of its init fails.
        if (int backend = uv_backend_fd(&l->loop); backend >= 0) {
            ::close(backend);
        }
        throw_error(uv_code(err), "cannot start the input poller: uv_loop_init failed");
    }
    g_libuv_initialised.store(true);
    loop_ = std::move(l);
    Loop& lp = *loop_;
    // From here on, a failure must remove the listener, close what was opened and leave the
    // loop closed (undo_start).
    try {
        const char* what = "the terminal fd cannot be polled";
        int err = init_input(lp);
        if (err == 0) {
            uv_timer_init(&lp.loop, &lp.timer);
            what = "uv_async_init";
            err = uv_async_init(&lp.loop, &lp.doorbell, [](uv_async_t* h) { loop_of(h->data).self->on_doorbell(); });
        }
        if (err == 0) {
            err = uv_async_init(&lp.loop, &lp.winch, [](uv_async_t* h) { loop_of(h->data).self->on_winch(); });
        }
        if (err != 0) {
            throw_error(uv_code(err), std::string("cannot start the input poller: ") + what);
        }
        lp.input()->data = lp.timer.data = lp.doorbell.data = lp.winch.data = &lp;
        // Watch SIGWINCH before open() returns: a resize that arrives before the thread runs
        // is then queued for the loop instead of being missed.
        add_winch_listener(on_winch_signal, &lp);
        lp.listening = true;
        try {
            if (auto h = hooks(); h && h->before_spawn) {
                h->before_spawn();  // a test's stand-in for the std::thread constructor's failure
            }
            thread_ = std::thread([this] { run(); });
        } catch (const std::system_error& e) {
            throw_error(e.code(), "cannot start the input poller thread");
        }
    } catch (...) {
        undo_start();
        throw;
    }
}

int Poller::init_input(Loop& lp)
{
    const int fd = config_.fd.get();
    lp.stream = platform::read_terminals_as_streams && ::isatty(fd) == 1;
    if (!lp.stream) {
        return uv_poll_init(&lp.loop, &lp.poll, fd);
    }
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);  // libuv never closes 0..2
    if (copy < 0) {
        return -errno;
    }
    int err = uv_tty_init(&lp.loop, &lp.tty, copy, 0);
    uv_os_fd_t used = -1;
    if (err != 0 || uv_fileno(lp.input(), &used) != 0) {
        ::close(copy);
        return err;
    }
    // A terminal re-opened by name is read through the new fd, which libuv closes with the
    // handle unless it is 0..2 (then run() does); `copy` was only pointed at it (dup2).
    if (used != copy) {
        ::close(copy);
        lp.low_fd = used <= 2 ? used : -1;
    }
    return 0;
}

void Poller::undo_start() noexcept
{
    Loop& l = *loop_;
    if (l.listening) {
        remove_winch_listener(on_winch_signal, &l);
        l.listening = false;
    }
    uv_walk(
        &l.loop, [](uv_handle_t* h, void*) { close_handle(h); }, nullptr);
    uv_run(&l.loop, UV_RUN_DEFAULT);
    uv_loop_close(&l.loop);
    if (l.low_fd >= 0) {
        ::close(l.low_fd);
    }
    loop_.reset();
}

void Poller::wake() { uv_async_send(&loop_->doorbell); }

void Poller::join()
{
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Poller::stop() noexcept
{
    Loop& l = *loop_;
    if (l.stopping) {
        return;
    }
    l.stopping = true;
    // The listener goes before its handle: once removed, no signal handler touches `winch`.
    if (l.listening) {
        remove_winch_listener(on_winch_signal, &l);
        l.listening = false;
    }
    close_handle(l.input());
    close_handle(reinterpret_cast<uv_handle_t*>(&l.winch));
    close_handle(reinterpret_cast<uv_handle_t*>(&l.timer));
    close_handle(reinterpret_cast<uv_handle_t*>(&l.doorbell));
}

void Poller::fail(const char* what) noexcept
{
    loop_->batch.clear();
    // Our own errors already read "vtinput: ..."; the prefix is added once, by error_message.
    std::string_view detail = what;
    if (detail.starts_with("vtinput: ")) {
        detail.remove_prefix(9);
    }
    fail(std::make_error_code(std::errc::state_not_recoverable), "the input poller failed: ", detail);
}

void Poller::fail(const std::error_code& ec, std::string_view what, std::string_view detail) noexcept
{
    Loop& l = *loop_;
    try {
        std::string message = error_message(what);
        message += detail;
        l.batch.push_back(ErrorEvent{ec, std::move(message)});
        send();
    } catch (...) {
        l.batch.clear();  // the lifecycle closes the channel: the receivers see the end
    }
    host_.input_ended();
    stop();
}

void Poller::send()
{
    Loop& l = *loop_;
    try {
        host_.take_replies(l.batch);
        host_.sender().send_batch(l.batch);
        host_.dispatch_inline();
    } catch (...) {
        l.batch.clear();  // nothing of it was published; what is left may be moved-from
        throw;
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
        // Released, or nobody to read for: leave the bytes in the kernel. The doorbell (rung by
        // a resume, or by the last receiver's drop) decides whether we stop or read again.
        // libuv reports POLLERR as UV_EBADF and stops the handle; with receivers, the read
        // below then tells the real story (ECONNRESET, EIO, end of input). Only if it has
        // nothing to say is the poll status itself the error.
        if (!l.reading()) {
            stop_reading();
            return;
        }
        if (auto h = hooks(); h && h->before_read) {
            h->before_read();
        }
        for (std::size_t i = 0; i < k_max_reads_per_wakeup; ++i) {
            ssize_t n = ::read(config_.fd.get(), l.buffer.get(), Loop::k_buffer_size);
            if (n > 0) {
                decode(std::string_view(l.buffer.get(), static_cast<std::size_t>(n)));
                if (static_cast<std::size_t>(n) < Loop::k_buffer_size) {
                    break;
                }
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (status < 0) {
                    fail(uv_code(status), "polling the terminal failed: ", uv_strerror(status));
                    return;
                }
                break;
            }
            if (n == 0 || errno == EIO) {
                end_of_input();
                return;
            }
            int e = errno;
            finish();
            fail(errno_code(e), "reading the terminal failed: ", std::strerror(e));
            return;
        }
        deliver();
    } catch (const std::exception& ex) {
        fail(ex.what());
    } catch (...) {
        fail("unknown exception");
    }
}

void Poller::end_of_input()
{
    // A pipe's writer closed, or the terminal hung up (EIO).
    finish();
    loop_->batch.push_back(EofEvent{});
    send();
    host_.input_ended();
    stop();
}

void Poller::on_read(long nread) noexcept
{
    Loop& l = *loop_;
    try {
        if (nread == UV_ENOBUFS) {  // on_alloc refused: released, or nobody to read for
            uv_read_stop(reinterpret_cast<uv_stream_t*>(&l.tty));
            return;
        }
        if (nread == 0) {  // EAGAIN: libuv waits again
            return;
        }
        if (nread == UV_EOF || nread == UV_EIO) {
            end_of_input();
            return;
        }
        if (nread < 0) {
            int err = static_cast<int>(nread);
            finish();
            fail(uv_code(err), "reading the terminal failed: ", uv_strerror(err));
            return;
        }
        if (auto h = hooks(); h && h->before_read) {
            h->before_read();
        }
        decode(std::string_view(l.buffer.get(), static_cast<std::size_t>(nread)));
        deliver();
    } catch (const std::exception& ex) {
        fail(ex.what());
    } catch (...) {
        fail("unknown exception");
    }
}

void Poller::on_timer() noexcept
{
    try {
        flush();
        deliver();
    } catch (const std::exception& ex) {
        fail(ex.what());
    } catch (...) {
        fail("unknown exception");
    }
}

void Poller::add_size()
{
    if (auto size = window_size(config_.fd.get())) {
        loop_->batch.push_back(*size);
    }
}

void Poller::on_winch() noexcept
{
    try {
        add_size();
        deliver();
    } catch (const std::exception& ex) {
        fail(ex.what());
    } catch (...) {
        fail("unknown exception");
    }
}

void Poller::pause()
{
    Loop& l = *loop_;
    if (!l.paused) {
        l.paused = true;
        stop_reading();
        finish();
        deliver();
    }
}

void Poller::on_doorbell() noexcept
{
    // One snapshot for both hook points: hooks replaced meanwhile never mix with these.
    auto h = hooks();
    if (h && h->before_exit_check) {
        h->before_exit_check();
    }
    DoorbellAnswer answer = host_.doorbell();
    if (answer.next == DoorbellAnswer::Next::exit) {
        if (h && h->after_exit_decision) {
            h->after_exit_decision();
        }
        stop();
        return;
    }
    try {
        if (answer.next == DoorbellAnswer::Next::pause) {
            pause();
            if (!loop_->stopping) {
                host_.paused();
            }
            return;
        }
        // Read (again): a receiver arrived before we looked, or the terminal is ours again.
        loop_->paused = false;
        start_polling();
        if (answer.announce_size && !loop_->stopping) {
            add_size();  // the cue to redraw, before anything typed after the resume
            deliver();
        }
        host_.dispatch_inline();  // a handler just added may have events waiting
    } catch (const std::exception& ex) {
        fail(ex.what());
    } catch (...) {
        fail("unknown exception");
    }
}

void Poller::start_polling()
{
    Loop& l = *loop_;
    if (l.paused || l.stopping) {
        return;
    }
    int err = 0;
    if (l.stream) {
        // The buffer goes out only while reading() holds (else UV_ENOBUFS: on_read stops).
        auto on_alloc = [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
            Loop& lp = loop_of(h->data);
            *buf = lp.reading() ? uv_buf_init(lp.buffer.get(), static_cast<unsigned>(Loop::k_buffer_size))
                                : uv_buf_init(nullptr, 0);
        };
        err = uv_read_start(reinterpret_cast<uv_stream_t*>(&l.tty), on_alloc,
                            [](uv_stream_t* h, ssize_t nread, const uv_buf_t*) {
                                loop_of(h->data).self->on_read(static_cast<long>(nread));
                            });
        err = err == UV_EALREADY ? 0 : err;
    } else {
        err = uv_poll_start(&l.poll, UV_READABLE | UV_DISCONNECT,
                            [](uv_poll_t* h, int status, int) { loop_of(h->data).self->on_readable(status); });
    }
    if (err != 0) {
        fail(uv_code(err), "the terminal fd cannot be polled: ", uv_strerror(err));
        return;
    }
}

void Poller::stop_reading()
{
    Loop& l = *loop_;
    if (l.stream) {
        uv_read_stop(reinterpret_cast<uv_stream_t*>(&l.tty));
    } else {
        uv_poll_stop(&l.poll);
    }
}

void Poller::run() noexcept
{
    platform::name_thread("vtinput-input");
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
        fail(ex.what());
    } catch (...) {
        fail("unknown exception");
    }
    uv_run(&l.loop, UV_RUN_DEFAULT);
    // uv_run returns only once every handle is closed (stop() was called on every exit path).
    bool clean = uv_loop_close(&l.loop) == 0;
    if (l.low_fd >= 0) {
        ::close(l.low_fd);
    }
    std::string carry;
    try {
        carry = l.decoder.take_pending();
    } catch (...) {
        // No memory for the hand-over: the undecided bytes (one incomplete sequence at most,
        // or a paste's body) are lost with the generation.
    }
    if (config_.restore_flags >= 0) {
        ::fcntl(config_.fd.get(), F_SETFL, config_.restore_flags);
    }
    config_.fd.reset();
    host_.exited(std::move(carry), clean);
}

}  // namespace vtinput::detail
