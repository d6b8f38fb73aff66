// The PTY harness (see harness.hpp for the protocol and the rules on waiting).
//
// Invariants: the parent is single-threaded whenever it forks (checked); every fd the parent
// opens for a child is closed and every child is reaped by ~PtyChild, whatever the test did;
// the child never returns into doctest (it leaves with _exit, so the parent's stdio buffers are
// not flushed twice and no doctest state is torn down in the child).
#include "harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <chrono>
#include <thread>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lifecycle.hpp"

// Present only in sanitizer builds with LeakSanitizer; lets a child that leaves with _exit
// still have its leaks checked.
extern "C" int __lsan_do_recoverable_leak_check() __attribute__((weak));

namespace pty {
namespace {

using clock = std::chrono::steady_clock;

// Printable form of bytes for the transcript: escapes for controls and 8-bit bytes.
std::string visible(std::string_view bytes, std::size_t max = 400)
{
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\\') {
            out += "\\\\";
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (bytes.size() > max) {
        out += "... (" + std::to_string(bytes.size()) + " bytes)";
    }
    return out;
}

void write_all(int fd, std::string_view s)
{
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;  // the parent is gone; nothing sensible left to do
        }
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

// The child: raw terminal, the scenario, then "done" or "fail". Never returns.
[[noreturn]] void run_child(int report_fd, const Scenario& scenario)
{
    Reporter report(report_fd);
    int code = 1;
    try {
        // A terminal emulator sets TERM; the key table must not depend on the CI's environment.
        ::setenv("TERM", "xterm-256color", 1);
        termios t{};
        require(::tcgetattr(STDIN_FILENO, &t) == 0, std::string("tcgetattr: ") + std::strerror(errno));
        ::cfmakeraw(&t);
        require(::tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0, std::string("tcsetattr: ") + std::strerror(errno));
        // ThreadSanitizer starts a helper thread of its own with the process's first thread;
        // start it now, so that the scenarios' thread counts see only the library's threads.
        std::thread([] {}).join();
        scenario(report);
        // Every scenario drops its devices and receivers by its end; the poller thread must
        // then exit and be joined, leaving nothing behind (ThreadSanitizer would otherwise
        // report the finished but unjoined thread as leaked when the child exits).
        require(vtinput::detail::Lifecycle::instance().wait_idle(k_child_timeout),
                "the poller thread did not exit at the end of the scenario");
        if (__lsan_do_recoverable_leak_check != nullptr) {
            // Every scenario ends with its devices dropped; what is left must be reachable.
            require(__lsan_do_recoverable_leak_check() == 0, "LeakSanitizer found leaks (see the terminal output)");
        }
        report.line("done");
        code = 0;
    } catch (const std::exception& e) {
        report.line(std::string("fail ") + e.what());
    } catch (...) {
        report.line("fail unknown exception");
    }
    ::_exit(code);
}

}  // namespace

// ---- child side ----------------------------------------------------------------------------

void Reporter::line(std::string_view text)
{
    std::string l(text);
    std::replace(l.begin(), l.end(), '\n', ' ');
    l += '\n';
    write_all(fd_, l);
}

void Reporter::event(std::string_view tag, const vtinput::Event& event)
{
    line("event " + std::string(tag) + " " + vtinput::to_json(event));
}

void Reporter::status()
{
    auto s = vtinput::InputDevice::status();
    line("status running=" + std::to_string(s.running) + " generation=" + std::to_string(s.generation) +
         " receivers=" + std::to_string(s.receivers) + " device_open=" + std::to_string(s.device_open));
}

void require(bool ok, const std::string& message)
{
    if (!ok) {
        throw std::runtime_error(message);
    }
}

vtinput::Event next_event(vtinput::Receiver& r, std::string_view what)
{
    auto e = r.receive_for(k_child_timeout);
    require(e.has_value(), "no event on " + std::string(what) + " within the failure timeout" +
                               (r.closed() ? " (channel closed)" : ""));
    return std::move(*e);
}

vtinput::KeyEvent next_key(vtinput::Receiver& r, std::string_view what)
{
    auto e = next_event(r, what);
    auto* k = std::get_if<vtinput::KeyEvent>(&e);
    require(k != nullptr, std::string(what) + ": expected a key, got " + vtinput::to_json(e));
    return std::move(*k);
}

// ---- parent side ---------------------------------------------------------------------------

PtyChild::PtyChild(std::string name, Scenario scenario, WindowSize size) : name_(std::move(name))
{
    // fork() copies only the calling thread; with another thread around, the child could
    // inherit a lock held forever. The parent never opens a device, so this holds.
    REQUIRE_MESSAGE(thread_count() == 1, "the test process must be single-threaded when it forks");
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    winsize ws{};
    ws.ws_col = size.cols;
    ws.ws_row = size.rows;
    std::fflush(nullptr);
    std::cout.flush();
    std::cerr.flush();
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
    if (pid == 0) {
        ::close(fds[0]);
        run_child(fds[1], scenario);
    }
    int err = errno;
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        FAIL("forkpty failed: " << std::strerror(err));
    }
    pid_ = pid;
    master_ = master;
    reports_ = fds[0];
    ::fcntl(master_, F_SETFD, FD_CLOEXEC);
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
    ::fcntl(reports_, F_SETFL, ::fcntl(reports_, F_GETFL) | O_NONBLOCK);
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    note("spawned scenario '" + name_ + "' as pid " + std::to_string(pid_));
}

