// Thread and fd counts and the resident size of this process, for hygiene checks in the unit,
// pty and soak suites (shared by tests/ and pty-tests/).
//
// Where they come from: the fd count from /proc/self/fd in the native Linux build, and from a
// scan of every fd below the soft RLIMIT_NOFILE (system.hpp: scan_fd_count) in the portable
// one, so that CI runs the scan that macOS and the BSDs use. The thread count and the resident
// size observe the system, not the library's backend: /proc on Linux in both builds;
// proc_pidinfo on macOS and sysctl(KERN_PROC_PID) on FreeBSD, written to their manuals but never
// run by CI (it has no such machines), so a first run there is their test.
#pragma once

#include <chrono>
#include <cstddef>
#include <thread>

#include <sys/types.h>
#include <unistd.h>

#include "system.hpp"

#if defined(__APPLE__)
#include <libproc.h>
#include <mach/mach.h>
#include <sys/proc_info.h>
#elif defined(__FreeBSD__)
#include <sys/resource.h>
#include <sys/sysctl.h>
#include <sys/user.h>
#endif

namespace vtinput::test {

// The threads of this process; 0 if the system will not say.
inline std::size_t thread_count()
{
#if defined(__linux__)
    return linux_only::thread_count();
#elif defined(__APPLE__)
    proc_taskinfo info{};
    int n = ::proc_pidinfo(::getpid(), PROC_PIDTASKINFO, 0, &info, sizeof info);
    return n == static_cast<int>(sizeof info) ? static_cast<std::size_t>(info.pti_threadnum) : 0;
#elif defined(__FreeBSD__)
    int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, static_cast<int>(::getpid())};
    kinfo_proc info{};
    std::size_t len = sizeof info;
    if (::sysctl(mib, 4, &info, &len, nullptr, 0) != 0 || len != sizeof info) {
        return 0;
    }
    return static_cast<std::size_t>(info.ki_numthreads);
#else
#error "thread_count: no way to count this process's threads on this system yet"
#endif
}

// The open fds of this process.
inline std::size_t fd_count()
{
#if defined(__linux__) && !defined(VTINPUT_PORTABLE)
    return linux_only::fd_count();
#else
    return scan_fd_count();
#endif
}

// The resident set size of this process in KiB: now on Linux and macOS; elsewhere the peak
// (getrusage's ru_maxrss, in KiB on the BSDs), which a leak raises as well. 0 if unknown.
inline std::size_t resident_kib()
{
#if defined(__linux__)
    return linux_only::resident_kib();
#elif defined(__APPLE__)
    mach_task_basic_info_data_t info{};
    mach_msg_type_number_t count = MACH_TASK_BASIC_INFO_COUNT;
    if (::task_info(::mach_task_self(), MACH_TASK_BASIC_INFO, reinterpret_cast<task_info_t>(&info), &count) !=
        KERN_SUCCESS) {
        return 0;
    }
    return static_cast<std::size_t>(info.resident_size / 1024);
#else
    rusage usage{};
    return ::getrusage(RUSAGE_SELF, &usage) == 0 ? static_cast<std::size_t>(usage.ru_maxrss) : 0;
#endif
}

// The thread count once it is at most `expected`, or as it is after a generous deadline (only
// reached on failure). A joined thread can stay counted for a moment after pthread_join
// returns (on Linux the kernel clears the tid before it unlinks the task), and there is no event
// for its removal, so this re-reads until the count settles.
inline std::size_t settled_thread_count(std::size_t expected)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        std::size_t n = thread_count();
        if (n <= expected || std::chrono::steady_clock::now() > deadline) {
            return n;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

}  // namespace vtinput::test
