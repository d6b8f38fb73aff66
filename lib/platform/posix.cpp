// The portable backend of platform.hpp, for macOS and the BSDs, and for Linux with
// -Dportable=true (how CI proves it): POSIX.1-2008 calls only. The readiness fd is a pipe, a
// private description exists for terminals only, the thread token is pthread_self().
#include "platform/platform.hpp"

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__DragonFly__)
#include <pthread_np.h>
#endif

#include "support/error.hpp"

namespace vtinput::detail::platform {

const bool read_terminals_as_streams = true;

namespace {

// fcntl flags one at a time: there is no pipe2() on macOS. The fds are ours alone until this
// returns, but another thread's fork+exec may see them without FD_CLOEXEC for a moment (as with
// every pre-2008 pipe()); a child holding a copy only delays the pipe's EOF, never a wake-up.
bool set_flags(int fd)
{
    int fl = ::fcntl(fd, F_GETFL);
    return ::fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fl >= 0 && ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

}  // namespace

WakeFd WakeFd::create() noexcept
{
    int fds[2];
    WakeFd w;
    if (::pipe(fds) != 0) {
        return w;
    }
    w.read_.reset(fds[0]);
    w.write_.reset(fds[1]);
    if (!set_flags(fds[0]) || !set_flags(fds[1])) {
        int err = errno;
        w = WakeFd();
        errno = err;
    }
    return w;
}

void WakeFd::signal() const noexcept
{
    char one = 1;
    ssize_t n = ::write(write_.get(), &one, 1);  // EAGAIN on a full pipe, which is readable
    (void)n;
}

void WakeFd::clear() const noexcept
{
    // The sender writes at most once per rearm (channel.cpp), so one read nearly always
    // empties it; loop anyway, until EAGAIN.
    char sink[64];
    while (::read(read_.get(), sink, sizeof sink) > 0) {}
}

UniqueFd reopen(int fd, int flags)
{
    char name[PATH_MAX];
    struct stat given {};
    if (!::isatty(fd) || ::ttyname_r(fd, name, sizeof name) != 0 || ::fstat(fd, &given) != 0) {
        errno = ENOTTY;
        return {};
    }
    UniqueFd own(::open(name, flags | O_NOCTTY | O_CLOEXEC));
    struct stat opened {};
    if (own && (::fstat(own.get(), &opened) != 0 || opened.st_rdev != given.st_rdev)) {
        errno = ENODEV;  // the name leads elsewhere (a terminal of another mount namespace)
        own.reset();
    }
    return own;
}

unsigned long long thread_token() noexcept
{
    pthread_t self = ::pthread_self();
    std::uintptr_t bits = 0;
    std::memcpy(&bits, &self, sizeof self < sizeof bits ? sizeof self : sizeof bits);
    return static_cast<unsigned long long>(bits >> 4) & ((1ULL << 56) - 1);
}

void name_thread(const char* name) noexcept
{
#if defined(__APPLE__)
    (void)::pthread_setname_np(name);
#elif defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__DragonFly__)
    ::pthread_set_name_np(::pthread_self(), name);
#elif defined(__NetBSD__)
    (void)::pthread_setname_np(::pthread_self(), "%s", const_cast<char*>(name));
#else
    (void)name;  // POSIX has no such call
#endif
}

}  // namespace vtinput::detail::platform
