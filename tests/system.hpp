// POSIX twins of the Linux-only calls the tests used (pipe2, accept4, SOCK_CLOEXEC,
// MSG_NOSIGNAL, openpty, login_tty, closefrom, pidfd_open, sigabbrev_np), for the unit, pty and
// soak suites, the benchmarks and the examples' test, so that they build on macOS and the BSDs
// (README "Platforms"). Header-only: the test binaries take it through their include path.
//
// Invariants: every fd these functions open is close-on-exec unless its function says
// otherwise; a function that fails leaves nothing open and errno set. None of them is meant for
// the library: it has its own platform layer (lib/platform/). Linux-only calls live in
// system_linux.hpp, used here only where no POSIX call does the same (MSG_NOSIGNAL; the pidfd
// of the native build).
#pragma once

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

#if defined(__linux__)
#include "system_linux.hpp"
#endif

namespace vtinput::test {

inline bool set_cloexec(int fd) { return ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC) == 0; }

inline bool set_nonblocking(int fd)
{
    int fl = ::fcntl(fd, F_GETFL);
    return fl >= 0 && ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

namespace system_detail {

// Closes `fds` keeping errno; returns -1 for the caller's `return`.
inline int close_all(std::initializer_list<int> fds)
{
    int err = errno;
    for (int fd : fds) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    errno = err;
    return -1;
}

}  // namespace system_detail

// pipe(): both ends close-on-exec, and non-blocking if asked. 0, or -1 with errno. Unlike
// pipe2(), another thread's fork+exec can catch the fds before FD_CLOEXEC is set; the tests
// that fork while other threads open pipes do not exec.
inline int open_pipe(int (&fds)[2], bool nonblocking = false)
{
    if (::pipe(fds) != 0) {
        return -1;
    }
    for (int fd : fds) {
        if (!set_cloexec(fd) || (nonblocking && !set_nonblocking(fd))) {
            return system_detail::close_all({fds[0], fds[1]});
        }
    }
    return 0;
}

// socket(), close-on-exec; with SO_NOSIGPIPE where the system has it (see send_no_sigpipe).
inline int open_socket(int domain, int type, int protocol)
{
    int fd = ::socket(domain, type, protocol);
    if (fd < 0) {
        return -1;
    }
    int one = 1;
    (void)one;
#if defined(SO_NOSIGPIPE)
    if (::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) != 0) {
        return system_detail::close_all({fd});
    }
#endif
    return set_cloexec(fd) ? fd : system_detail::close_all({fd});
}

// socketpair(), both ends close-on-exec and with SO_NOSIGPIPE where the system has it.
inline int open_socketpair(int domain, int type, int (&fds)[2])
{
    if (::socketpair(domain, type, 0, fds) != 0) {
        return -1;
    }
    for (int fd : fds) {
        int one = 1;
        (void)one;
#if defined(SO_NOSIGPIPE)
        if (::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) != 0) {
            return system_detail::close_all({fds[0], fds[1]});
        }
#endif
        if (!set_cloexec(fd)) {
            return system_detail::close_all({fds[0], fds[1]});
        }
    }
    return 0;
}

// accept(), the new connection close-on-exec.
inline int accept_connection(int listener)
{
    int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) {
        return -1;
    }
    return set_cloexec(fd) ? fd : system_detail::close_all({fd});
}

// send() on a socket of open_socket/open_socketpair that fails with EPIPE, instead of raising
// SIGPIPE, when the peer is gone: MSG_NOSIGNAL on Linux, SO_NOSIGPIPE (set at creation) on
// macOS and the BSDs.
inline ssize_t send_no_sigpipe(int fd, const void* data, std::size_t size)
{
#if defined(__linux__)
    return ::send(fd, data, size, linux_only::k_send_no_sigpipe);
#elif defined(SO_NOSIGPIPE)
    return ::send(fd, data, size, 0);
#else
#error "send_no_sigpipe: this system has neither a no-SIGPIPE send flag (Linux) nor SO_NOSIGPIPE"
#endif
}

