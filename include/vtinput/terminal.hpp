/// @file
/// Terminal modes that always come back: raw mode, keypad-transmit mode, the opt-in input
/// protocols and the application's own enter/leave bytes (alternate screen, hidden cursor, ...), set on
/// construction and undone in reverse order on every way out (destruction, exception unwinding,
/// exit(), SIGINT/SIGTERM/SIGHUP/SIGQUIT, crash signals, Ctrl+Z), only for what was enabled.
///
/// At most one TerminalGuard is active per process (it owns the process's signal handlers
/// while handle_signals is set). The restore path used from signal handlers is async-signal-
/// safe: it writes bytes rendered in advance and calls tcsetattr with termios saved in advance.
/// Only the process that created the guard touches the terminal: in a fork() child, every
/// restore path (destructor, restore(), exit(), signals) leaves the parent's terminal alone.
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

// TerminalGuard is POSIX (termios, signals): on Windows, where only the core is built
// (meson.build), this header gives the modes and their byte sequences alone.
#if !defined(_WIN32)
#include <termios.h>
#endif

namespace vtinput {

/// Which mouse events the terminal reports (the DEC private mode to enable).
enum class MouseTracking : std::uint8_t {
    none,    ///< no mouse reports
    clicks,  ///< 1000: press and release
    drag,    ///< 1002: + motion while a button is held
    motion,  ///< 1003: + all motion
};

/// How the keyboard protocol (TerminalModes::kitty_flags, modify_other_keys) is chosen.
enum class Keyboard : std::uint8_t {
    /// kitty_flags and modify_other_keys are set as given (0: not at all).
    as_set,
    /// Chosen for the terminal by InputDevice::open() after its capability probe
    /// (choose_keyboard(), README "Talking to the terminal"): the kitty flags asked for where the
    /// terminal answered `CSI ? u`, else modifyOtherKeys where XTQMODKEYS or the terminal's
    /// identity says it works, else neither (legacy keys). kitty_flags and modify_other_keys
    /// are then what to ask for (0: kitty flags 1, disambiguate; modifyOtherKeys 2).
    /// InputDevice::keyboard() reports what is in effect. A TerminalGuard alone sets neither
    /// until TerminalGuard::set_keyboard().
    automatic,
};

/// Keypad-transmit mode: the bytes that turn it on and off, terminfo's `smkx` and `rmkx`
/// (xterm's and st's: `CSI ? 1 h ESC =` and `CSI ? 1 l ESC >`, DECCKM and DECKPAM). Both empty:
/// nothing is written.
struct KeypadTransmit {
    std::string enable;   ///< written when the terminal is taken (smkx)
    std::string disable;  ///< written on every restore path (rmkx)
    /// Nothing to write: no keypad-transmit mode.
    bool empty() const { return enable.empty() && disable.empty(); }
    /// Equal when both strings are equal.
    friend bool operator==(const KeypadTransmit&, const KeypadTransmit&) = default;
};

/// The longest KeypadTransmit::enable / disable a guard accepts.
inline constexpr std::size_t k_max_keypad_bytes = 64;

/// The modes a TerminalGuard (or an InputDevice) sets. Every protocol mode is off by default;
/// keypad-transmit mode is on where the terminal's terminfo entry has it.
struct TerminalModes {
    bool raw = true;  ///< termios raw mode (saved and restored exactly)
    /// Keypad-transmit mode, as ncurses' keypad(TRUE) sets it: the terminfo key capabilities of
    /// most terminals (kcuu1 = `ESC O A`, kdch1 = `ESC [ 3 ~`) are what they send in this mode
    /// only; st sends `ESC [ P` for Delete without it. Enabled first, disabled last.
    /// std::nullopt (the default): the terminal's own smkx and rmkx from terminfo, when its entry
    /// has both (each at most k_max_keypad_bytes): InputDevice::open() takes them from the entry
    /// its key table comes from (DeviceOptions::term, else $TERM), a TerminalGuard from entry
    /// $TERM; nothing when $TERM is unset or empty (the key table's "xterm-256color" is a guess,
    /// not a terminal to write to), the entry lacks either or cannot be loaded. A value: exactly
    /// these bytes (KeypadTransmit{}: none), at most k_max_keypad_bytes each. The guard's
    /// modes() shows what was chosen. rmkx puts the terminal in normal mode whatever it was in
    /// before, as ncurses does (DECKPAM cannot be queried).
    std::optional<KeypadTransmit> keypad_transmit;
    MouseTracking mouse = MouseTracking::none;  ///< reported as SGR 1006 ...
    bool mouse_pixels = false;                  ///< ... or SGR-pixels 1016
    bool bracketed_paste = false;               ///< 2004
    bool focus = false;                         ///< 1004
    unsigned kitty_flags = 0;                   ///< kitty progressive enhancement: push CSI > flags u, pop CSI < u
    int modify_other_keys = 0;                  ///< xterm modifyOtherKeys level 1 or 2 (CSI > 4 ; n m)
    /// Whether kitty_flags and modify_other_keys are set as given or chosen for the terminal.
    Keyboard keyboard = Keyboard::as_set;
    bool in_band_resize = false;  ///< 2048
    /// 2031: the terminal reports each change of its colour scheme (light/dark theme) as
    /// `CSI ? 997 ; 1|2 n`, a ReportEvent of kind color_scheme (params {1}: dark, {2}: light).
    bool color_scheme_updates = false;
    /// 9001: Windows Terminal's win32-input-mode (every key as `CSI Vk;Sc;Uc;Kd;Cs;Rc _`, with
    /// releases; what it sends over ssh and WSL when asked).
    bool win32_input = false;
    ///@{
    /// The application's own bytes, written to the terminal with the modes: `app_enter` after
    /// the modes are enabled (on construction, after SIGCONT, after a chained handler that
    /// carries on, on resume()), `app_leave` before they are disabled (on every restore path,
    /// signal handlers included). E.g. `"\x1b[?1049h\x1b[?25l"` and `"\x1b[?25h\x1b[?1049l"` for
    /// the alternate screen and a hidden cursor. At most k_max_app_bytes each: the guard
    /// renders them in advance, so that a signal handler only writes them.
    std::string app_enter;
    std::string app_leave;
    ///@}
    /// Install handlers that restore the terminal on SIGINT/SIGTERM/SIGHUP/SIGQUIT and on
    /// crash signals (SIGSEGV/SIGABRT/SIGBUS/SIGFPE/SIGILL), then let the previous handler or
    /// the default action run (the modes are re-applied after a previous handler only if it
    /// returns with the process carrying on: not if it re-raised the signal, nor if it took the
    /// disposition away); restore before SIGTSTP stops the process and re-apply on
    /// SIGCONT (then raise SIGWINCH, so input devices deliver a ResizeEvent and the application
    /// redraws). Signals the application ignores are left alone. The handlers are installed
    /// before the terminal changes and removed after it is restored; at removal, a handler the
    /// application installed meanwhile stays (it should chain to the one it replaced, ours, as
    /// ours chain to the application's: a chain that comes back to us is cut, not looped).
    bool handle_signals = true;
};

/// The longest TerminalModes::app_enter / app_leave a guard accepts.
inline constexpr std::size_t k_max_app_bytes = 1024;

///@{
/// The bytes that enable `modes` (in order, keypad_transmit's first) followed by app_enter, and
/// the bytes that undo them: app_leave, then the modes disabled in reverse order (keypad_transmit's
/// last). Pure: a keypad_transmit of std::nullopt writes nothing here (the guard resolves it
/// before it renders these).
std::string enable_sequence(const TerminalModes& modes);
std::string disable_sequence(const TerminalModes& modes);
///@}

#if !defined(_WIN32)
/// Sets a terminal's modes and puts them back on every way out (see the top of this file).
class TerminalGuard {
public:
    /// Puts terminal `fd` (termios, and the mode sequences written to it) into `modes`. The
    /// signal handlers are installed before the terminal changes, so a signal at any moment
    /// finds it restorable. The guard does not own `fd`, which must stay open until the guard
    /// is destroyed. A keypad_transmit of std::nullopt is resolved here from terminfo entry
    /// $TERM (see TerminalModes::keypad_transmit). Throws std::system_error if raw mode was
    /// asked for and fd is not a terminal, if termios cannot be set, (invalid_argument) if
    /// app_enter or app_leave is longer than k_max_app_bytes or a given keypad_transmit string
    /// longer than k_max_keypad_bytes, or (device_or_resource_busy) if another guard is active
    /// in this process. Blocks while the terminal drains its output (tcsetattr TCSADRAIN), and
    /// while it reads the terminfo database.
    TerminalGuard(int fd, TerminalModes modes);
    ~TerminalGuard();  ///< restores
    TerminalGuard(const TerminalGuard&) = delete;
    TerminalGuard& operator=(const TerminalGuard&) = delete;