PtyChild::~PtyChild()
{
    if (!reaped_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, &wait_status_, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
    }
    for (int fd : {master_, reports_, pidfd_}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

void PtyChild::note(std::string_view what)
{
    log_ += what;
    log_ += '\n';
}

std::string PtyChild::transcript() const
{
    // The tail is what matters; a 1 MiB paste must not drown it.
    constexpr std::size_t k_max = 12000;
    std::string out = "---- transcript of '" + name_ + "' ----\n";
    if (log_.size() > k_max) {
        out += "[... " + std::to_string(log_.size() - k_max) + " bytes ...]\n";
        out += log_.substr(log_.size() - k_max);
    } else {
        out += log_;
    }
    if (!pending_.empty()) {
        out += "< (partial line) " + visible(pending_) + "\n";
    }
    out += "---- terminal output (" + std::to_string(terminal_.size()) + " bytes) ----\n";
    std::size_t from = terminal_.size() > k_max ? terminal_.size() - k_max : 0;
    out += std::string_view(terminal_).substr(from);
    out += "\n---- end ----";
    return out;
}

void PtyChild::fail(const std::string& why)
{
    FAIL(name_ << ": " << why << "\n" << transcript());
    std::abort();  // FAIL throws; this only tells the compiler
}

void PtyChild::drain_master()
{
    char buf[4096];
    while (master_ >= 0) {
        ssize_t n = ::read(master_, buf, sizeof buf);
        if (n > 0) {
            terminal_.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        // EAGAIN: nothing more now. EIO: no slave open any more (the child has exited); the
        // master stays open, as closing it is a hang-up that only hangup() may cause.
        return;
    }
}

void PtyChild::drain_reports()
{
    char buf[65536];
    while (!reports_eof_) {
        ssize_t n = ::read(reports_, buf, sizeof buf);
        if (n > 0) {
            pending_.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n == 0) {
            reports_eof_ = true;
        }
        return;
    }
}

bool PtyChild::pump(clock::time_point deadline, bool want_write, std::string_view waiting_for)
{
    pollfd fds[2];
    nfds_t n = 0;
    int report_index = -1;
    int master_index = -1;
    if (!reports_eof_) {
        report_index = static_cast<int>(n);
        fds[n++] = pollfd{reports_, POLLIN, 0};
    }
    if (master_ >= 0) {
        master_index = static_cast<int>(n);
        fds[n++] = pollfd{master_, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) {
        fail("timed out after " + std::to_string(k_failure_timeout.count()) + " s waiting for " +
             std::string(waiting_for));
    }
    if (n == 0) {
        fail("nothing left to wait on while waiting for " + std::string(waiting_for));
    }
    int r = ::poll(fds, n, static_cast<int>(left));
    if (r < 0 && errno != EINTR) {
        fail(std::string("poll: ") + std::strerror(errno));
    }
    bool writable = false;
    if (r > 0) {
        if (report_index >= 0 && fds[report_index].revents != 0) {
            drain_reports();
        }
        if (master_index >= 0) {
            short ev = fds[master_index].revents;
            if (ev & (POLLIN | POLLHUP | POLLERR)) {
                drain_master();
            }
            writable = (ev & POLLOUT) != 0;
            if (want_write && (ev & (POLLHUP | POLLERR)) && !(ev & POLLOUT)) {
                // The slave side is gone: writing can never succeed.
                fail("the terminal's slave side closed while writing (child exited?)");
            }
        }
    }
    return writable;
}

std::string PtyChild::next_line()
{
    auto deadline = clock::now() + k_failure_timeout;
    while (true) {
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            std::string l = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            note("< " + l);
            if (l.rfind("fail ", 0) == 0) {
                fail("the child reported a failure: " + l.substr(5));
            }
            return l;
        }
        if (reports_eof_) {
            wait_exit(deadline);
            fail("the child ended without reporting (wait status " + std::to_string(wait_status_) + ")");
        }
        pump(deadline, false, "a report line");
    }
}

void PtyChild::expect(std::string_view line)
{
    std::string got = next_line();
    if (got != line) {
        fail("expected the line\n  " + std::string(line) + "\ngot\n  " + got);
    }
}

std::string PtyChild::expect_prefix(std::string_view prefix)
{
    std::string got = next_line();
    if (got.rfind(prefix, 0) != 0) {
        fail("expected a line starting with\n  " + std::string(prefix) + "\ngot\n  " + got);
    }
    return got.substr(prefix.size());
}

void PtyChild::expect_event(const vtinput::Event& event, std::string_view tag)
{
    expect("event " + std::string(tag) + " " + vtinput::to_json(event));
}

void PtyChild::type(std::string_view bytes, std::size_t chunk)
{
    if (bytes.size() <= 64) {
        note("> type \"" + visible(bytes) + "\"");
    } else {
        note("> type " + std::to_string(bytes.size()) + " bytes in writes of " +
             (chunk ? std::to_string(chunk) : std::string("any size")));
    }
    REQUIRE_MESSAGE(master_ >= 0, "type() after hangup()");
    // The deadline restarts with every byte accepted: it guards against no progress, not
    // against a long paste.
    auto deadline = clock::now() + k_failure_timeout;
    while (!bytes.empty()) {
        std::size_t n = chunk ? std::min(chunk, bytes.size()) : bytes.size();
        ssize_t w = ::write(master_, bytes.data(), n);
        if (w > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(w));
            deadline = clock::now() + k_failure_timeout;
            drain_master();
            drain_reports();
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && errno == EAGAIN) {
            // The terminal's input buffer is full: the child is not reading (yet).
            pump(deadline, true, "the terminal to accept input");
            continue;
        }
        fail(std::string("write to the master failed: ") + std::strerror(errno));
    }
}

void PtyChild::resize(unsigned short cols, unsigned short rows, unsigned short xpixel, unsigned short ypixel)
{
    note("> resize " + std::to_string(cols) + "x" + std::to_string(rows) + " (" + std::to_string(xpixel) + "x" +
         std::to_string(ypixel) + " px)");
    winsize ws{};
    ws.ws_col = cols;
    ws.ws_row = rows;
    ws.ws_xpixel = xpixel;
    ws.ws_ypixel = ypixel;
    REQUIRE(::ioctl(master_, TIOCSWINSZ, &ws) == 0);
}

void PtyChild::hangup()
{
    note("> hang up (close the master)");
    drain_master();
    if (master_ >= 0) {
        ::close(master_);
        master_ = -1;
    }
}

void PtyChild::wait_exit(clock::time_point deadline)
{
    while (!reports_eof_) {
        pump(deadline, false, "the child to close its report pipe");
    }
    while (!reaped_) {
        pid_t r = ::waitpid(pid_, &wait_status_, WNOHANG);
        if (r == pid_) {
            reaped_ = true;
            break;
        }
        if (r < 0 && errno != EINTR) {
            fail(std::string("waitpid: ") + std::strerror(errno));
        }
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            fail("timed out waiting for the child to exit");
        }
        // Wait for the exit itself (pidfd becomes readable), draining the terminal meanwhile.
        // Without pidfd_open (Linux < 5.3), re-check every few milliseconds.
        pollfd fds[2];
        nfds_t n = 0;
        if (pidfd_ >= 0) {
            fds[n++] = pollfd{pidfd_, POLLIN, 0};
        }
        if (master_ >= 0) {
            fds[n++] = pollfd{master_, POLLIN, 0};
        }
        int wait_ms = pidfd_ >= 0 ? static_cast<int>(left) : std::min(5, static_cast<int>(left));
        ::poll(fds, n, wait_ms);
        drain_master();
    }
    drain_master();
    note("child exited with wait status " + std::to_string(wait_status_));
}

void PtyChild::finish()
{
    expect("done");
    wait_exit(clock::now() + k_failure_timeout);
    if (!WIFEXITED(wait_status_) || WEXITSTATUS(wait_status_) != 0) {
        fail("the child did not exit with status 0 (wait status " + std::to_string(wait_status_) + ")");
    }
    for (const char* marker : {"ThreadSanitizer", "AddressSanitizer", "LeakSanitizer", "runtime error:"}) {
        if (terminal_.find(marker) != std::string::npos) {
            fail(std::string("a sanitizer reported in the child (") + marker + ")");
        }
    }
}

vtinput::Event typed(char32_t c)
{
    vtinput::KeyEvent k;
    k.key = vtinput::char_key(c);
    vtinput::append_utf8(k.text, c);
    return k;
}

bool pty_available(std::string& why)
{
    int fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        why = std::string("posix_openpt: ") + std::strerror(errno);
        return false;
    }
    bool ok = ::grantpt(fd) == 0 && ::unlockpt(fd) == 0;
    const char* slave_name = ok ? ::ptsname(fd) : nullptr;
    int slave = slave_name ? ::open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    if (slave < 0) {
        why = std::string("cannot open the pseudo-terminal's slave: ") + std::strerror(errno);
        ok = false;
    } else {
        ::close(slave);
    }
    ::close(fd);
    return ok;
}

}  // namespace pty
