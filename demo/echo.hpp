// vtinput-echo's parts, shared by the three files of the demo:
//   vtinput_echo.cpp  arguments, --replay, and setting up live mode (device, capability query)
//   live.cpp          the live line mode, and what it shares with the screen: quitting, stopping
//   tui.cpp           --tui, the ncurses screen
#pragma once

#include <chrono>
#include <csignal>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "vtinput/capabilities.hpp"
#include "vtinput/event.hpp"
#include "vtinput/input_device.hpp"
#include "vtinput/terminal.hpp"

namespace demo {

struct Options {
    // Replay mode (--replay): decode a recording instead of the terminal.
    std::string replay;  // empty: live mode
    std::size_t chunk = 0;
    bool stats = false;
    // Both modes.
    bool json = false;
    std::string term;  // terminfo entry; resolved to $TERM or xterm-256color
    // Live mode. `modes` is what the protocol flags enable; raw mode and the signal handlers
    // of the device's TerminalGuard keep their defaults (on).
    vtinput::TerminalModes modes;
    bool raw_bytes = false;  // --raw
    int subscribers = 1;
    bool query = true;
    std::chrono::milliseconds query_timeout{500};
    bool tui = false;
};

// Ctrl+C twice in a row quits. Only key presses count: releases, repeats and the modifier
// keys themselves (which the kitty protocol reports as keys) neither count nor reset, so the
// rule is the same whether the terminal sends 0x03 or a kitty CSI u sequence. Mouse and other
// events do not reset it either: with motion tracking on, the hand on the mouse would.
class QuitKeys {
public:
    enum class Step { other, first, quit };  // first: the caller says "press Ctrl+C again"
    Step offer(const vtinput::Event& event);
    // One Ctrl+C seen: the next one quits.
    bool armed() const { return armed_; }

private:
    bool armed_ = false;
};

// How the program ends from outside the event stream: a byte in a pipe nobody reads. The pipe
// stays readable once written, so every receiver thread sees it in poll(), whenever it looks.
// The constructor installs handlers for SIGINT, SIGTERM and SIGHUP that write it (unless the
// signal is ignored); construct it before opening the InputDevice, so that the device's
// TerminalGuard chains to these handlers (it restores the terminal, calls ours, re-applies
// its modes) instead of letting the default action kill the process. The destructor puts the
// previous handlers back. One Stop per process: a signal handler can only reach it through a
// global.
class Stop {
public:
    Stop();
    ~Stop();
    Stop(const Stop&) = delete;
    Stop& operator=(const Stop&) = delete;

    void request() const;    // async-signal-safe
    bool requested() const;  // non-blocking
    int fd() const { return read_fd_; }
    // The signal that asked for the stop; 0 if none did.
    int signal() const;

private:
    static constexpr int k_signals[] = {SIGINT, SIGTERM, SIGHUP};
    int read_fd_ = -1;
    struct sigaction previous_[std::size(k_signals)] = {};  // what to put back
    bool installed_[std::size(k_signals)] = {};
};

// Blocks until `receiver` has events pending or a stop was requested (the caller looks which).
// Throws std::system_error if the receiver has no pollable fd.
void wait_for_events(vtinput::Receiver& receiver, const Stop& stop);

// Appends one event as a line without the newline: human-readable or JSON (SCHEMA.md), tagged
// with the receiver number `rx` unless it is 0 ("[rx2] " or an added "rx":2 field).
void append_line(std::string& out, const vtinput::Event& event, bool json, int rx = 0);

inline constexpr std::string_view k_quit_hint = "press Ctrl+C twice to quit";
inline constexpr std::string_view k_quit_again = "press Ctrl+C again to quit";

// A line for the user, prefixed "vtinput-echo: ": on stdout, or on stderr with --json so that
// stdout stays pure JSON lines. Flushed. Callers serialise it with event lines (run_lines).
void notice(const Options& o, std::string_view text);

// Live line mode: prints every event of the device's receiver (on this thread) and of each of
// `extra` (one thread each) until Ctrl+C twice, end of input, an error or a stop. Returns the
// exit status: 0, or 1 after an ErrorEvent or when stdout cannot be written.
int run_lines(const Options& o, vtinput::InputDevice& device, std::vector<vtinput::Receiver> extra,
              const Stop& stop);

// --tui: the same on an ncurses screen, which also shows `caps`. Needs device.terminal().
int run_tui(const Options& o, vtinput::InputDevice& device, const vtinput::Capabilities& caps,
            const Stop& stop);

}  // namespace demo
