// Terminal modes that always come back: raw mode and the opt-in input protocols, set on
// construction and undone in reverse order on every way out (destruction, exception unwinding,
// SIGINT/SIGTERM/SIGHUP/SIGQUIT, crash signals, Ctrl+Z), only for what was enabled.
//
// At most one TerminalGuard is active per process (it owns the process's signal handlers
// while handle_signals is set). The restore path used from signal handlers is async-signal-
// safe: it writes bytes rendered in advance and calls tcsetattr with termios saved in advance.
#pragma once

#include <cstdint>
#include <string>

#include <termios.h>

namespace vtinput {

enum class MouseTracking : std::uint8_t {
    none,
    clicks,  // 1000: press and release
    drag,    // 1002: + motion while a button is held
    motion,  // 1003: + all motion
};

struct TerminalModes {
    bool raw = true;                            // termios raw mode (saved and restored exactly)
    MouseTracking mouse = MouseTracking::none;  // reported as SGR 1006 ...
    bool mouse_pixels = false;                  // ... or SGR-pixels 1016
    bool bracketed_paste = false;               // 2004
    bool focus = false;                         // 1004
    unsigned kitty_flags = 0;                   // kitty progressive enhancement: push CSI > flags u, pop CSI < u
    int modify_other_keys = 0;                  // xterm modifyOtherKeys level 1 or 2 (CSI > 4 ; n m)
    bool in_band_resize = false;                // 2048
    // Install handlers that restore the terminal on SIGINT/SIGTERM/SIGHUP/SIGQUIT and on
    // crash signals (SIGSEGV/SIGABRT/SIGBUS/SIGFPE/SIGILL), then let the previous handler or
    // the default action run (the modes are re-applied after a previous handler only if it
    // returns with the process carrying on: not if it re-raised the signal, nor if it took the
    // disposition away); restore before SIGTSTP stops the process and re-apply on
    // SIGCONT (then raise SIGWINCH, so input devices deliver a ResizeEvent and the application
    // redraws). Signals the application ignores are left alone.
    bool handle_signals = true;
};

// The bytes that enable `modes` (in order), and the bytes that undo them (in reverse order).
std::string enable_sequence(const TerminalModes& modes);
std::string disable_sequence(const TerminalModes& modes);

class TerminalGuard {
public:
    // Puts terminal `fd` (termios, and the mode sequences written to it) into `modes`. The
    // guard does not own `fd`, which must stay open until the guard is destroyed. Throws
    // std::system_error if raw mode was asked for and fd is not a terminal, if termios cannot
    // be set, or (device_or_resource_busy) if another guard is active.
    TerminalGuard(int fd, TerminalModes modes);
    ~TerminalGuard();  // restores
    TerminalGuard(const TerminalGuard&) = delete;
    TerminalGuard& operator=(const TerminalGuard&) = delete;

    // Restores the terminal now (idempotent); the destructor then does nothing more.
    void restore() noexcept;

    // Hands the terminal to someone else for a while (a child program): puts it back as it was
    // before the guard, as restore() does, but keeps the guard, whose signal handlers then
    // restore nothing and re-apply nothing until resume(). Idempotent.
    void suspend() noexcept;
    // Takes the terminal back after suspend(): saves its termios anew and re-applies the
    // modes. Throws std::system_error if the terminal cannot be set. Idempotent.
    void resume();
    bool suspended() const { return suspended_; }

    int fd() const { return fd_; }
    const TerminalModes& modes() const { return modes_; }
    const termios& saved_termios() const { return saved_; }

private:
    int fd_;
    TerminalModes modes_;
    termios saved_{};
    bool restored_ = false;
    bool suspended_ = false;
};

}  // namespace vtinput
