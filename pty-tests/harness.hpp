// The PTY harness: a test process playing the user of a terminal, and a child process running
// the library inside that terminal.
//
// The parent (the doctest process) opens a pseudo-terminal (posix_openpt) and forks a child on
// its slave, which becomes the child's controlling terminal (a new session, as login_tty) and its
// stdin/stdout/stderr, with the signal dispositions the test process started with. There
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
// The other way, the parent can cue the child (cue(), await_cue()) over a socket: for scenarios
// in which the child must wait for the parent without the terminal (which may be cooked, or
// have no device reading it), e.g. while the parent inspects the terminal's termios.
//
// The child's terminal starts raw (cfmakeraw), or with ChildOptions::cooked, cooked and
// distinctive (cooked_termios()): set by the parent before the fork, so that the parent knows
// exactly what a restore must bring back. The parent reads the slave's termios at any time
// with tcgetattr on the master (which answers for the slave, on Linux and the BSDs), also after
// the child has gone.
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
#include <termios.h>

#include "vtinput/channel.hpp"
#include "vtinput/event.hpp"
#include "vtinput/input_device.hpp"

#include "proc_counts.hpp"
#include "system.hpp"

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

// Waits (k_child_timeout) for the parent's cue(word) and checks it is `word`.
void await_cue(std::string_view word);

// For scenarios that fork (ChildOptions::forks): runs `scenario` in the calling forked process
// as the harness runs a child's scenario (ThreadSanitizer's helper thread started first; the
// poller idle and no leaks at the end), then reports `done_line`, or "fail <message>", and
// leaves with _exit. Report lines go over the inherited report pipe. Never returns.
[[noreturn]] void run_forked(Reporter& report, const std::function<void(Reporter&)>& scenario,
                             std::string_view done_line);

// The number of threads the child had when the harness started it, before any scenario code:
// 1, or 2 under ThreadSanitizer, which starts a helper thread of its own in every forked
// process (and copes with it at fork). A scenario that forks checks it started no thread.
std::size_t threads_at_start();

// For scenarios that fork: fork(), and keep a way to wait for the new child's end with a
// deadline (system.hpp: ChildExit), which reap_forked and try_reap_forked use. Returns what
// fork() returns; the child runs on with nothing of it to look after.
pid_t fork_watched();

// For scenarios that fork: waits for this process's child `pid` to end and returns its wait
// status (a child of fork_watched() is waited for on its ChildExit, one of a plain fork() by
// re-checking every few milliseconds). At the deadline (k_child_timeout, only reached on failure) kills it and fails.
int reap_forked(pid_t pid);
// The same with a deadline that is not a failure: false if `pid` is still running after
// `within`; else true, with its wait status in `status`.
bool try_reap_forked(pid_t pid, std::chrono::milliseconds within, int& status);

// Whether this build runs under ThreadSanitizer, which delivers signals its own way: it defers
// an asynchronous signal to the next call it intercepts on the thread that got it (lost if that
// thread exits first), and in the child of a threaded process's fork() never runs it at all.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool k_tsan = true;
#elif defined(__has_feature)
inline constexpr bool k_tsan = __has_feature(thread_sanitizer);
#else
inline constexpr bool k_tsan = false;
#endif

// Device options for scenarios about the terminal's restore paths: raw mode, bracketed paste and
// the application's own bytes (the cursor hidden while open): every restore is visible both in
// the termios and in a few bytes on the terminal (enable_sequence / disable_sequence of them).
vtinput::DeviceOptions paste_and_hidden_cursor();

// The keypad-transmit bytes of terminfo xterm-256color (the child's TERM), which a device left
// to choose writes first on and last off: DECCKM and DECKPAM.
inline constexpr std::string_view k_xterm_smkx = "\x1b[?1h\x1b=";
inline constexpr std::string_view k_xterm_rmkx = "\x1b[?1l\x1b>";
// `modes` as a device opened in the child sets them: keypad_transmit, when left unset, that of
// the child's TERM (xterm-256color). For enable_sequence / disable_sequence of what it writes.
vtinput::TerminalModes as_device_sets(vtinput::TerminalModes modes);