    /// Restores the terminal now (idempotent): app_leave, the modes off, the saved termios, and
    /// only then the signal handlers out (each put back only if ours is still the installed
    /// one). A signal handler that runs meanwhile on another thread never re-applies the modes
    /// after this. The destructor then does nothing more. In a fork() child of the process that
    /// created the guard, does nothing at all.
    void restore() noexcept;

    /// Hands the terminal to someone else for a while (a child program): puts it back as it was
    /// before the guard, as restore() does (app_leave included), but keeps the guard, whose
    /// signal handlers then restore nothing and re-apply nothing (SIGTSTP/SIGCONT included)
    /// until resume(). Idempotent; does nothing after restore() or in a fork() child.
    void suspend() noexcept;
    /// Takes the terminal back after suspend(): saves its termios anew (the child program may
    /// have changed them for good) and re-applies the modes and app_enter. Throws
    /// std::system_error if the terminal cannot be set (the guard then stays suspended), or
    /// (operation_not_permitted) in a fork() child. Does nothing unless suspended.
    void resume();
    /// Between suspend() and resume().
    bool suspended() const { return suspended_; }

    /// Changes the keyboard protocol in effect (how InputDevice applies Keyboard::automatic):
    /// from now on kitty_flags and modify_other_keys are these (0: off). While the modes are
    /// applied, writes the change at once: the old protocol undone (`CSI < u`, `CSI > 4 m`),
    /// the new one set; every restore path, signal handlers included, undoes the new one, and
    /// resume() re-applies it. Does nothing after restore() or in a fork() child.
    void set_keyboard(unsigned kitty_flags, int modify_other_keys) noexcept;

    /// The terminal the guard sets (not owned).
    int fd() const { return fd_; }
    /// The modes in effect: those asked for, keypad_transmit resolved (never std::nullopt), the
    /// keyboard protocol as set_keyboard() left it (under Keyboard::automatic, none until then).
    const TerminalModes& modes() const { return modes_; }
    /// The termios the restore paths put back: saved on construction and again by resume().
    const termios& saved_termios() const { return saved_; }

private:
    int fd_;
    TerminalModes modes_;
    termios saved_{};
    int owner_pid_ = 0;  // the process that created the guard, the only one it acts in
    bool restored_ = false;
    bool suspended_ = false;
};
#endif  // !_WIN32

}  // namespace vtinput
