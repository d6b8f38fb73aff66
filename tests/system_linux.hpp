// Linux's own calls for the tests (internal to tests/system.hpp and tests/proc_counts.hpp, which
// include this file on Linux only): the pidfd, /proc/self's thread list, fd list and resident
// size, and MSG_NOSIGNAL. Each has a portable twin in the including file; the native build uses
// these where they are better (a pidfd is readable exactly when the child can be reaped), and
// the counts of /proc observe the system, not the library's backend, so the portable build on
// Linux reads them too. The only test files that may name a Linux-only call
// (tests/layout_test.sh).
#pragma once

#if !defined(__linux__)
#error "system_linux.hpp is for Linux only"
#endif

#include <cstddef>
#include <cstdio>

#include <dirent.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace vtinput::test::linux_only {

// A pidfd for the child `pid`: readable once it has ended (a zombie, ready for waitpid).
// -1 where the kernel has no pidfd_open (before 5.3).
inline int pidfd_open(pid_t pid)
{
#if defined(SYS_pidfd_open)
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    return -1;
#endif
}

// send() flags that turn the SIGPIPE of a peer that is gone into EPIPE.
inline constexpr int k_send_no_sigpipe = MSG_NOSIGNAL;

// Entries of `dir` other than "." and ".."; 0 if it cannot be read.
inline std::size_t count_entries(const char* dir)
{
    std::size_t n = 0;
    if (DIR* d = ::opendir(dir)) {
        while (dirent* e = ::readdir(d)) {
            n += e->d_name[0] != '.';
        }
        ::closedir(d);
    }
    return n;
}

// The threads of this process, as the kernel lists them. A joined thread can stay listed for a
// moment after pthread_join returns (the kernel clears the tid before it unlinks the task).
inline std::size_t thread_count() { return count_entries("/proc/self/task"); }

// The open fds of this process (minus the DIR's own fd).
inline std::size_t fd_count() { return count_entries("/proc/self/fd") - 1; }

// The resident set size of this process in KiB, now; 0 if /proc cannot tell.
inline std::size_t resident_kib()
{
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) {
        return 0;
    }
    unsigned long size = 0, resident = 0;
    int n = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    if (n != 2) {
        return 0;
    }
    return static_cast<std::size_t>(resident) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) / 1024;
}

}  // namespace vtinput::test::linux_only
