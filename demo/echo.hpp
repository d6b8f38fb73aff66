// What the parts of vtinput-echo share. One file per job:
//   main.cpp       main: the arguments, then replay or live mode
//   arguments.cpp  the command line (arguments.hpp: Options, parse_args)
//   replay.cpp     --replay: decodes a recording
//   session.cpp    live mode, shared by the line output and the screen: the device, the extra
//                  receivers, the capability query, and how a session ends (QuitKeys, Stop)
//   lines.cpp      the line output of live mode, and the line format
//   tui.cpp        --tui, the ncurses screen
#pragma once

#include <csignal>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "arguments.hpp"
#include "vtinput/capabilities.hpp"
#include "vtinput/event.hpp"
#include "vtinput/input_device.hpp"

namespace demo {

// ---- replay.cpp ---------------------------------------------------------------------------

// Decodes the recording o.replay names ("-": standard input) and prints its events. Returns
// the exit status: 0, or 2 when the recording cannot be read.
int run_replay(const Options& o);

// ---- session.cpp --------------------------------------------------------------------------

// Opens the device and runs the line output or the screen until the session ends. Returns the
// exit status: that of run_lines / run_tui, or 2 when the device cannot be opened (no terminal
// to read). When a signal ended the session, raises it again once the terminal is restored.
// Other failures throw.
int run_live(const Options& o);

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

// What the user is told about quitting: at the start, and after the first Ctrl+C.
inline constexpr std::string_view k_quit_hint = "press Ctrl+C twice to quit";
inline constexpr std::string_view k_quit_again = "press Ctrl+C again to quit";

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
// Throws std::system_error when the receiver's fd cannot be had or poll() fails.
void wait_for_events(vtinput::Receiver& receiver, const Stop& stop);

// A line for the user, prefixed "vtinput-echo: ": on stdout, or on stderr with --json so that
// stdout stays pure JSON lines. Flushed. Callers serialise it with event lines (run_lines).
void notice(const Options& o, std::string_view text);

// ---- lines.cpp ----------------------------------------------------------------------------

// Appends one event as a line without the newline: human-readable or JSON (docs/json-schema.md), tagged
// with the receiver number `rx` unless it is 0 ("[rx2] " or an added "rx":2 field).
void append_line(std::string& out, const vtinput::Event& event, bool json, int rx = 0);

// Live line mode: prints every event of the device's receiver (on this thread) and of each of
// `extra` (one thread each) until Ctrl+C twice, end of input, an error or a stop. Returns the
// exit status: 0, or 1 after an ErrorEvent or when stdout cannot be written.
int run_lines(const Options& o, vtinput::InputDevice& device, std::vector<vtinput::Receiver> extra, const Stop& stop);

// ---- tui.cpp ------------------------------------------------------------------------------

// --tui: the same on an ncurses screen, which also shows `caps`. Needs device.terminal().
int run_tui(const Options& o, vtinput::InputDevice& device, const vtinput::Capabilities& caps, const Stop& stop);

}  // namespace demo
