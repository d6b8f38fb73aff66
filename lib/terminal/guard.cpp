// TerminalGuard: raw mode, the mode sequences and the application's enter/leave bytes, set on
// construction and restored on every way out (see state.hpp for the state the restore paths
// share).
//
// One guard at a time per process: g_guard_mutex serialises the guards' calls (never taken in
// a signal handler), and g_guard_owner refuses a second guard in the same process. Every change
// of the terminal happens under g_guard_lock, which the signal handlers take too, so each is
// one step whatever races it. The order makes a signal at any moment harmless: the constructor
// renders everything, arms the atexit hook and the signal handlers, and only then changes the
// terminal (not at all while a handler holds it restored for a death or a stop: state.hpp);
// restore() puts the terminal back and marks the guard gone in one step, and only then takes
// the handlers out. A guard may be used from any thread; it does not own its fd.
// In a fork() child of the process that created it, a guard does nothing: the terminal's
// modes belong to the parent, which still has its device open.
//
// Keypad-transmit mode left to the guard (TerminalModes::keypad_transmit unset) is resolved
// here, once, from terminfo entry $TERM: like everything else, its bytes are rendered before
// the terminal changes, and no restore path reads terminfo.
#include "vtinput/terminal.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>

#include <unistd.h>

#include "support/error.hpp"
#include "terminal/keypad.hpp"
#include "terminal/state.hpp"
#include "vtinput/keymap.hpp"

