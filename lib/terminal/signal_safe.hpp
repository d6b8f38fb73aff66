// What every signal handler of ours is built from (internal): errno kept, bytes written, a
// lock a handler may take, and the call of the handler we replaced, with the guard against
// being called back from it.
//
// Everything a handler calls here is async-signal-safe (write, sigprocmask, getpid, platform::thread_token (gettid or pthread_self),
// sched_yield, atomics that are lock-free). A handler never holds the lock while it calls
// someone else's handler, and whoever holds it has every signal blocked on its thread, so no
// handler can spin on a lock its own thread holds.
#pragma once

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstddef>

#include <sys/types.h>

namespace vtinput::detail {

// A signal handler must leave errno as it found it: the interrupted code may be about to
// read it.
struct SavedErrno {
    int value = errno;
    ~SavedErrno() { errno = value; }
};

// Writes all of p[0..n) to `fd`, retrying on EINTR; gives up on any other failure (nothing more
// can be done for a terminal that does not take bytes). Keeps errno.
void write_all(int fd, const char* p, std::size_t n) noexcept;

// A spin lock for data that signal handlers read (the dispositions we chain to, the guard's
// state). Held for a few system calls at most. The holder's process id is the lock word, so a
// lock that a thread of the parent held when it forked (a thread the child does not have) is
// taken over by the child instead of spinning forever.
struct HandlerLock {
    std::atomic<pid_t> holder{0};
};

// Holds `lock` for its scope, with every signal blocked on this thread meanwhile.
class HandlerLockGuard {
public:
    explicit HandlerLockGuard(HandlerLock& lock) noexcept;
    ~HandlerLockGuard();
    HandlerLockGuard(const HandlerLockGuard&) = delete;
    HandlerLockGuard& operator=(const HandlerLockGuard&) = delete;

private:
    HandlerLock& lock_;
    sigset_t old_mask_;
};

// Whether `action` is a function to chain to (not SIG_DFL or SIG_IGN).
bool is_function(const struct sigaction& action) noexcept;
// Calls the handler of `action` (a function: see is_function) for `sig` as the kernel would
// have, with this thread marked as inside that call until it returns (see called_back).
void call_handler(const struct sigaction& action, int sig, siginfo_t* info, void* context);
// Whether this thread is inside call_handler for `sig`: then the handler we chained to has
// called us back, as an application's handler does when it replaced ours and chains to the one
// it found (the rule we follow too). Our handler must then return at once, or the two would
// call each other forever; the outer call does the work. Only a call back is detected: the
// same signal delivered anew while our handler runs (it is unblocked while the default action
// is let happen) is handled as usual.
bool called_back(int sig) noexcept;
// Whether `action` is `handler`, installed with SA_SIGINFO (how we install ours).
bool is_ours(const struct sigaction& action, void (*handler)(int, siginfo_t*, void*)) noexcept;

}  // namespace vtinput::detail
