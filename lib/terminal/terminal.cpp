// Terminal modes and every path that restores them.
//
// The restore used from signal handlers and atexit touches only state prepared in advance:
// `g_state` holds the fd, the saved and raw termios and the rendered enable/disable bytes,
// and is published with an atomic flag. Everything called from a handler is async-signal-
// safe: write, tcsetattr, tcgetpgrp, getpgrp, sigaction, sigprocmask, sigpending, raise, kill,
// getpid.
#include "vtinput/terminal.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>

#include <unistd.h>

namespace vtinput {
namespace {

constexpr std::size_t k_max_sequence = 256;

struct State {
    int fd = -1;
    bool raw = false;
    termios saved{};
    termios raw_termios{};
    char enable[k_max_sequence] = {};
    std::size_t enable_len = 0;
    char disable[k_max_sequence] = {};
    std::size_t disable_len = 0;
};

State g_state;
std::atomic<bool> g_active{false};      // g_state describes a guard whose modes are applied
std::atomic<bool> g_applied{false};     // the terminal is in the guard's modes right now
std::mutex g_guard_mutex;               // one guard at a time (not used in handlers)
bool g_guard_exists = false;
bool g_atexit_registered = false;

constexpr int k_terminate_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr int k_crash_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
struct sigaction g_previous[NSIG];
bool g_installed[NSIG] = {};

void write_all(int fd, const char* p, std::size_t n) noexcept
{
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;  // nothing more we can do for a terminal that does not take bytes
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

// A signal handler must leave errno as it found it: the interrupted code may be about to
// read it.
struct SavedErrno {
    int value = errno;
    ~SavedErrno() { errno = value; }
};

// Async-signal-safe: put the terminal back as it was before the guard.
void restore_now() noexcept
{
    if (!g_active.load() || !g_applied.exchange(false)) {
        return;
    }
    int saved_errno = errno;
    write_all(g_state.fd, g_state.disable, g_state.disable_len);
    if (g_state.raw) {
        ::tcsetattr(g_state.fd, TCSADRAIN, &g_state.saved);
    }
    errno = saved_errno;
}

// Async-signal-safe: put the guard's modes back (after a chained handler returned, or SIGCONT).
void reapply_now() noexcept
{
    if (!g_active.load() || g_applied.exchange(true)) {
        return;
    }
    int saved_errno = errno;
    if (g_state.raw) {
        ::tcsetattr(g_state.fd, TCSADRAIN, &g_state.raw_termios);
    }
    write_all(g_state.fd, g_state.enable, g_state.enable_len);
    errno = saved_errno;
}

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
    if (g_active.load() && ::tcgetpgrp(g_state.fd) != ::getpgrp()) {
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

void append_private_mode(std::string& out, int mode, bool on)
{
    out += "\x1b[?";
    out += std::to_string(mode);
    out += on ? 'h' : 'l';
}

void copy_sequence(const std::string& s, char (&dst)[k_max_sequence], std::size_t& len)
{
    len = std::min(s.size(), k_max_sequence);
    std::memcpy(dst, s.data(), len);
}

}  // namespace

std::string enable_sequence(const TerminalModes& m)
{
    std::string out;
    if (m.mouse != MouseTracking::none) {
        static constexpr int tracking[] = {0, 1000, 1002, 1003};
        append_private_mode(out, tracking[static_cast<int>(m.mouse)], true);
        append_private_mode(out, m.mouse_pixels ? 1016 : 1006, true);
    }
    if (m.bracketed_paste) {
        append_private_mode(out, 2004, true);
    }
    if (m.focus) {
        append_private_mode(out, 1004, true);
    }
    if (m.kitty_flags != 0) {
        out += "\x1b[>" + std::to_string(m.kitty_flags) + "u";
    }
    if (m.modify_other_keys != 0) {
        out += "\x1b[>4;" + std::to_string(m.modify_other_keys) + "m";
    }
    if (m.in_band_resize) {
        append_private_mode(out, 2048, true);
    }
    return out;
}

std::string disable_sequence(const TerminalModes& m)
{
    std::string out;
    if (m.in_band_resize) {
        append_private_mode(out, 2048, false);
    }
    if (m.modify_other_keys != 0) {
        out += "\x1b[>4m";  // back to the terminal's initial modifyOtherKeys setting
    }
    if (m.kitty_flags != 0) {
        out += "\x1b[<u";
    }
    if (m.focus) {
        append_private_mode(out, 1004, false);
    }
    if (m.bracketed_paste) {
        append_private_mode(out, 2004, false);
    }
    if (m.mouse != MouseTracking::none) {
        static constexpr int tracking[] = {0, 1000, 1002, 1003};
        append_private_mode(out, m.mouse_pixels ? 1016 : 1006, false);
        append_private_mode(out, tracking[static_cast<int>(m.mouse)], false);
    }
    return out;
}

TerminalGuard::TerminalGuard(int fd, TerminalModes modes) : fd_(fd), modes_(modes)
{
    std::lock_guard lock(g_guard_mutex);
    if (g_guard_exists) {
        throw std::system_error(std::make_error_code(std::errc::device_or_resource_busy),
                                "vtinput::TerminalGuard: another guard is active in this process");
    }
    State s;
    s.fd = fd;
    s.raw = modes.raw;
    if (modes.raw) {
        if (::tcgetattr(fd, &saved_) != 0) {
            throw std::system_error(errno, std::generic_category(),
                                    "vtinput::TerminalGuard: fd " + std::to_string(fd) + " is not a terminal");
        }
        have_termios_ = true;
        s.saved = saved_;
        s.raw_termios = saved_;
        // Raw input: every key as bytes (no line editing, echo, signals from ^C/^Z/^\, flow
        // control, CR translation). Output processing (OPOST) is left as it was, so "\n"
        // printed by the application still starts a new line.
        s.raw_termios.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        s.raw_termios.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        s.raw_termios.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
        s.raw_termios.c_cflag |= CS8;
        s.raw_termios.c_cc[VMIN] = 1;
        s.raw_termios.c_cc[VTIME] = 0;
    }
    std::string enable = enable_sequence(modes);
    std::string disable = disable_sequence(modes);
    copy_sequence(enable, s.enable, s.enable_len);
    copy_sequence(disable, s.disable, s.disable_len);
    if (modes.raw && ::tcsetattr(fd, TCSADRAIN, &s.raw_termios) != 0) {
        throw std::system_error(errno, std::generic_category(), "vtinput::TerminalGuard: cannot set raw mode");
    }
    g_state = s;
    g_applied.store(true);
    g_active.store(true);
    write_all(fd, s.enable, s.enable_len);
    if (!g_atexit_registered) {
        g_atexit_registered = true;
        std::atexit([] { restore_now(); });  // exit() without unwinding still restores
    }
    if (modes.handle_signals) {
        install_handlers();
    }
    g_guard_exists = true;
}

TerminalGuard::~TerminalGuard() { restore(); }

void TerminalGuard::restore() noexcept
{
    std::lock_guard lock(g_guard_mutex);
    if (restored_) {
        return;
    }
    restored_ = true;
    uninstall_handlers();
    restore_now();
    g_active.store(false);
    g_guard_exists = false;
}

}  // namespace vtinput
