// What the terminal guard (guard.cpp) and its restore paths (signals.cpp) share (internal).
//
// The process has at most one active TerminalGuard. g_guard_state says everything a restore
// needs (the fd, the saved and raw termios, the enable and disable bytes rendered in advance)
// and which way the terminal is right now; it is read and written only under g_guard_lock,
// which signal handlers take too (a HandlerLock: whoever holds it has every signal blocked on
// its thread). So a transition (apply, restore, suspend, resume, close) is one indivisible step
// whichever threads and handlers race: once the guard has closed, no handler can re-apply.
//
// Only the owner process acts: a fork() child inherits this state, and owner tells it that
// the terminal's modes are its parent's business.
#pragma once

#include <cstddef>

#include <sys/types.h>
#include <termios.h>

#include "terminal/signal_safe.hpp"
#include "vtinput/terminal.hpp"

namespace vtinput::detail {

// Mode sequences are at most a few dozen bytes; the terminal's keypad-transmit bytes and the
// application's own come on top (each direction writes one of smkx/rmkx).
inline constexpr std::size_t k_max_mode_bytes = 256;
inline constexpr std::size_t k_max_sequence = k_max_mode_bytes + k_max_keypad_bytes + k_max_app_bytes;

struct GuardState {
    pid_t owner = 0;         // the process that created the guard; 0: no guard
    bool active = false;     // a guard is set up (its modes applied, or suspended)
    bool applied = false;    // the terminal is in the guard's modes right now
    bool suspended = false;  // TerminalGuard::suspend(): the handlers leave the terminal alone
    // Handlers that restored the terminal for a death that is coming (the default action, or a
    // chained handler that re-raised): while any holds, nobody applies the modes, so that a
    // guard constructed on another thread meanwhile cannot leave the terminal raw behind the
    // death. Released by a handler whose chained handler carried on.
    int death_holds = 0;
    // SIGTSTP restored the terminal for a stop: nobody applies until SIGCONT (or the stopped
    // handler, continued) releases it.
    bool stop_hold = false;
    int fd = -1;  // not owned: the guard's caller keeps it open
    bool raw = false;
    termios saved{};                   // as the terminal was before the guard (or before resume())
    termios raw_termios{};             // as the guard sets it
    char enable[k_max_sequence] = {};  // keypad transmit and the modes on, then the application's enter bytes
    std::size_t enable_len = 0;
    char disable[k_max_sequence] = {};  // the application's leave bytes, then the modes and keypad transmit off
    std::size_t disable_len = 0;
};

// Defined in signals.cpp.
extern HandlerLock g_guard_lock;
extern GuardState g_guard_state;  // guarded by g_guard_lock

// signals.cpp. Async-signal-safe; they keep errno. The caller holds g_guard_lock.
// Whether this process owns the guard's terminal.
bool owned_here(const GuardState& s) noexcept;
// Whether a signal handler holds the terminal restored (death_holds, stop_hold).
bool held(const GuardState& s) noexcept;
// Writes the enable bytes after setting raw termios; sets `applied`. False (errno set) if
// tcsetattr failed, with nothing written.
bool apply_locked(GuardState& s) noexcept;
// Writes the disable bytes, then puts the saved termios back; clears `applied`.
void restore_locked(GuardState& s) noexcept;

// signals.cpp. Async-signal-safe; they take g_guard_lock and keep errno.
// Puts the terminal back as it was before the guard, unless it is already, it is suspended,
// or another process owns it; with a hold, keeps it so (see GuardState).
enum class Hold : unsigned char { none, death, stop };
void restore_now(Hold hold = Hold::none) noexcept;

// signals.cpp. Not async-signal-safe: called by the guard, under its mutex, never with
// g_guard_lock held.
void install_handlers();    // for TerminalModes::handle_signals
void uninstall_handlers();  // puts back what install_handlers replaced, where ours is still in place
void restore_at_exit();     // once per process: exit() without unwinding still restores

}  // namespace vtinput::detail
