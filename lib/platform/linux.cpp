// The Linux backend of platform.hpp: eventfd, /proc/self/fd, gettid. Only this file in lib/
// names a Linux-only call (tests/layout_test.sh); posix.cpp is its twin.
#include "platform/platform.hpp"

#include <cstdint>
#include <string>

#include <fcntl.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace vtinput::detail::platform {

const bool read_terminals_as_streams = false;

WakeFd WakeFd::create() noexcept
{
    WakeFd w;
    w.read_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    return w;
}

void WakeFd::signal() const noexcept
{
    std::uint64_t one = 1;
    ssize_t n = ::write(read_.get(), &one, sizeof one);  // a full counter is still readable
    (void)n;
}

void WakeFd::clear() const noexcept
{
    std::uint64_t count = 0;
    ssize_t n = ::read(read_.get(), &count, sizeof count);  // one read resets; EAGAIN when clear
    (void)n;
}

UniqueFd reopen(int fd, int flags)
{
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    return UniqueFd(::open(path.c_str(), flags | O_NOCTTY | O_CLOEXEC));
}

unsigned long long thread_token() noexcept { return static_cast<unsigned long long>(::gettid()); }

void name_thread(const char* name) noexcept { (void)::pthread_setname_np(::pthread_self(), name); }

}  // namespace vtinput::detail::platform
