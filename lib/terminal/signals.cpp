// The restore paths that run where almost nothing is allowed: signal handlers and atexit.
//
// Everything here that a handler calls is async-signal-safe: write, tcsetattr, tcgetpgrp,
// getpgrp, sigaction, sigprocmask, sigpending, raise, kill, getpid. It reads only the state the
// guard prepared in advance (state.hpp) and allocates nothing. Handlers keep errno as they
// found it. The handlers are process-wide: installed and uninstalled by the one active guard,
// under its mutex, with the dispositions they replace kept in g_previous to chain to and to
// put back.
#include "terminal/state.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>

#include <unistd.h>

namespace vtinput::detail {
namespace {

constexpr int k_terminate_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr int k_crash_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
struct sigaction g_previous[NSIG];
bool g_installed[NSIG] = {};

// A signal handler must leave errno as it found it: the interrupted code may be about to
// read it.
struct SavedErrno {
    int value = errno;
    ~SavedErrno() { errno = value; }
};

void call_previous(int sig, siginfo_t* info, void* context)
{
    const struct sigaction& prev = g_previous[sig];
    if (prev.sa_flags & SA_SIGINFO) {
        prev.sa_sigaction(sig, info, context);
    } else {
        prev.sa_handler(sig);
    }
}

bool previous_is_function(int sig)
{
    const struct sigaction& prev = g_previous[sig];
    if (prev.sa_flags & SA_SIGINFO) {
        return prev.sa_sigaction != nullptr;
    }
    return prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN;
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

// After a chained handler returned: whether the process carries on, with our handler still in
// place, so that the modes should be re-applied. A handler that lets the signal kill the
// process (the common idiom: put the previous disposition or SIG_DFL back, then raise) returns
// with the signal pending, since it is blocked while we run, and the death follows as soon as
// we return: re-applying the modes then would leave the terminal raw. A handler that took our
// disposition away has ended our watch over `sig`; the terminal stays restored.
bool chained_handler_carries_on(int sig, void (*ours)(int, siginfo_t*, void*))
{
    sigset_t pending;
    if (::sigpending(&pending) == 0 && sigismember(&pending, sig) == 1) {
        return false;
    }
    struct sigaction now {};
    if (::sigaction(sig, nullptr, &now) != 0) {
        return false;
    }
    return (now.sa_flags & SA_SIGINFO) != 0 && now.sa_sigaction == ours;
}

void on_terminate_or_crash(int sig, siginfo_t* info, void* context)
{
    SavedErrno saved;
    restore_now();
    if (previous_is_function(sig)) {
        call_previous(sig, info, context);
        if (chained_handler_carries_on(sig, on_terminate_or_crash)) {
            reapply_now();  // the application's handler chose to carry on
        }
        return;
    }
    die_by_default(sig);
}

void on_tstp(int sig, siginfo_t* info, void* context)
{
    SavedErrno saved;
    restore_now();
    if (previous_is_function(sig)) {
        call_previous(sig, info, context);
        if (chained_handler_carries_on(sig, on_tstp)) {
            reapply_now();
        }
        // Else the stop is still to come (the handler re-raised): SIGCONT re-applies.
        return;
    }
    // Stop with the default action; SIGCONT's handler re-applies the modes when we continue.
    struct sigaction ours {};
    ::sigaction(sig, nullptr, &ours);
    die_by_default(sig);  // stops here until SIGCONT
    ::sigaction(sig, &ours, nullptr);
}

void on_cont(int sig, siginfo_t* info, void* context)
{
    SavedErrno saved;
    if (previous_is_function(sig)) {
        call_previous(sig, info, context);
    }
    // Continued in the background (`bg`): the terminal belongs to another process group, and
    // writing to it (tcsetattr) would only stop us again with SIGTTOU. The SIGCONT of a later
    // `fg` re-applies.
    if (g_guard_active.load() && ::tcgetpgrp(g_guard_state.fd) != ::getpgrp()) {
        return;
    }
    reapply_now();
    // Whoever draws should redraw: input devices turn this into a ResizeEvent.
    ::kill(::getpid(), SIGWINCH);
}

void install(int sig, void (*handler)(int, siginfo_t*, void*))
{
    struct sigaction prev {};
    if (::sigaction(sig, nullptr, &prev) != 0 || (!(prev.sa_flags & SA_SIGINFO) && prev.sa_handler == SIG_IGN)) {
        return;  // the application ignores it: so do we
    }
    struct sigaction sa {};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    g_previous[sig] = prev;
    if (::sigaction(sig, &sa, nullptr) == 0) {
        g_installed[sig] = true;
    }
}

}  // namespace

void restore_now() noexcept
{
    if (!g_guard_active.load() || !g_modes_applied.exchange(false)) {
        return;
    }
    int saved_errno = errno;
    write_all(g_guard_state.fd, g_guard_state.disable, g_guard_state.disable_len);
    if (g_guard_state.raw) {
        ::tcsetattr(g_guard_state.fd, TCSADRAIN, &g_guard_state.saved);
    }
    errno = saved_errno;
}

void reapply_now() noexcept
{
    if (!g_guard_active.load() || g_modes_applied.exchange(true)) {
        return;
    }
    int saved_errno = errno;
    if (g_guard_state.raw) {
        ::tcsetattr(g_guard_state.fd, TCSADRAIN, &g_guard_state.raw_termios);
    }
    write_all(g_guard_state.fd, g_guard_state.enable, g_guard_state.enable_len);
    errno = saved_errno;
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
        if (g_installed[sig]) {
            ::sigaction(sig, &g_previous[sig], nullptr);
            g_installed[sig] = false;
        }
    }
}

void restore_at_exit()
{
    static std::once_flag registered;
    std::call_once(registered, [] { std::atexit([] { restore_now(); }); });
}

}  // namespace vtinput::detail
