// The PTY harness: a test process playing the user of a terminal, and a child process running
// the library inside that terminal.
//
// The parent (the doctest process) opens a pseudo-terminal with forkpty() and forks a child on
// its slave, which becomes the child's controlling terminal and its stdin/stdout/stderr. There
// is no exec: the child runs a scenario function from this binary. The parent then does what a
// terminal emulator does: it writes keystrokes to the master, resizes the window with
// TIOCSWINSZ on the master, and hangs up by closing the master. It never opens an input device
// itself, so it stays single-threaded and fork() is safe.
//
// The child reports what it observed on a line protocol over a dedicated pipe (never over the
// terminal, whose input side is what is under test):
//   ready                  the scenario is set up; the parent may start typing
//   event <tag> <json>     an event as vtinput::to_json, seen by receiver <tag> (dev, sub1, ...)
//   status running=1 generation=2 receivers=3 device_open=1
//   <anything else>        scenario-specific lines ("iter 7", "flags 2", ...)
//   done                   the scenario finished; the child exits 0
//   fail <message>         a check in the child failed; the child exits 1
//
// Waiting: every wait in the parent has a deadline (k_failure_timeout) that is reached only when
// something is broken; it then fails the test and prints the transcript so far (report lines,
// what was typed, what the child wrote to the terminal). Nothing sleeps to synchronise: the
// parent waits for a specific report line, and the child's waits are also bounded
// (k_child_timeout, shorter, so that the child's more precise message wins). While it waits or
// writes, the parent also drains the master so that the child never blocks writing to the
// terminal (sanitizer reports go there, and are scanned for).
//
// Lifetime: a PtyChild always reaps its child; one that is still running when the PtyChild goes
// away (a failed test) is killed with SIGKILL first.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "vtinput/channel.hpp"
#include "vtinput/event.hpp"
#include "vtinput/input_device.hpp"

#include "proc_counts.hpp"

namespace pty {

using namespace std::chrono_literals;

// Reached only on failure.
constexpr auto k_failure_timeout = 20s;
constexpr auto k_child_timeout = 15s;

// ---- child side ----------------------------------------------------------------------------

// Writes report lines to the parent. Used only by the child's main thread.
class Reporter {
public:
    explicit Reporter(int fd) : fd_(fd) {}
    // One line; newlines inside `text` are replaced so that a line stays a line.
    void line(std::string_view text);
    void event(std::string_view tag, const vtinput::Event& event);
    void status();  // "status running=.. generation=.. receivers=.. device_open=.."

private:
    int fd_;  // the pipe's write end; we do not own it
};

// Throws (and so ends the scenario with "fail <message>") unless `ok`.
void require(bool ok, const std::string& message);

// The next event of `r`, or a failure naming `what` after k_child_timeout.
vtinput::Event next_event(vtinput::Receiver& r, std::string_view what);

// The next event, which must be a key; returns it.
vtinput::KeyEvent next_key(vtinput::Receiver& r, std::string_view what);

// Thread and fd counts of this process (tests/proc_counts.hpp).
using vtinput::test::settled_thread_count;
using vtinput::test::thread_count;

using Scenario = std::function<void(Reporter&)>;

// ---- parent side ---------------------------------------------------------------------------

struct WindowSize {
    unsigned short cols = 80;
    unsigned short rows = 24;
};

class PtyChild {
public:
    // Forks `scenario` on a new PTY. The child sets its terminal to raw mode (cfmakeraw) and
    // TERM=xterm-256color before the scenario runs.
    PtyChild(std::string name, Scenario scenario, WindowSize size = {});
    ~PtyChild();  // kills the child if it is still running, reaps it, closes everything
    PtyChild(const PtyChild&) = delete;
    PtyChild& operator=(const PtyChild&) = delete;

    // The next report line. Fails the test on "fail ...", on the child's end, or at the deadline.
    std::string next_line();
    // The next line must be exactly `line`.
    void expect(std::string_view line);
    // The next line must start with `prefix`; returns the rest.
    std::string expect_prefix(std::string_view prefix);
    // The next line must be "event <tag> <to_json(event)>".
    void expect_event(const vtinput::Event& event, std::string_view tag = "dev");

    // Writes `bytes` to the master in one write() call per `chunk` bytes (0: one call for
    // everything, as far as the kernel takes it), draining the master and the report pipe
    // while the terminal's input buffer is full.
    void type(std::string_view bytes, std::size_t chunk = 0);
    // TIOCSWINSZ on the master: the kernel sends SIGWINCH to the child's foreground group.
    void resize(unsigned short cols, unsigned short rows, unsigned short xpixel = 0, unsigned short ypixel = 0);
    // Closes the master: the terminal hangs up.
    void hangup();

    // Expects "done", then the child's exit with status 0, and no sanitizer report on the
    // terminal.
    void finish();

    // Report lines, typed bytes and terminal output so far, for failure messages.
    std::string transcript() const;
    const std::string& name() const { return name_; }

private:
    [[noreturn]] void fail(const std::string& why);
    // Waits until the report pipe or the master has something (or the master can be written,
    // if `want_write`), and reads what there is. Returns true when the master is writable.
    // Fails the test at `deadline`.
    bool pump(std::chrono::steady_clock::time_point deadline, bool want_write, std::string_view waiting_for);
    void drain_master();
    void drain_reports();
    void wait_exit(std::chrono::steady_clock::time_point deadline);
    void note(std::string_view what);

    std::string name_;
    pid_t pid_ = -1;
    int master_ = -1;
    int reports_ = -1;
    int pidfd_ = -1;  // for waiting on the child's exit with a deadline; -1 if unsupported
    bool reports_eof_ = false;
    bool reaped_ = false;
    int wait_status_ = 0;
    std::string pending_;   // report bytes not yet split into lines
    std::string log_;       // transcript
    std::string terminal_;  // everything the child wrote to the terminal
};

// A character key as a terminal sends it without modifiers: the character is also its text.
vtinput::Event typed(char32_t c);

// True when this system can open a pseudo-terminal (else the binary exits 77: skipped).
bool pty_available(std::string& why);

}  // namespace pty
