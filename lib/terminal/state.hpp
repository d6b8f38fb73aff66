// What the terminal guard (guard.cpp) and its restore paths (signals.cpp) share (internal).
//
// The process has at most one active TerminalGuard. Before it touches the terminal, the guard
// renders everything a restore needs into g_guard_state (the fd, the saved and raw termios, the
// enable and disable bytes) and only then publishes it by setting g_guard_active. Signal
// handlers and the atexit hook read g_guard_state only after seeing g_guard_active set, and
// the guard rewrites it only while g_guard_active is clear; g_modes_applied says which way the
// terminal is right now, so that restore and re-apply each happen once however the paths
// interleave.
#pragma once

#include <atomic>
#include <cstddef>

#include <termios.h>

#include "terminal/signal_safe.hpp"  // write_all

namespace vtinput::detail {

inline constexpr std::size_t k_max_sequence = 256;  // longer mode sequences are cut

struct GuardState {
    int fd = -1;  // not owned: the guard's caller keeps it open
    bool raw = false;
    termios saved{};        // as the terminal was before the guard
    termios raw_termios{};  // as the guard sets it
    char enable[k_max_sequence] = {};
    std::size_t enable_len = 0;
    char disable[k_max_sequence] = {};
    std::size_t disable_len = 0;
};

// Defined in guard.cpp, written only there.
extern GuardState g_guard_state;
extern std::atomic<bool> g_guard_active;   // g_guard_state describes a guard whose modes are applied
extern std::atomic<bool> g_modes_applied;  // the terminal is in the guard's modes right now

// signals.cpp. Async-signal-safe; restore_now and reapply_now keep errno.
// Puts the terminal back as it was before the guard, unless it is already.
void restore_now() noexcept;
// Puts the guard's modes back (after a chained handler returned, or SIGCONT), unless they are.
void reapply_now() noexcept;

// signals.cpp. Not async-signal-safe: called by the guard, under its mutex.
void install_handlers();    // for TerminalModes::handle_signals
void uninstall_handlers();  // puts back the dispositions install_handlers found
void restore_at_exit();     // once per process: exit() without unwinding still restores

}  // namespace vtinput::detail