namespace vtinput {
namespace {

using detail::g_guard_lock;
using detail::g_guard_state;
using detail::GuardState;
using detail::HandlerLockGuard;

std::mutex g_guard_mutex;  // one guard at a time (not used in handlers)
pid_t g_guard_owner = 0;   // the process whose guard is active, if any; guarded by g_guard_mutex

void copy_sequence(const std::string& s, char (&dst)[detail::k_max_sequence], std::size_t& len)
{
    len = std::min(s.size(), detail::k_max_sequence);  // always fits: the app's part is checked
    std::memcpy(dst, s.data(), len);
}

void check_app_bytes(const std::string& bytes, const char* name)
{
    if (bytes.size() > k_max_app_bytes) {
        detail::throw_error(std::errc::invalid_argument, std::string("TerminalModes::") + name + " is " +
                                                             std::to_string(bytes.size()) + " bytes long; at most " +
                                                             std::to_string(k_max_app_bytes) + " are accepted");
    }
}

void check_keypad_bytes(const std::string& bytes, const char* name)
{
    if (bytes.size() > k_max_keypad_bytes) {
        detail::throw_error(std::errc::invalid_argument, std::string("TerminalModes::keypad_transmit.") + name +
                                                             " is " + std::to_string(bytes.size()) +
                                                             " bytes long; at most " +
                                                             std::to_string(k_max_keypad_bytes) + " are accepted");
    }
}

// TerminalModes::keypad_transmit left unset: the smkx/rmkx of terminfo entry $TERM, or none
// when $TERM is unset or empty or its entry cannot be loaded (then there is no terminal we know
// to send them to).
KeypadTransmit keypad_transmit_of_term()
{
    const char* term = std::getenv("TERM");
    if (term == nullptr || *term == '\0') {
        return {};
    }
    try {
        return detail::keypad_transmit_of(KeyMap::from_terminfo(term));
    } catch (const std::system_error&) {
        return {};
    }
}

// Raw input: every key as bytes (no line editing, echo, signals from ^C/^Z/^\, flow control, CR
// translation). Output processing (OPOST) is left as it was, so "\n" printed by the application
// still starts a new line.
termios make_raw(termios t)
{
    t.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    return t;
}

void read_termios(int fd, termios& t)
{
    if (::tcgetattr(fd, &t) != 0) {
        detail::throw_errno(errno, "fd " + std::to_string(fd) + " is not a terminal");
    }
}

}  // namespace

TerminalGuard::TerminalGuard(int fd, TerminalModes modes) : fd_(fd), modes_(std::move(modes)), owner_pid_(::getpid())
{
    std::lock_guard lock(g_guard_mutex);
    if (g_guard_owner == owner_pid_) {
        detail::throw_error(std::errc::device_or_resource_busy, "another TerminalGuard is active in this process");
    }
    check_app_bytes(modes_.app_enter, "app_enter");
    check_app_bytes(modes_.app_leave, "app_leave");
    if (!modes_.keypad_transmit) {
        modes_.keypad_transmit = keypad_transmit_of_term();
    }
    if (modes_.keyboard == Keyboard::automatic) {
        // Chosen later, for the terminal (set_keyboard); until then, legacy keys.
        modes_.kitty_flags = 0;
        modes_.modify_other_keys = 0;
    }
    check_keypad_bytes(modes_.keypad_transmit->enable, "enable");
    check_keypad_bytes(modes_.keypad_transmit->disable, "disable");
    GuardState s;
    s.owner = owner_pid_;
    s.active = true;
    s.fd = fd;
    s.raw = modes_.raw;
    if (modes_.raw) {
        read_termios(fd, saved_);
        s.saved = saved_;
        s.raw_termios = make_raw(saved_);
    }
    copy_sequence(enable_sequence(modes_), s.enable, s.enable_len);
    copy_sequence(disable_sequence(modes_), s.disable, s.disable_len);
    // Every way out is armed before the terminal changes: a signal from here on finds either
    // the terminal untouched or the state to restore it.
    detail::restore_at_exit();
    if (modes_.handle_signals) {
        detail::install_handlers();
    }
    int err = 0;
    {
        HandlerLockGuard terminal(g_guard_lock);
        if (g_guard_state.owner == owner_pid_) {
            // A handler of this process may hold the terminal restored for a death or stop
            // that is under way; that outlives the guard it was restored for.
            s.death_holds = g_guard_state.death_holds;
            s.stop_hold = g_guard_state.stop_hold;
        }
        g_guard_state = s;
        // While held, the modes stay off: the process dies, or the handler that carries on
        // (SIGCONT, after a stop) applies them.
        if (!detail::held(g_guard_state) && !detail::apply_locked(g_guard_state)) {
            err = errno;
            g_guard_state.active = false;
        }
    }
    if (err != 0) {
        detail::uninstall_handlers();
        detail::throw_errno(err, "cannot set raw mode on fd " + std::to_string(fd));
    }
    g_guard_owner = owner_pid_;
}

TerminalGuard::~TerminalGuard() { restore(); }

void TerminalGuard::restore() noexcept
{
    if (restored_ || owner_pid_ != ::getpid()) {
        return;  // done already, or a fork() child: the terminal is the parent's
    }
    std::lock_guard lock(g_guard_mutex);
    restored_ = true;
    {
        HandlerLockGuard terminal(g_guard_lock);
        if (g_guard_state.applied) {
            detail::restore_locked(g_guard_state);
        }
        g_guard_state.active = false;
    }
    detail::uninstall_handlers();
    g_guard_owner = 0;
}

void TerminalGuard::suspend() noexcept
{
    if (restored_ || suspended_ || owner_pid_ != ::getpid()) {
        return;
    }
    std::lock_guard lock(g_guard_mutex);
    HandlerLockGuard terminal(g_guard_lock);
    if (g_guard_state.applied) {
        detail::restore_locked(g_guard_state);
    }
    g_guard_state.suspended = true;
    suspended_ = true;
}

void TerminalGuard::resume()
{
    if (owner_pid_ != ::getpid()) {
        detail::throw_error(std::errc::operation_not_permitted, "this TerminalGuard belongs to process " +
                                                                    std::to_string(owner_pid_) +
                                                                    ", of which this process is a fork() child");
    }
    if (restored_ || !suspended_) {
        return;
    }
    std::lock_guard lock(g_guard_mutex);
    termios now{};
    if (modes_.raw) {
        read_termios(fd_, now);
    }
    int err = 0;
    {
        HandlerLockGuard terminal(g_guard_lock);
        GuardState& s = g_guard_state;
        if (s.raw) {
            s.saved = now;
            s.raw_termios = make_raw(now);
        }
        if (detail::held(s) || detail::apply_locked(s)) {
            s.suspended = false;  // if held, whoever releases the hold applies
        } else {
            err = errno;
        }
    }
    if (err != 0) {
        detail::throw_errno(err, "cannot set raw mode on fd " + std::to_string(fd_));
    }
    saved_ = now;
    suspended_ = false;
}

void TerminalGuard::set_keyboard(unsigned kitty_flags, int modify_other_keys) noexcept
{
    if (restored_ || owner_pid_ != ::getpid()) {
        return;
    }
    std::lock_guard lock(g_guard_mutex);
    TerminalModes before;  // the keyboard protocol alone, to undo and to set
    before.keypad_transmit = KeypadTransmit{};
    before.kitty_flags = modes_.kitty_flags;
    before.modify_other_keys = modes_.modify_other_keys;
    TerminalModes after = before;
    after.kitty_flags = kitty_flags;
    after.modify_other_keys = modify_other_keys;
    TerminalModes next = modes_;
    next.kitty_flags = kitty_flags;
    next.modify_other_keys = modify_other_keys;
    // Rendered before the lock, as the constructor renders: handlers only copy and write.
    std::string change;
    std::string enable;
    std::string disable;
    try {
        change = disable_sequence(before) + enable_sequence(after);
        enable = enable_sequence(next);
        disable = disable_sequence(next);
    } catch (const std::bad_alloc&) {
        return;  // nothing changed: the terminal stays in the protocol it is in, and restorable
    }
    {
        HandlerLockGuard terminal(g_guard_lock);
        GuardState& st = g_guard_state;
        if (st.applied) {
            detail::write_all(st.fd, change.data(), change.size());
        }
        copy_sequence(enable, st.enable, st.enable_len);
        copy_sequence(disable, st.disable, st.disable_len);
    }
    modes_.kitty_flags = kitty_flags;
    modes_.modify_other_keys = modify_other_keys;
}

}  // namespace vtinput
