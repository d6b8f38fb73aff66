// The restore paths that run where almost nothing is allowed: signal handlers and atexit.
//
// Everything here that a handler calls is async-signal-safe: write, tcsetattr, tcgetpgrp,
// getpgrp, sigaction, sigprocmask, pthread_sigmask, sigpending, raise, kill, getpid, platform::thread_token (gettid or pthread_self),
// sched_yield. It reads only the state the guard prepared in advance (state.hpp), always under
// g_guard_lock, and allocates nothing. Handlers keep errno as they found it.
//
// The handlers are process-wide: installed and uninstalled by the one active guard, under its
// mutex. The dispositions they replace are kept in g_previous (under g_guard_lock) to chain to
// and to put back; a handler copies the one it chains to under the lock and calls it after
// releasing it. At uninstall a disposition is put back only if ours is still the installed one:
// a handler the application installed after ours stays (it is expected to chain to the one it
// replaced, as we do; called_back stops a chain that comes back to us from looping). Handlers
// act on the terminal only in the process that created the guard: in a fork() child they
// chain, or let the default action happen, and touch nothing.
//
// A handler that restores for a death or a stop holds the terminal restored
// (GuardState::death_holds, stop_hold) until the process carries on: a guard being constructed
// on another thread at that moment does not apply its modes, so the death cannot come between
// its apply and a restore.
#include "terminal/state.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>

#include <unistd.h>