// A pseudo-terminal, as openpty() opens one but with POSIX calls only (posix_openpt, grantpt,
// unlockpt, ptsname): both ends close-on-exec, the slave not our controlling terminal, its
// window `ws` if given. false with `why` set (and nothing open) where the system has none.
// ptsname() is not thread-safe: call this from one thread at a time.
inline bool open_pty(int& master, int& slave, const winsize* ws, std::string& why)
{
    master = slave = -1;
    // O_CLOEXEC is not a flag posix_openpt() takes everywhere (macOS refuses it): set after.
    int m = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0) {
        why = std::string("posix_openpt: ") + std::strerror(errno);
        return false;
    }
    const char* name = nullptr;
    if (!set_cloexec(m) || ::grantpt(m) != 0 || ::unlockpt(m) != 0 || (name = ::ptsname(m)) == nullptr) {
        why = std::string("grantpt/unlockpt/ptsname: ") + std::strerror(errno);
        system_detail::close_all({m});
        return false;
    }
    int s = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        why = std::string("cannot open the pseudo-terminal's slave ") + name + ": " + std::strerror(errno);
        system_detail::close_all({m});
        return false;
    }
    if (ws != nullptr && ::ioctl(s, TIOCSWINSZ, ws) != 0) {
        why = std::string("TIOCSWINSZ: ") + std::strerror(errno);
        system_detail::close_all({m, s});
        return false;
    }
    master = m;
    slave = s;
    return true;
}

// In a child after fork(): a new session with `tty` as its controlling terminal and as stdin,
// stdout and stderr, `tty` itself closed unless it is one of those (login_tty() without
// libutil, which is where it lives on Linux before glibc 2.34 and on the BSDs).
// Async-signal-safe. 0, or -1 with errno.
inline int make_controlling_terminal(int tty)
{
    if (::setsid() < 0 || ::ioctl(tty, TIOCSCTTY, 0) != 0) {
        return -1;
    }
    for (int std_fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
        if (::dup2(tty, std_fd) < 0) {
            return -1;
        }
    }
    if (tty > STDERR_FILENO) {
        ::close(tty);
    }
    return 0;
}

// One more than the highest fd this process may open: the soft RLIMIT_NOFILE (fds opened
// before the limit was lowered can lie above it).
inline int fd_limit()
{
    rlimit rl{};
    long limit = ::sysconf(_SC_OPEN_MAX);
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        limit = static_cast<long>(std::min<rlim_t>(rl.rlim_cur, INT_MAX));
    }
    return limit > 0 ? static_cast<int>(std::min<long>(limit, INT_MAX)) : 1024;
}

// The open fds below fd_limit(), each asked with fcntl(F_GETFD): exact and portable, and a few
// milliseconds for 20,000 fds.
inline std::size_t scan_fd_count()
{
    std::size_t n = 0;
    for (int fd = 0, end = fd_limit(); fd < end; ++fd) {
        n += ::fcntl(fd, F_GETFD) != -1;
    }
    return n;
}

// In a child after fork(), before exec: closes every fd from `lowest` up to `limit` (fd_limit()
// computed before the fork). closefrom() without glibc 2.34 or a BSD. Async-signal-safe.
inline void close_fds_from(int lowest, int limit)
{
    for (int fd = lowest; fd < limit; ++fd) {
        ::close(fd);
    }
}

// A child's end as an fd to poll with a deadline, then to confirm with waitpid(WNOHANG).
//
// Native Linux build: a pidfd (Linux 5.3), readable once the child can be reaped. Portable
// build (-Dportable=true, macOS, the BSDs): a pipe whose write end only the child holds (and
// what it forks or execs: the end survives exec); its EOF comes when the last holder exits.
// Exit closes a process's fds a moment before it can be reaped, so once EOF is seen, fd()
// is -1 and timeout() re-checks every millisecond; and a descendant that outlives the child
// would hold the EOF back, so a wait on the pipe is at most 100 ms, after which the caller's
// waitpid() looks again.
//
// Use: prepare() before fork(); in the child in_child() (the write end, inheritable, at fd
// `keep_as` if given: for children that close their fds before exec); in the parent
// in_parent(pid). Then poll fd() (when >= 0) for POLLIN with timeout(left), call saw() with the
// revents, and waitpid(WNOHANG).
class ChildExit {
public:
    ChildExit() = default;
    ChildExit(const ChildExit&) = delete;
    ChildExit& operator=(const ChildExit&) = delete;
    ChildExit(ChildExit&& other) noexcept : read_(other.read_), write_(other.write_)
    {
        other.read_ = other.write_ = -1;
    }
    ChildExit& operator=(ChildExit&& other) noexcept
    {
        if (this != &other) {
            close();
            read_ = other.read_;
            write_ = other.write_;
            other.read_ = other.write_ = -1;
        }
        return *this;
    }
    ~ChildExit() { close(); }

