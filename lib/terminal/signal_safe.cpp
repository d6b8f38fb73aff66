// The building blocks of our signal handlers (see signal_safe.hpp).
//
// The chain table has one entry per (thread, signal) inside call_handler right now; an entry is
// claimed with a compare-and-swap and released when the call returns. With more chained calls
// in flight at once than entries (not seen in practice: each signal is blocked while its
// handler runs), the extra ones run unmarked: a call back from them would not be detected, and
// nothing else is lost. A forked child may inherit an entry of a thread it does not have; it
// only takes a place.
#include "terminal/signal_safe.hpp"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "platform/platform.hpp"

namespace vtinput::detail {
namespace {

constexpr std::size_t k_chain_entries = 64;
std::atomic<unsigned long long> g_in_chain[k_chain_entries];  // (thread, signal) in call_handler; 0: free

unsigned long long chain_key(int sig) { return (platform::thread_token() << 8) | static_cast<unsigned long long>(sig); }

}  // namespace

void write_all(int fd, const char* p, std::size_t n) noexcept
{
    SavedErrno saved;
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

HandlerLockGuard::HandlerLockGuard(HandlerLock& lock) noexcept : lock_(lock)
{
    SavedErrno saved;
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &old_mask_);
    const pid_t self = ::getpid();
    pid_t seen = 0;
    while (!lock_.holder.compare_exchange_weak(seen, self, std::memory_order_acquire, std::memory_order_relaxed)) {
        if (seen != 0 && seen != self &&
            lock_.holder.compare_exchange_strong(seen, self, std::memory_order_acquire, std::memory_order_relaxed)) {
            break;  // held by the process we were forked from: nobody here will release it
        }
        seen = 0;
        ::sched_yield();
    }
}

HandlerLockGuard::~HandlerLockGuard()
{
    SavedErrno saved;
    lock_.holder.store(0, std::memory_order_release);
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

bool is_function(const struct sigaction& action) noexcept
{
    if (action.sa_flags & SA_SIGINFO) {
        return action.sa_sigaction != nullptr;
    }
    return action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN;
}

void call_handler(const struct sigaction& action, int sig, siginfo_t* info, void* context)
{
    const unsigned long long key = chain_key(sig);
    std::atomic<unsigned long long>* entry = nullptr;
    for (auto& e : g_in_chain) {
        unsigned long long free = 0;
        if (e.compare_exchange_strong(free, key)) {
            entry = &e;
            break;
        }
    }
    if (action.sa_flags & SA_SIGINFO) {
        action.sa_sigaction(sig, info, context);
    } else {
        action.sa_handler(sig);
    }
    if (entry != nullptr) {
        entry->store(0);
    }
}

bool called_back(int sig) noexcept
{
    const unsigned long long key = chain_key(sig);
    for (auto& e : g_in_chain) {
        if (e.load() == key) {
            return true;
        }
    }
    return false;
}

bool is_ours(const struct sigaction& action, void (*handler)(int, siginfo_t*, void*)) noexcept
{
    return (action.sa_flags & SA_SIGINFO) != 0 && action.sa_sigaction == handler;
}

}  // namespace vtinput::detail
