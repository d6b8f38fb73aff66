// TerminalGuard: raw mode and the mode sequences, set on construction and restored on every
// way out, and the process-wide state the restore paths read (see state.hpp).
//
// One guard at a time per process: g_guard_mutex serialises construction and restore (never
// taken in a signal handler), and g_guard_exists refuses a second guard. The constructor
// prepares everything a restore needs (saved termios, rendered sequences) before it changes
// the terminal, publishes it, then arms the atexit hook and, if asked, the signal handlers
// (signals.cpp). Restore runs in the reverse order: handlers out, terminal back, state
// unpublished. A guard may be used from any thread; it does not own its fd.
#include "vtinput/terminal.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>

#include <unistd.h>

#include "support/error.hpp"
#include "terminal/state.hpp"

namespace vtinput::detail {

GuardState g_guard_state;
std::atomic<bool> g_guard_active{false};
std::atomic<bool> g_modes_applied{false};

}  // namespace vtinput::detail

namespace vtinput {
namespace {

using detail::g_guard_state;
using detail::GuardState;

std::mutex g_guard_mutex;     // one guard at a time (not used in handlers)
bool g_guard_exists = false;  // guarded by g_guard_mutex

void copy_sequence(const std::string& s, char (&dst)[detail::k_max_sequence], std::size_t& len)
{
    len = std::min(s.size(), detail::k_max_sequence);
    std::memcpy(dst, s.data(), len);
}

}  // namespace

TerminalGuard::TerminalGuard(int fd, TerminalModes modes) : fd_(fd), modes_(modes)
{
    std::lock_guard lock(g_guard_mutex);
    if (g_guard_exists) {
        detail::throw_error(std::errc::device_or_resource_busy, "another TerminalGuard is active in this process");
    }
    GuardState s;
    s.fd = fd;
    s.raw = modes.raw;
    if (modes.raw) {
        if (::tcgetattr(fd, &saved_) != 0) {
            detail::throw_errno(errno, "fd " + std::to_string(fd) + " is not a terminal");
        }
        s.saved = saved_;
        s.raw_termios = saved_;
        // Raw input: every key as bytes (no line editing, echo, signals from ^C/^Z/^\, flow
        // control, CR translation). Output processing (OPOST) is left as it was, so "\n"
        // printed by the application still starts a new line.
        s.raw_termios.c_iflag &=
            ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        s.raw_termios.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        s.raw_termios.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
        s.raw_termios.c_cflag |= CS8;
        s.raw_termios.c_cc[VMIN] = 1;
        s.raw_termios.c_cc[VTIME] = 0;
    }
    copy_sequence(enable_sequence(modes), s.enable, s.enable_len);
    copy_sequence(disable_sequence(modes), s.disable, s.disable_len);
    if (modes.raw && ::tcsetattr(fd, TCSADRAIN, &s.raw_termios) != 0) {
        detail::throw_errno(errno, "cannot set raw mode on fd " + std::to_string(fd));
    }
    g_guard_state = s;
    detail::g_modes_applied.store(true);
    detail::g_guard_active.store(true);
    detail::write_all(fd, s.enable, s.enable_len);
    detail::restore_at_exit();
    if (modes.handle_signals) {
        detail::install_handlers();
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
    detail::uninstall_handlers();
    detail::restore_now();
    detail::g_guard_active.store(false);
    g_guard_exists = false;
}

}  // namespace vtinput

// Placeholder until the ownership work lands: see terminal.hpp for the contract.
namespace vtinput {
void TerminalGuard::suspend() noexcept { suspended_ = true; }
void TerminalGuard::resume() { suspended_ = false; }
}  // namespace vtinput
