// SIGWINCH for the input device: one handler of ours that chains to the handler it replaced
// and then calls the registered listeners (see winch.hpp for the contract).
//
// Invariants:
// - Listeners live in a fixed table of slots; a slot is filled (arg, then the owning process,
//   then fn last) and emptied (fn cleared) only under g_mutex, which no handler takes.
// - A handler counts itself in a slot's `running` before it reads the slot's fn, and out after
//   the call; remove_winch_listener clears fn and then waits for `running` to reach 0. Both
//   sides are seq_cst, so either the handler sees fn cleared or the remover sees it counted:
//   once the remover returns, nobody calls the old listener.
// - g_winch_previous, the disposition we replaced, is written only when we install our handler and
//   read by handlers only under g_winch_previous_lock (a HandlerLock), as a copy taken before the
//   call: a handler never holds a lock while it runs someone else's code.
// - Listeners registered by another process (we are a fork() child of the process that
//   registered them) are not called: what they point at belongs to the parent.
// - When the last listener goes, the previous disposition is put back only if ours is still
//   the installed one. An application that installed its handler after ours keeps it; it is
//   expected to chain to the handler it replaced (ours), as we chain to the one we replaced.
//   If a listener is then added again, ours goes in front of the application's once more, and
//   the call-back guard (called_back) stops the two from calling each other forever.
#include "terminal/winch.hpp"

#include <atomic>
#include <csignal>
#include <cstddef>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include <unistd.h>

#include "support/error.hpp"
#include "terminal/signal_safe.hpp"

namespace vtinput::detail {
namespace {

constexpr std::size_t k_max_listeners = 16;

struct Slot {
    std::atomic<WinchListener> fn{nullptr};
    std::atomic<void*> arg{nullptr};
    std::atomic<pid_t> owner{0};  // the process that registered the listener
    std::atomic<int> running{0};  // handlers between reading fn and returning from it
};

Slot g_slots[k_max_listeners];
std::mutex g_mutex;       // add and remove; never taken in a handler
std::size_t g_count = 0;  // registered listeners; guarded by g_mutex
HandlerLock g_winch_previous_lock;
struct sigaction g_winch_previous {};  // the disposition ours replaced; guarded by g_winch_previous_lock

void on_winch(int sig, siginfo_t* info, void* context)
{
    SavedErrno saved;
    if (called_back(sig)) {
        return;  // the application's handler chained back to us: the outer call does the work
    }
    struct sigaction previous {};
    {
        HandlerLockGuard lock(g_winch_previous_lock);
        previous = g_winch_previous;
    }
    if (is_function(previous)) {
        call_handler(previous, sig, info, context);
    }
    const pid_t self = ::getpid();
    for (Slot& slot : g_slots) {
        slot.running.fetch_add(1);
        if (WinchListener fn = slot.fn.load(); fn != nullptr && slot.owner.load() == self) {
            fn(slot.arg.load());
        }
        slot.running.fetch_sub(1);
    }
}

struct sigaction current_disposition()
{
    struct sigaction now {};
    ::sigaction(SIGWINCH, nullptr, &now);
    return now;
}

// Installs on_winch in front of whatever is installed now, unless it is installed already.
void install()
{
    struct sigaction now {};
    if (::sigaction(SIGWINCH, nullptr, &now) != 0) {
        throw_errno(errno, "cannot read the SIGWINCH disposition");
    }
    if (is_ours(now, on_winch)) {
        return;  // still installed (inherited across fork(), or chained back to): keep what we chain to
    }
    {
        HandlerLockGuard lock(g_winch_previous_lock);
        g_winch_previous = now;
    }
    struct sigaction ours {};
    ours.sa_sigaction = on_winch;
    ours.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&ours.sa_mask);
    if (::sigaction(SIGWINCH, &ours, nullptr) != 0) {
        throw_errno(errno, "cannot install the SIGWINCH handler");
    }
}

// Puts back the disposition ours replaced, if ours is still the installed one.
void uninstall()
{
    if (!is_ours(current_disposition(), on_winch)) {
        return;  // replaced after us: the replacement stays
    }
    struct sigaction previous {};
    {
        HandlerLockGuard lock(g_winch_previous_lock);
        previous = g_winch_previous;
    }
    ::sigaction(SIGWINCH, &previous, nullptr);
}

}  // namespace

void add_winch_listener(WinchListener fn, void* arg)
{
    std::lock_guard lock(g_mutex);
    Slot* free = nullptr;
    for (Slot& slot : g_slots) {
        if (slot.fn.load() == nullptr) {
            free = &slot;
            break;
        }
    }
    if (free == nullptr) {
        throw_error(std::errc::no_buffer_space,
                    "too many SIGWINCH listeners (at most " + std::to_string(k_max_listeners) + ")");
    }
    if (g_count == 0) {
        install();
    }
    free->arg.store(arg);
    free->owner.store(::getpid());
    free->fn.store(fn);
    ++g_count;
}

void remove_winch_listener(WinchListener fn, void* arg) noexcept
{
    std::lock_guard lock(g_mutex);
    for (Slot& slot : g_slots) {
        if (slot.fn.load() != fn || slot.arg.load() != arg) {
            continue;
        }
        slot.fn.store(nullptr);
        while (slot.running.load() != 0) {
            std::this_thread::yield();  // a handler is inside fn(arg) or about to skip it
        }
        slot.arg.store(nullptr);
        if (--g_count == 0) {
            uninstall();
        }
        return;
    }
}

}  // namespace vtinput::detail
