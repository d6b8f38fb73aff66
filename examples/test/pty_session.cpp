// PtySession (see pty_session.hpp). Invariants: the program is always reaped and every fd
// closed by the destructor; the test process stays single-threaded, so fork() is safe; the
// child only calls async-signal-safe functions between fork() and exec.
#include "pty_session.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace example_test {
namespace {

using clock = std::chrono::steady_clock;

std::string visible(std::string_view bytes)
{
    std::string out;
    for (char ch : bytes) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\n') {
            out += "\\n\n";
        } else if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += ch;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

using vtinput::test::set_nonblocking;

// The fd at which the program keeps the write end of its ChildExit pipe (portable build); the
// fds above it (and it, when there is no pipe) are closed before exec.
constexpr int k_exit_fd = 3;

// Appends what `fd` has now to `out`; sets `eof` at its end.
void drain(int fd, std::string& out, bool& eof)
{
    char buf[4096];
    while (fd >= 0 && !eof) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return;
        } else {  // 0, or EIO once no process has the PTY's slave open
            eof = true;
        }
    }
}

}  // namespace

PtySession::PtySession(Program program)
{
    winsize ws{};
    ws.ws_col = program.cols;
    ws.ws_row = program.rows;
    int slave = -1;
    std::string why;
    if (!vtinput::test::open_pty(master_, slave, &ws, why)) {
        std::printf("SKIP: no pseudo-terminal (%s)\n", why.c_str());
        std::exit(77);
    }
    ::tcgetattr(slave, &initial_);
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    if ((program.stdin_bytes && ::pipe(in) != 0) || (program.capture_stdout && ::pipe(out) != 0)) {
        fail("pipe failed");
    }
    // Everything the child needs is prepared before the fork.
    std::vector<char*> argv;
    for (std::string& a : program.argv) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = {"TERM=xterm-256color"};
    for (char** e = environ; *e; ++e) {
        if (std::strncmp(*e, "TERM=", 5) != 0) {
            env_strings.emplace_back(*e);
        }
    }
    env_strings.insert(env_strings.end(), program.env.begin(), program.env.end());
    std::vector<char*> envp;
    for (std::string& e : env_strings) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    const int fd_limit = vtinput::test::fd_limit();
    exit_.prepare();  // without it (no fd to spare), the waits re-check every few milliseconds

    pid_ = ::fork();
    if (pid_ < 0) {
        fail("fork failed");
    }
    if (pid_ == 0) {
        // A session of its own, with the slave as its controlling terminal.
        ::setsid();
        ::ioctl(slave, TIOCSCTTY, 0);
        ::dup2(in[0] >= 0 ? in[0] : slave, STDIN_FILENO);
        ::dup2(out[1] >= 0 ? out[1] : slave, STDOUT_FILENO);
        ::dup2(slave, STDERR_FILENO);
        bool kept = exit_.in_child(k_exit_fd);
        vtinput::test::close_fds_from(kept ? k_exit_fd + 1 : k_exit_fd, fd_limit);
        ::signal(SIGPIPE, SIG_DFL);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(slave);
    ::signal(SIGPIPE, SIG_IGN);  // a program that does not read its input is a failure, not our death
    exit_.in_parent(pid_);
    set_nonblocking(master_);
    if (in[0] >= 0) {
        ::close(in[0]);
        // A few lines: the pipe holds them all, and closing it is the end of input.
        std::string_view bytes = *program.stdin_bytes;
        if (::write(in[1], bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
            fail("cannot write the program's standard input");
        }
        ::close(in[1]);
    }
    if (out[1] >= 0) {
        ::close(out[1]);
        stdout_fd_ = out[0];
        set_nonblocking(stdout_fd_);
    }
}

PtySession::~PtySession()
{
    if (!exited_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {master_, stdout_fd_}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

void PtySession::read_available()
{
    drain(master_, output_, master_eof_);
    drain(stdout_fd_, stdout_, stdout_eof_);
}

template <class Done>
void PtySession::pump_until(Done done, std::string_view what)
{
    auto deadline = clock::now() + k_deadline;
    read_available();
    while (!done()) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            fail("timed out waiting for " + std::string(what));
        }
        pollfd fds[3];
        nfds_t n = 0;
        int exit_index = -1;
        for (int fd : {master_eof_ ? -1 : master_, stdout_eof_ ? -1 : stdout_fd_, exited_ ? -1 : exit_.fd()}) {
            if (fd >= 0) {
                fds[n++] = pollfd{fd, POLLIN, 0};
            }
        }
        if (!exited_ && exit_.fd() >= 0) {
            exit_index = static_cast<int>(n) - 1;
        }
        // The program's end is watched through exit_ (system.hpp: ChildExit).
        int wait_ms = exited_ ? static_cast<int>(left) : exit_.timeout(static_cast<int>(left));
        if (::poll(fds, n, wait_ms) > 0 && exit_index >= 0) {
            exit_.saw(fds[exit_index].revents);
        }
        read_available();
        if (!exited_ && ::waitpid(pid_, &wait_status_, WNOHANG) == pid_) {
            exited_ = true;
        }
    }
}

void PtySession::expect(std::string_view text)
{
    std::size_t at = std::string::npos;
    pump_until(
        [&] {
            at = output_.find(text, cursor_);
            // The program's end (and the terminal's) with no match is a failure now.
            return at != std::string::npos || (exited_ && master_eof_);
        },
        "the output \"" + visible(text) + "\"");
    if (at == std::string::npos) {
        fail("the program ended without writing \"" + visible(text) + "\"");
    }
    cursor_ = at + text.size();
    log_ += "matched \"" + visible(text) + "\"\n";
}

void PtySession::type(std::string_view bytes)
{
    log_ += "typed \"" + visible(bytes) + "\"\n";
    if (master_eof_ || ::write(master_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        fail("cannot type into the terminal");
    }
}

void PtySession::resize(unsigned short cols, unsigned short rows)
{
    log_ += "resized to " + std::to_string(cols) + "x" + std::to_string(rows) + "\n";
    winsize ws{};
    ws.ws_col = cols;
    ws.ws_row = rows;
    if (::ioctl(master_, TIOCSWINSZ, &ws) != 0) {
        fail("TIOCSWINSZ failed");
    }
}

void PtySession::finish(int status)
{
    // The terminal's modes, read through the master while it is still open (it answers for the
    // slave on Linux and the BSDs): the program must leave them as it found them.
    pump_until([&] { return exited_; }, "the program to exit");
    termios now{};
    if (::tcgetattr(master_, &now) != 0) {
        fail("tcgetattr on the terminal failed");
    }
    if (now.c_iflag != initial_.c_iflag || now.c_oflag != initial_.c_oflag || now.c_lflag != initial_.c_lflag ||
        now.c_cflag != initial_.c_cflag || !std::equal(std::begin(now.c_cc), std::end(now.c_cc), initial_.c_cc)) {
        fail("the program left the terminal's modes changed");
    }
    pump_until([&] { return master_eof_ && (stdout_fd_ < 0 || stdout_eof_); }, "the end of the program's output");
    log_ += "exited with wait status " + std::to_string(wait_status_) + "\n";
    for (const char* marker : {"ThreadSanitizer", "AddressSanitizer", "LeakSanitizer", "runtime error:"}) {
        if (output_.find(marker) != std::string::npos) {
            fail("a sanitizer reported");
        }
    }
    if (!WIFEXITED(wait_status_) || WEXITSTATUS(wait_status_) != status) {
        fail("expected exit status " + std::to_string(status));
    }
}

void PtySession::expect_absent(std::string_view text) const
{
    if (output_.find(text) != std::string::npos) {
        fail("the output has \"" + visible(text) + "\", which it should not");
    }
}

void PtySession::fail(const std::string& why) const
{
    std::fprintf(stderr, "FAIL: %s\n--- steps\n%s--- terminal output\n%s\n--- standard output\n%s\n--- end\n",
                 why.c_str(), log_.c_str(), visible(output_).c_str(), visible(stdout_).c_str());
    std::exit(1);
}

}  // namespace example_test