// The bytes a device opened with paste_and_hidden_cursor() writes when it takes the terminal
// and when it gives it back (as_device_sets of its modes).
std::string paste_and_hidden_cursor_enable();
std::string paste_and_hidden_cursor_disable();

// Thread and fd counts of this process (tests/proc_counts.hpp).
using vtinput::test::settled_thread_count;
using vtinput::test::thread_count;

using Scenario = std::function<void(Reporter&)>;

// ---- parent side ---------------------------------------------------------------------------

struct WindowSize {
    unsigned short cols = 80;
    unsigned short rows = 24;
};

struct ChildOptions {
    WindowSize size = {};
    // Start the terminal cooked (cooked_termios()) instead of raw.
    bool cooked = false;
    // The scenario forks (a supervisor, a mini shell): the child stays single-threaded until
    // the scenario runs, so the harness does not start ThreadSanitizer's helper thread first.
    bool forks = false;
};

// A cooked terminal a restore can be told apart from raw mode and from the kernel's defaults:
// canonical input, echo, signals, CR to NL and output processing on, and non-default ISTRIP,
// VERASE (^H), VMIN/VTIME (5/2) and speed (19200 baud). `base` supplies the other fields.
termios cooked_termios(const termios& base);

// Empty if `want` and `got` agree on every field (the four flag words, Linux's line discipline,
// every c_cc entry, both speeds); else one line per field that differs, with the flag bits
// named ("c_lflag: want 0x8a3b got 0xa30, missing/changed ISIG ICANON ECHO IEXTEN").
std::string termios_diff(const termios& want, const termios& got);

// True if `t` reads input raw: no line editing, echo or signals from keys.
bool is_raw(const termios& t);

class PtyChild {
public:
    // Forks `scenario` on a new PTY. The child sets TERM=xterm-256color and, unless the
    // terminal starts cooked, raw mode (cfmakeraw) before the scenario runs.
    PtyChild(std::string name, Scenario scenario, WindowSize size = {});
    PtyChild(std::string name, ChildOptions options, Scenario scenario);
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
    // Sends `word` to the child's await_cue().
    void cue(std::string_view word);
    // Sends `sig` to process `pid` (the child, or a process it reported).
    void send_signal(int sig, pid_t pid = -1);

    // The slave's termios now (tcgetattr on the master; valid after the child's exit too).
    termios terminal_termios();
    // The slave's termios just before the fork (what the scenario started with).
    const termios& initial_termios() const { return initial_; }
    // Fails the test unless the slave's termios now equals initial_termios(); `when` names the
    // moment in the message.
    void expect_initial_termios(std::string_view when);

    // The terminal takes its time: for `delay`, drains the master and the report pipe and
    // answers nothing. For the delays a scripted terminal inserts before it answers (they make
    // the orderings a scenario is about), never to wait for the child: that is wait_output's
    // and next_line's job.
    void linger(std::chrono::milliseconds delay);

    // Waits until `bytes` appear in what the child wrote to the terminal, at or after `from`;
    // returns where. Fails if the child ends first, or at the deadline.
    std::size_t wait_output(std::string_view bytes, std::size_t from = 0);
    // Everything the child wrote to the terminal so far.
    const std::string& terminal_output() const { return terminal_; }
    // Where the first sanitizer report in the terminal output starts, or npos.
    std::size_t sanitizer_report_at() const;

    // Waits for the child's end (report pipe closed, process reaped) and returns its wait
    // status, for scenarios that end otherwise than with "done".
    int wait_end();

    // Expects "done", then the child's exit with status 0, and no sanitizer report on the
    // terminal.
    void finish();
    // Fails the test if a sanitizer reported in the child (finish() checks this too).
    void expect_no_sanitizer_report();

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
    int cues_ = -1;  // our end of the cue socket
    termios initial_{};
    vtinput::test::ChildExit exit_;  // for waiting on the child's exit with a deadline
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