namespace vtinput::detail {

HandlerLock g_guard_lock;
GuardState g_guard_state;

namespace {

constexpr int k_terminate_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr int k_crash_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
struct sigaction g_previous[NSIG];  // guarded by g_guard_lock
bool g_installed[NSIG] = {};        // guarded by the guard's mutex

struct sigaction previous_of(int sig)
{
    HandlerLockGuard lock(g_guard_lock);
    return g_previous[sig];
}

// Lets the default action of `sig` happen now that the terminal is restored.
void die_by_default(int sig)
{
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(sig, &dfl, nullptr);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    // A crash signal re-raised by the faulting instruction on return also takes the default.
}

// What the process does after a chained handler returned. A handler that lets the signal kill
// (or stop) the process (the common idiom: put the previous disposition or SIG_DFL back, then
// raise) returns with the signal pending, since it is blocked while we run, and the death
// follows as soon as we return: re-applying the modes then would leave the terminal raw. A
// handler that took our disposition away has ended our watch over `sig`: the terminal stays
// restored. Otherwise the process carries on, and the modes come back.
enum class After : unsigned char { carries_on, signal_pending, disposition_taken };

After after_chained(int sig, void (*ours)(int, siginfo_t*, void*))
{
    sigset_t pending;
    if (::sigpending(&pending) == 0 && sigismember(&pending, sig) == 1) {
        return After::signal_pending;
    }
    struct sigaction now {};
    if (::sigaction(sig, nullptr, &now) != 0 || !is_ours(now, ours)) {
        return After::disposition_taken;
    }
    return After::carries_on;
}

void take_locked(GuardState& s, Hold hold)
{
    if (hold == Hold::death) {
        ++s.death_holds;
    } else if (hold == Hold::stop) {
        s.stop_hold = true;
    }
}

void release_locked(GuardState& s, Hold hold)
{
    if (hold == Hold::death && s.death_holds > 0) {
        --s.death_holds;
    } else if (hold == Hold::stop) {
        s.stop_hold = false;
    }
}

// Releases `hold` and puts the guard's modes back unless they are, if this process's guard is
// live (set up, not suspended), nobody else holds the terminal restored and, with
// `only_in_foreground`, our process group has the terminal. Returns whether the modes are on.
bool reapply_now(Hold hold, bool only_in_foreground) noexcept
{
    HandlerLockGuard lock(g_guard_lock);
    GuardState& s = g_guard_state;
    release_locked(s, hold);
    if (!owned_here(s) || !s.active || s.suspended || held(s)) {
        return false;
    }
    if (only_in_foreground && ::tcgetpgrp(s.fd) != ::getpgrp()) {
        return false;
    }
    return s.applied || apply_locked(s);
}

// Releases `hold` without re-applying anything.
void release(Hold hold) noexcept
{
    HandlerLockGuard lock(g_guard_lock);
    release_locked(g_guard_state, hold);
}

// After the chained handler of a signal restored with `hold`: re-apply, keep holding, or let go.
void after_chain(int sig, void (*ours)(int, siginfo_t*, void*), Hold hold)
{
    switch (after_chained(sig, ours)) {
    case After::carries_on: reapply_now(hold, false); return;
    case After::signal_pending: return;  // the death (or stop) follows: keep the terminal restored
    case After::disposition_taken: release(hold); return;
    }
}

void on_terminate_or_crash(int sig, siginfo_t* info, void* context)
{
    SavedErrno saved;
    if (called_back(sig)) {
        return;  // the application's handler chained back to us: the outer call does the work
    }
    restore_now(Hold::death);
    struct sigaction previous = previous_of(sig);
    if (is_function(previous)) {
        call_handler(previous, sig, info, context);
        after_chain(sig, on_terminate_or_crash, Hold::death);
        return;
    }
    die_by_default(sig);
}

void on_tstp(int sig, siginfo_t* info, void* context)
{
    SavedErrno saved;
    if (called_back(sig)) {
        return;
    }
    restore_now(Hold::stop);
    struct sigaction previous = previous_of(sig);
    if (is_function(previous)) {
        call_handler(previous, sig, info, context);
        after_chain(sig, on_tstp, Hold::stop);  // if it re-raised, SIGCONT re-applies after the stop
        return;
    }
    // Stop with the default action; SIGCONT's handler re-applies the modes when we continue.
    struct sigaction ours {};
    ::sigaction(sig, nullptr, &ours);
    die_by_default(sig);  // stops here until SIGCONT
    // Blocked again until we return, so that another SIGTSTP meets ours as a fresh signal.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    ::sigaction(sig, &ours, nullptr);
    // Continued: if SIGCONT's handler has not re-applied yet (it runs on any thread, or is not
    // ours any more), do it here; whichever comes second finds the modes on.
    reapply_now(Hold::stop, true);
}

void on_cont(int sig, siginfo_t* info, void* context)
{
    SavedErrno saved;
    if (called_back(sig)) {
        return;
    }
    struct sigaction previous = previous_of(sig);
    if (is_function(previous)) {
        call_handler(previous, sig, info, context);
    }
    // Continued in the background (`bg`): the terminal belongs to another process group, and
    // writing to it (tcsetattr) would only stop us again with SIGTTOU. The SIGCONT of a later
    // `fg` re-applies.
    if (reapply_now(Hold::stop, true)) {
        // Whoever draws should redraw: input devices turn this into a ResizeEvent.
        ::kill(::getpid(), SIGWINCH);
    }
}

bool is_any_of_ours(const struct sigaction& action)
{
    return is_ours(action, on_terminate_or_crash) || is_ours(action, on_tstp) || is_ours(action, on_cont);
}

void install(int sig, void (*handler)(int, siginfo_t*, void*))
{
    struct sigaction now {};
    if (::sigaction(sig, nullptr, &now) != 0 || (!(now.sa_flags & SA_SIGINFO) && now.sa_handler == SIG_IGN)) {
        return;  // the application ignores it: so do we
    }
    if (is_ours(now, handler)) {
        g_installed[sig] = true;  // inherited across fork(): keep what it chains to
        return;
    }
    {
        HandlerLockGuard lock(g_guard_lock);
        g_previous[sig] = now;
    }
    struct sigaction sa {};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (::sigaction(sig, &sa, nullptr) == 0) {
        g_installed[sig] = true;
    }
}

}  // namespace

bool owned_here(const GuardState& s) noexcept { return s.owner != 0 && s.owner == ::getpid(); }

bool held(const GuardState& s) noexcept { return s.death_holds > 0 || s.stop_hold; }

bool apply_locked(GuardState& s) noexcept
{
    SavedErrno saved;
    if (s.raw && ::tcsetattr(s.fd, TCSADRAIN, &s.raw_termios) != 0) {
        saved.value = errno;  // for the caller
        return false;
    }
    write_all(s.fd, s.enable, s.enable_len);
    s.applied = true;
    return true;
}

void restore_locked(GuardState& s) noexcept
{
    SavedErrno saved;
    write_all(s.fd, s.disable, s.disable_len);
    if (s.raw) {
        ::tcsetattr(s.fd, TCSADRAIN, &s.saved);
    }
    s.applied = false;
}

void restore_now(Hold hold) noexcept
{
    HandlerLockGuard lock(g_guard_lock);
    GuardState& s = g_guard_state;
    take_locked(s, hold);
    if (owned_here(s) && s.applied) {
        restore_locked(s);
    }
}

void install_handlers()
{
    for (int sig : k_terminate_signals) {
        install(sig, on_terminate_or_crash);
    }
    for (int sig : k_crash_signals) {
        install(sig, on_terminate_or_crash);
    }
    install(SIGTSTP, on_tstp);
    install(SIGCONT, on_cont);
}

void uninstall_handlers()
{
    for (int sig = 1; sig < NSIG; ++sig) {
        if (!g_installed[sig]) {
            continue;
        }
        g_installed[sig] = false;
        struct sigaction now {};
        if (::sigaction(sig, nullptr, &now) == 0 && is_any_of_ours(now)) {
            struct sigaction previous = previous_of(sig);
            ::sigaction(sig, &previous, nullptr);
        }  // else the application replaced ours: its handler stays
    }
}

void restore_at_exit()
{
    static std::once_flag registered;
    std::call_once(registered, [] { std::atexit([] { restore_now(); }); });
}

}  // namespace vtinput::detail
