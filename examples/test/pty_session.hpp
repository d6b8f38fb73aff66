// A user at a terminal, for the examples' tests: runs a program on a fresh pseudo-terminal and
// lets a test type keys into it, wait for what it writes, resize the window, and check how it
// ended.
//
// The program runs as a user's shell would run it: in a session of its own whose controlling
// terminal is the PTY's slave (setsid + TIOCSCTTY, so /dev/tty works), the terminal cooked as
// the kernel makes it, TERM=xterm-256color, a window of 80x24. Standard input can instead be a
// pipe fed with given bytes (then closed), and standard output a pipe whose bytes are kept
// apart (stdout_text()), as when a picker's result is piped to another program.
//
// Waiting: expect() waits for text to appear in the terminal output after the previous match,
// so a sequence of expect() calls checks order too. Every wait has a deadline that is reached
// only when something is broken; the test then fails with a transcript (what was typed, what
// the program wrote) and exit status 1. Nothing sleeps to synchronise. No PTY: exit 77
// (skipped), from the constructor.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <termios.h>

#include "system.hpp"  // tests/: a PTY, closing fds, a child's end, without Linux-only calls

namespace example_test {

using namespace std::chrono_literals;

// Generous: reached only on failure, and ThreadSanitizer builds are slow.
constexpr auto k_deadline = 30s;

struct Program {
    explicit Program(std::vector<std::string> args) : argv(std::move(args)) {}
    std::vector<std::string> argv;           // argv[0] is the path to run
    std::vector<std::string> env;            // "NAME=value", added to the environment
    std::optional<std::string> stdin_bytes;  // standard input: a pipe with these bytes
    bool capture_stdout = false;             // standard output: a pipe (stdout_text())
    unsigned short cols = 80, rows = 24;
};

class PtySession {
public:
    explicit PtySession(Program program);  // exits 77 if no PTY can be opened
    ~PtySession();                         // kills the program if it is still running
    PtySession(const PtySession&) = delete;
    PtySession& operator=(const PtySession&) = delete;

    // Waits until `text` appears in the terminal output after the end of the previous match.
    void expect(std::string_view text);
    // Writes `bytes` to the terminal, as keys typed.
    void type(std::string_view bytes);
    // Changes the window size (the program gets SIGWINCH).
    void resize(unsigned short cols, unsigned short rows);

    // Waits for the program's end and checks it: exit status `status` (not a signal), the
    // terminal's modes as they were before it ran, and no sanitizer report.
    void finish(int status);
    // After finish(): the terminal output after the last match, and standard output.
    std::string rest() const { return output_.substr(cursor_); }
    const std::string& stdout_text() const { return stdout_; }
    // Fails unless `text` is nowhere in the terminal output.
    void expect_absent(std::string_view text) const;

    [[noreturn]] void fail(const std::string& why) const;

private:
    // Reads what the program wrote until `done()` or the deadline (then fails, saying `what`).
    template <class Done>
    void pump_until(Done done, std::string_view what);
    void read_available();

    pid_t pid_ = -1;
    int master_ = -1;
    int stdout_fd_ = -1;
    vtinput::test::ChildExit exit_;  // the program's end, to wait for with a deadline
    termios initial_{};
    bool master_eof_ = false;  // no process has the slave open any more
    bool stdout_eof_ = false;
    bool exited_ = false;
    int wait_status_ = 0;
    std::string output_;  // everything written to the terminal
    std::size_t cursor_ = 0;
    std::string stdout_;
    std::string log_;  // what was typed and matched, for failure messages
};

}  // namespace example_test