    // Before fork(). false (errno set) if the pipe cannot be made; the waits then re-check.
    bool prepare()
    {
#if defined(__linux__) && !defined(VTINPUT_PORTABLE)
        return true;  // the pidfd is opened after the fork
#else
        int fds[2];
        if (open_pipe(fds) != 0) {
            return false;
        }
        read_ = fds[0];
        write_ = fds[1];
        return true;
#endif
    }

    // In the child, right after fork(). True if it kept a write end (at `keep_as` if given);
    // false if there is none (native build, or prepare() failed). Async-signal-safe.
    bool in_child(int keep_as = -1)
    {
        if (read_ >= 0) {
            ::close(read_);
            read_ = -1;
        }
        if (write_ < 0) {
            return false;
        }
        if (keep_as >= 0 && keep_as != write_) {
            ::dup2(write_, keep_as);  // the copy is inheritable
            ::close(write_);
        } else {
            ::fcntl(write_, F_SETFD, 0);
        }
        write_ = -1;  // the child's for good: never closed by this object
        return true;
    }

    // In the parent, after a successful fork().
    void in_parent(pid_t pid)
    {
#if defined(__linux__) && !defined(VTINPUT_PORTABLE)
        read_ = linux_only::pidfd_open(pid);
#else
        (void)pid;
#endif
        if (write_ >= 0) {
            ::close(write_);
            write_ = -1;
        }
    }

    // The fd to poll for POLLIN; -1: none (or no longer worth polling).
    int fd() const { return read_; }

    // The poll timeout for `left_ms` left before the caller's deadline.
    int timeout(int left_ms) const
    {
#if defined(__linux__) && !defined(VTINPUT_PORTABLE)
        // Without pidfd_open (Linux < 5.3), re-check every 5 ms.
        return read_ >= 0 ? left_ms : std::min(5, left_ms);
#else
        return std::min(read_ >= 0 ? 100 : 1, left_ms);
#endif
    }

    // What poll() said about fd().
    void saw(short revents)
    {
#if !defined(__linux__) || defined(VTINPUT_PORTABLE)
        if (read_ >= 0 && (revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            ::close(read_);  // EOF: the child is exiting, and stays so
            read_ = -1;
        }
#else
        (void)revents;
#endif
    }

private:
    void close()
    {
        system_detail::close_all({read_, write_});
        read_ = write_ = -1;
    }

    int read_ = -1;
    int write_ = -1;  // portable, between prepare() and in_child()/in_parent()
};

// The abbreviation of signal `sig` without "SIG" ("TSTP"), as glibc's sigabbrev_np() gives it;
// nullptr for a signal not listed here.
inline const char* signal_abbrev(int sig)
{
    switch (sig) {
    case SIGHUP: return "HUP";
    case SIGINT: return "INT";
    case SIGQUIT: return "QUIT";
    case SIGILL: return "ILL";
    case SIGTRAP: return "TRAP";
    case SIGABRT: return "ABRT";
    case SIGBUS: return "BUS";
    case SIGFPE: return "FPE";
    case SIGKILL: return "KILL";
    case SIGUSR1: return "USR1";
    case SIGSEGV: return "SEGV";
    case SIGUSR2: return "USR2";
    case SIGPIPE: return "PIPE";
    case SIGALRM: return "ALRM";
    case SIGTERM: return "TERM";
    case SIGCHLD: return "CHLD";
    case SIGCONT: return "CONT";
    case SIGSTOP: return "STOP";
    case SIGTSTP: return "TSTP";
    case SIGTTIN: return "TTIN";
    case SIGTTOU: return "TTOU";
    case SIGURG: return "URG";
    case SIGXCPU: return "XCPU";
    case SIGXFSZ: return "XFSZ";
    case SIGVTALRM: return "VTALRM";
    case SIGPROF: return "PROF";
    case SIGWINCH: return "WINCH";
    case SIGSYS: return "SYS";
    default: return nullptr;
    }
}

}  // namespace vtinput::test
