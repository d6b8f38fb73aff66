// Thread and fd counts of this process, from /proc, for hygiene checks in the unit and pty
// suites (shared by tests/ and pty-tests/).
#pragma once

#include <chrono>
#include <cstddef>
#include <thread>

#include <dirent.h>

namespace vtinput::test {

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

inline std::size_t thread_count() { return count_entries("/proc/self/task"); }
inline std::size_t fd_count() { return count_entries("/proc/self/fd") - 1; }  // minus the DIR's own fd

// The thread count once it is at most `expected`, or as it is after a generous deadline (only
// reached on failure). A joined thread can stay listed in /proc/self/task for a moment after
// pthread_join returns (the kernel clears the tid before it unlinks the task), and there is no
// event for its removal, so this re-reads until the count settles.
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
