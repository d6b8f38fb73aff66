// The PTY harness (see harness.hpp for the protocol and the rules on waiting).
//
// Invariants: the parent is single-threaded whenever it forks (checked); every fd the parent
// opens for a child is closed and every child is reaped by ~PtyChild, whatever the test did;
// the child never returns into doctest (it leaves with _exit, so the parent's stdio buffers are
// not flushed twice and no doctest state is torn down in the child).
#include "harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <stdexcept>
#include <chrono>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "device/lifecycle.hpp"
#include "system.hpp"

// Present only in sanitizer builds with LeakSanitizer; lets a child that leaves with _exit
// still have its leaks checked.
extern "C" int __lsan_do_recoverable_leak_check() __attribute__((weak));

namespace pty {
namespace {

using clock = std::chrono::steady_clock;

// Printable form of bytes for the transcript: escapes for controls and 8-bit bytes.
std::string visible(std::string_view bytes, std::size_t max = 400)
{
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\\') {
            out += "\\\\";
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (bytes.size() > max) {
        out += "... (" + std::to_string(bytes.size()) + " bytes)";
    }
    return out;
}

void write_all(int fd, std::string_view s)
{
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;  // the parent is gone; nothing sensible left to do
        }
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

// The child's end of the cue socket (await_cue); -1 in the parent.
int g_cue_fd = -1;
// The child's thread count as the harness started it (threads_at_start).
std::size_t g_threads_at_start = 0;

// The signal dispositions the test process started with, recorded during static
// initialisation, before doctest runs. doctest installs crash handlers of its own around each
// test case (they print "test case CRASHED" and re-raise); a child forked inside a test case
// would inherit them, and the library's handlers would chain to them. The child puts these back,
// so that a scenario starts with the dispositions of a freshly started program (including a
// sanitizer's own handlers, which were installed before this ran).
struct OriginalSignals {
    struct sigaction action[NSIG] = {};
    OriginalSignals()
    {
        for (int sig = 1; sig < NSIG; ++sig) {
            ::sigaction(sig, nullptr, &action[sig]);
        }
    }
    void restore() const
    {
        for (int sig = 1; sig < NSIG; ++sig) {
            if (sig != SIGKILL && sig != SIGSTOP) {
                ::sigaction(sig, &action[sig], nullptr);
            }
        }
    }
};
const OriginalSignals g_original_signals;

// Runs `scenario` and reports `done_line` or "fail ...". Returns the exit code for _exit.
int run_scenario(Reporter& report, const Scenario& scenario, bool warm_up, std::string_view done_line)
{
    try {
        if (warm_up) {
            // ThreadSanitizer starts a helper thread of its own with the process's first
            // thread; start it now, so that the scenarios' thread counts see only the
            // library's threads.
            std::size_t with_it = 0;  // the count while it runs: it, us, and TSan's helper if any
            std::thread([&with_it] { with_it = thread_count(); }).join();
            // The joined thread can stay counted for a moment after the join (proc_counts.hpp);
            // a scenario that counts threads must not start from a count that includes it.
            // Nothing signals its removal, so re-count until it is gone.
            settled_thread_count(with_it - 1);
        }
        scenario(report);
        // Every scenario drops its devices and receivers by its end; the poller thread must
        // then exit and be joined, leaving nothing behind (ThreadSanitizer would otherwise
        // report the finished but unjoined thread as leaked when the child exits).
        require(vtinput::detail::Lifecycle::instance().wait_idle(k_child_timeout),
                "the poller thread did not exit at the end of the scenario");
        if (__lsan_do_recoverable_leak_check != nullptr) {
            // Every scenario ends with its devices dropped; what is left must be reachable.
            require(__lsan_do_recoverable_leak_check() == 0, "LeakSanitizer found leaks (see the terminal output)");
        }
        report.line(done_line);
        return 0;
    } catch (const std::exception& e) {
        report.line(std::string("fail ") + e.what());
    } catch (...) {
        report.line("fail unknown exception");
    }
    return 1;
}

// The child: the terminal set up, the scenario, then "done" or "fail". Never returns.
[[noreturn]] void run_child(int report_fd, const Scenario& scenario, const ChildOptions& options)
{
    Reporter report(report_fd);
    g_threads_at_start = thread_count();
    g_original_signals.restore();
    try {
        // A terminal emulator sets TERM; the key table must not depend on the CI's environment.
        ::setenv("TERM", "xterm-256color", 1);
        if (!options.cooked) {
            termios t{};
            require(::tcgetattr(STDIN_FILENO, &t) == 0, std::string("tcgetattr: ") + std::strerror(errno));
            ::cfmakeraw(&t);
            require(::tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0, std::string("tcsetattr: ") + std::strerror(errno));
        }
    } catch (const std::exception& e) {
        report.line(std::string("fail ") + e.what());
        ::_exit(1);
    }
    ::_exit(run_scenario(report, scenario, !options.forks, "done"));
}

struct FlagName {
    tcflag_t bit;
    const char* name;
};

// The flags POSIX names, then those some systems add (#if: IUCLC, OLCUC, CBAUD and VSWTC are
// Linux's; IUTF8, OFILL and OFDEL are missing on some BSDs), so that a difference is named
// wherever it can be and the table builds everywhere.
constexpr FlagName k_iflags[] = {
    {IGNBRK, "IGNBRK"}, {BRKINT, "BRKINT"}, {IGNPAR, "IGNPAR"},   {PARMRK, "PARMRK"}, {INPCK, "INPCK"},
    {ISTRIP, "ISTRIP"}, {INLCR, "INLCR"},   {IGNCR, "IGNCR"},     {ICRNL, "ICRNL"},   {IXON, "IXON"},
    {IXANY, "IXANY"},   {IXOFF, "IXOFF"},   {IMAXBEL, "IMAXBEL"},
#if defined(IUCLC)
    {IUCLC, "IUCLC"},
#endif
#if defined(IUTF8)
    {IUTF8, "IUTF8"},
#endif
};
constexpr FlagName k_oflags[] = {
    {OPOST, "OPOST"}, {ONLCR, "ONLCR"}, {OCRNL, "OCRNL"}, {ONOCR, "ONOCR"}, {ONLRET, "ONLRET"},
#if defined(OLCUC)
    {OLCUC, "OLCUC"},
#endif
#if defined(OFILL)
    {OFILL, "OFILL"},
#endif
#if defined(OFDEL)
    {OFDEL, "OFDEL"},
#endif
};
constexpr FlagName k_cflags[] = {
    {CSIZE, "CSIZE"},   {CSTOPB, "CSTOPB"}, {CREAD, "CREAD"},   {PARENB, "PARENB"},
    {PARODD, "PARODD"}, {HUPCL, "HUPCL"},   {CLOCAL, "CLOCAL"},
#if defined(CBAUD)
    {CBAUD, "CBAUD"},
#endif
};
constexpr FlagName k_lflags[] = {{ISIG, "ISIG"},       {ICANON, "ICANON"},   {ECHO, "ECHO"},      {ECHOE, "ECHOE"},
                                 {ECHOK, "ECHOK"},     {ECHONL, "ECHONL"},   {NOFLSH, "NOFLSH"},  {TOSTOP, "TOSTOP"},
                                 {ECHOCTL, "ECHOCTL"}, {ECHOPRT, "ECHOPRT"}, {ECHOKE, "ECHOKE"},  {FLUSHO, "FLUSHO"},
                                 {PENDIN, "PENDIN"},   {IEXTEN, "IEXTEN"},   {EXTPROC, "EXTPROC"}};

struct CcName {
    int index;
    const char* name;
};

constexpr CcName k_cc_names[] = {
    {VINTR, "VINTR"},       {VQUIT, "VQUIT"},     {VERASE, "VERASE"}, {VKILL, "VKILL"},
    {VEOF, "VEOF"},         {VTIME, "VTIME"},     {VMIN, "VMIN"},     {VSTART, "VSTART"},
    {VSTOP, "VSTOP"},       {VSUSP, "VSUSP"},     {VEOL, "VEOL"},     {VREPRINT, "VREPRINT"},
    {VDISCARD, "VDISCARD"}, {VWERASE, "VWERASE"}, {VLNEXT, "VLNEXT"}, {VEOL2, "VEOL2"},
#if defined(VSWTC)
    {VSWTC, "VSWTC"},
#endif
};

std::string hex(unsigned long v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%lx", v);
    return buf;
}

// "c_lflag: want 0x8a3b got 0x0, missing/changed ICANON ECHO, extra ..." or nothing if equal.
template <std::size_t N>
std::string flags_diff(const char* field, tcflag_t want, tcflag_t got, const FlagName (&names)[N])
{
    if (want == got) {
        return {};
    }
    std::string missing;
    std::string extra;
    tcflag_t named = 0;
    for (const FlagName& f : names) {
        named |= f.bit;
        if ((want & f.bit) == (got & f.bit)) {
            continue;
        }
        bool multi = (f.bit & (f.bit - 1)) != 0;  // a field of several bits (CSIZE, CBAUD)
        if (multi) {
            missing += std::string(" ") + f.name + "=" + hex(want & f.bit) + "->" + hex(got & f.bit);
        } else {
            ((want & f.bit) ? missing : extra) += std::string(" ") + f.name;
        }
    }
    std::string out = std::string(field) + ": want " + hex(want) + " got " + hex(got);
    if (!missing.empty()) {
        out += ", missing/changed" + missing;
    }
    if (!extra.empty()) {
        out += ", extra" + extra;
    }
    if (((want ^ got) & ~named) != 0) {
        out += ", other bits " + hex((want ^ got) & ~named);
    }
    return out + "\n";
}

const char* cc_name(int i)
{
    for (const CcName& c : k_cc_names) {
        if (c.index == i) {
            return c.name;
        }
    }
    return nullptr;
}

}  // namespace

// ---- child side ----------------------------------------------------------------------------

void Reporter::line(std::string_view text)
{
    std::string l(text);
    std::replace(l.begin(), l.end(), '\n', ' ');
    l += '\n';
    write_all(fd_, l);
}

void Reporter::event(std::string_view tag, const vtinput::Event& event)
{
    line("event " + std::string(tag) + " " + vtinput::to_json(event));
}

void Reporter::status()
{
    auto s = vtinput::InputDevice::status();
    line("status running=" + std::to_string(s.running) + " generation=" + std::to_string(s.generation) +
         " receivers=" + std::to_string(s.receivers) + " device_open=" + std::to_string(s.device_open));
}

void require(bool ok, const std::string& message)
{
    if (!ok) {
        throw std::runtime_error(message);
    }
}

vtinput::Event next_event(vtinput::Receiver& r, std::string_view what)
{
    auto e = r.receive_for(k_child_timeout);
    require(e.has_value(), "no event on " + std::string(what) + " within the failure timeout" +
                               (r.closed() ? " (channel closed)" : ""));
    return std::move(*e);
}

void await_cue(std::string_view word)
{
    require(g_cue_fd >= 0, "await_cue: no cue socket in this process");
    std::string got;
    auto deadline = clock::now() + k_child_timeout;
    while (true) {
        char c = 0;
        ssize_t n = ::read(g_cue_fd, &c, 1);
        if (n == 1) {
            if (c == '\n') {
                break;
            }
            got += c;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        require(n < 0 && errno == EAGAIN, "await_cue(" + std::string(word) + "): the parent closed the cue socket");
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        require(left > 0, "no cue '" + std::string(word) + "' from the parent within the failure timeout");
        pollfd p{g_cue_fd, POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(left));
    }
    require(got == word, "expected the cue '" + std::string(word) + "', got '" + got + "'");
}

std::size_t threads_at_start() { return g_threads_at_start; }

namespace {

// The children fork_watched() started in this process and not yet reaped, with their ends.
std::map<pid_t, vtinput::test::ChildExit>& watched()
{
    static std::map<pid_t, vtinput::test::ChildExit> children;
    return children;
}

}  // namespace

pid_t fork_watched()
{
    vtinput::test::ChildExit exit;
    exit.prepare();  // without it (no fd to spare), the waits re-check every few milliseconds
    pid_t pid = ::fork();
    if (pid == 0) {
        exit.in_child();
        watched().clear();  // our parent's children, not ours: closes their read ends
    } else if (pid > 0) {
        exit.in_parent(pid);
        watched()[pid] = std::move(exit);
    }
    return pid;
}

bool try_reap_forked(pid_t pid, std::chrono::milliseconds within, int& status)
{
    // Waits on the child's end as fork_watched() prepared it (system.hpp: ChildExit); for a
    // child from a plain fork(), re-checks every few milliseconds.
    auto it = watched().find(pid);
    vtinput::test::ChildExit none;
    vtinput::test::ChildExit& exit = it != watched().end() ? it->second : none;
    auto deadline = clock::now() + within;
    int err = 0;
    bool ended = false;
    while (true) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            ended = true;
            break;
        }
        if (r < 0 && errno != EINTR) {
            err = errno;
            break;
        }
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            break;
        }
        pollfd p{exit.fd(), POLLIN, 0};
        int timeout = exit.timeout(static_cast<int>(left));
        if (::poll(&p, exit.fd() >= 0 ? 1 : 0, timeout) > 0) {
            exit.saw(p.revents);
        }
    }
    if (ended || err != 0) {
        if (it != watched().end()) {
            watched().erase(it);
        }
    }
    require(err == 0, std::string("waitpid: ") + std::strerror(err));
    return ended;
}

int reap_forked(pid_t pid)
{
    int status = 0;
    if (!try_reap_forked(pid, std::chrono::duration_cast<std::chrono::milliseconds>(k_child_timeout), status)) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        require(false, "the forked process " + std::to_string(pid) + " did not end within the failure timeout");
    }
    return status;
}

vtinput::DeviceOptions paste_and_hidden_cursor()
{
    vtinput::DeviceOptions o;
    vtinput::TerminalModes m;
    m.bracketed_paste = true;
    m.app_enter = "\x1b[?25l";
    m.app_leave = "\x1b[?25h";
    o.terminal = m;
    return o;
}

vtinput::TerminalModes as_device_sets(vtinput::TerminalModes modes)
{
    if (!modes.keypad_transmit) {
        modes.keypad_transmit = vtinput::KeypadTransmit{std::string(k_xterm_smkx), std::string(k_xterm_rmkx)};
    }
    return modes;
}

std::string paste_and_hidden_cursor_enable()
{
    return vtinput::enable_sequence(as_device_sets(*paste_and_hidden_cursor().terminal));
}

std::string paste_and_hidden_cursor_disable()
{
    return vtinput::disable_sequence(as_device_sets(*paste_and_hidden_cursor().terminal));
}

void run_forked(Reporter& report, const std::function<void(Reporter&)>& scenario, std::string_view done_line)
{
    ::_exit(run_scenario(report, scenario, true, done_line));
}

termios cooked_termios(const termios& base)
{
    termios t = base;
    t.c_iflag = BRKINT | ICRNL | IXON | ISTRIP | IMAXBEL;
#if defined(IUTF8)
    t.c_iflag |= IUTF8;
#endif
    t.c_oflag = OPOST | ONLCR;
    t.c_cflag = (t.c_cflag & ~static_cast<tcflag_t>(CSIZE | PARENB)) | CS8 | CREAD;
    t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    t.c_cc[VERASE] = 0x08;
    t.c_cc[VMIN] = 5;
    t.c_cc[VTIME] = 2;
    ::cfsetispeed(&t, B19200);
    ::cfsetospeed(&t, B19200);
    return t;
}

std::string termios_diff(const termios& want, const termios& got)
{
    std::string out = flags_diff("c_iflag", want.c_iflag, got.c_iflag, k_iflags) +
                      flags_diff("c_oflag", want.c_oflag, got.c_oflag, k_oflags) +
                      flags_diff("c_cflag", want.c_cflag, got.c_cflag, k_cflags) +
                      flags_diff("c_lflag", want.c_lflag, got.c_lflag, k_lflags);
#if defined(__linux__)
    if (want.c_line != got.c_line) {  // the line discipline: a field of Linux's termios only
        out += "c_line: want " + std::to_string(want.c_line) + " got " + std::to_string(got.c_line) + "\n";
    }
#endif
    for (int i = 0; i < NCCS; ++i) {
        if (want.c_cc[i] != got.c_cc[i]) {
            const char* name = cc_name(i);
            out += std::string("c_cc[") + (name ? name : std::to_string(i).c_str()) + "]: want " +
                   std::to_string(want.c_cc[i]) + " got " + std::to_string(got.c_cc[i]) + "\n";
        }
    }
    if (::cfgetispeed(&want) != ::cfgetispeed(&got)) {
        out += "input speed: want code " + hex(::cfgetispeed(&want)) + " got " + hex(::cfgetispeed(&got)) + "\n";
    }
    if (::cfgetospeed(&want) != ::cfgetospeed(&got)) {
        out += "output speed: want code " + hex(::cfgetospeed(&want)) + " got " + hex(::cfgetospeed(&got)) + "\n";
    }
    return out;
}

bool is_raw(const termios& t) { return (t.c_lflag & (ICANON | ECHO | ISIG)) == 0; }

vtinput::KeyEvent next_key(vtinput::Receiver& r, std::string_view what)
{
    auto e = next_event(r, what);
    auto* k = std::get_if<vtinput::KeyEvent>(&e);
    require(k != nullptr, std::string(what) + ": expected a key, got " + vtinput::to_json(e));
    return std::move(*k);
}

// ---- parent side ---------------------------------------------------------------------------

PtyChild::PtyChild(std::string name, Scenario scenario, WindowSize size)
    : PtyChild(std::move(name), ChildOptions{size, false, false}, std::move(scenario))
{}

PtyChild::PtyChild(std::string name, ChildOptions options, Scenario scenario) : name_(std::move(name))
{
    // fork() copies only the calling thread; with another thread around, the child could
    // inherit a lock held forever. The parent never opens a device, so this holds.
    REQUIRE_MESSAGE(thread_count() == 1, "the test process must be single-threaded when it forks");
    int fds[2];
    REQUIRE(vtinput::test::open_pipe(fds) == 0);
    int cue[2];
    REQUIRE(vtinput::test::open_socketpair(AF_UNIX, SOCK_STREAM, cue) == 0);
    winsize ws{};
    ws.ws_col = options.size.cols;
    ws.ws_row = options.size.rows;
    // A pseudo-terminal, then fork, rather than forkpty: the parent sets the slave's termios and
    // reads them back before the child exists, so initial_ is exactly what the scenario starts
    // with.
    int master = -1;
    int slave = -1;
    std::string why;
    if (!vtinput::test::open_pty(master, slave, &ws, why)) {
        for (int fd : {fds[0], fds[1], cue[0], cue[1]}) {
            ::close(fd);
        }
        FAIL("no pseudo-terminal: " << why);
    }
    if (options.cooked) {
        termios t{};
        REQUIRE(::tcgetattr(slave, &t) == 0);
        t = cooked_termios(t);
        REQUIRE(::tcsetattr(slave, TCSANOW, &t) == 0);
    }
    REQUIRE(::tcgetattr(master, &initial_) == 0);  // the slave's, as the kernel keeps them
    std::fflush(nullptr);
    std::cout.flush();
    std::cerr.flush();
    exit_.prepare();  // without it (no fd to spare), wait_exit re-checks every few milliseconds
    pid_t pid = ::fork();
    if (pid == 0) {
        exit_.in_child();
        ::close(fds[0]);
        ::close(cue[1]);
        ::close(master);
        // A new session with the slave as controlling terminal and stdin/stdout/stderr.
        if (vtinput::test::make_controlling_terminal(slave) != 0) {
            Reporter(fds[1]).line(std::string("fail: the slave as controlling terminal: ") + std::strerror(errno));
            ::_exit(1);
        }
        g_cue_fd = cue[0];
        ::fcntl(g_cue_fd, F_SETFL, ::fcntl(g_cue_fd, F_GETFL) | O_NONBLOCK);
        run_child(fds[1], scenario, options);
    }
    int err = errno;
    if (pid > 0) {
        exit_.in_parent(pid);
    }
    ::close(slave);
    ::close(fds[1]);
    ::close(cue[0]);
    if (pid < 0) {
        ::close(fds[0]);
        ::close(cue[1]);
        ::close(master);
        FAIL("fork failed: " << std::strerror(err));
    }
    pid_ = pid;
    master_ = master;
    reports_ = fds[0];
    cues_ = cue[1];
    vtinput::test::set_nonblocking(master_);
    vtinput::test::set_nonblocking(reports_);
    note("spawned scenario '" + name_ + "' as pid " + std::to_string(pid_) +
         (options.cooked ? " (cooked terminal)" : ""));
}

PtyChild::~PtyChild()
{
    if (!reaped_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, &wait_status_, 0) < 0 && errno == EINTR) {}
        reaped_ = true;
    }
    for (int fd : {master_, reports_, cues_}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

void PtyChild::note(std::string_view what)
{
    log_ += what;
    log_ += '\n';
}

std::string PtyChild::transcript() const
{
    // The tail is what matters; a 1 MiB paste must not drown it.
    constexpr std::size_t k_max = 12000;
    std::string out = "---- transcript of '" + name_ + "' ----\n";
    if (log_.size() > k_max) {
        out += "[... " + std::to_string(log_.size() - k_max) + " bytes ...]\n";
        out += log_.substr(log_.size() - k_max);
    } else {
        out += log_;
    }
    if (!pending_.empty()) {
        out += "< (partial line) " + visible(pending_) + "\n";
    }
    out += "---- terminal output (" + std::to_string(terminal_.size()) + " bytes) ----\n";
    std::size_t from = terminal_.size() > k_max ? terminal_.size() - k_max : 0;
    out += std::string_view(terminal_).substr(from);
    out += "\n---- end ----";
    return out;
}

void PtyChild::fail(const std::string& why)
{
    FAIL(name_ << ": " << why << "\n" << transcript());
    std::abort();  // FAIL throws; this only tells the compiler
}

void PtyChild::drain_master()
{
    char buf[4096];
    while (master_ >= 0) {
        ssize_t n = ::read(master_, buf, sizeof buf);
        if (n > 0) {
            terminal_.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        // EAGAIN: nothing more now. EIO: no slave open any more (the child has exited); the
        // master stays open, as closing it is a hang-up that only hangup() may cause.
        return;
    }
}

void PtyChild::drain_reports()
{
    char buf[65536];
    while (!reports_eof_) {
        ssize_t n = ::read(reports_, buf, sizeof buf);
        if (n > 0) {
            pending_.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n == 0) {
            reports_eof_ = true;
        }
        return;
    }
}

bool PtyChild::pump(clock::time_point deadline, bool want_write, std::string_view waiting_for)
{
    pollfd fds[2];
    nfds_t n = 0;
    int report_index = -1;
    int master_index = -1;
    if (!reports_eof_) {
        report_index = static_cast<int>(n);
        fds[n++] = pollfd{reports_, POLLIN, 0};
    }
    if (master_ >= 0) {
        master_index = static_cast<int>(n);
        fds[n++] = pollfd{master_, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) {
        fail("timed out after " + std::to_string(k_failure_timeout.count()) + " s waiting for " +
             std::string(waiting_for));
    }
    if (n == 0) {
        fail("nothing left to wait on while waiting for " + std::string(waiting_for));
    }
    int r = ::poll(fds, n, static_cast<int>(left));
    if (r < 0 && errno != EINTR) {
        fail(std::string("poll: ") + std::strerror(errno));
    }
    bool writable = false;
    if (r > 0) {
        if (report_index >= 0 && fds[report_index].revents != 0) {
            drain_reports();
        }
        if (master_index >= 0) {
            short ev = fds[master_index].revents;
            if (ev & (POLLIN | POLLHUP | POLLERR)) {
                drain_master();
            }
            writable = (ev & POLLOUT) != 0;
            if (want_write && (ev & (POLLHUP | POLLERR)) && !(ev & POLLOUT)) {
                // The slave side is gone: writing can never succeed.
                fail("the terminal's slave side closed while writing (child exited?)");
            }
        }
    }
    return writable;
}

std::string PtyChild::next_line()
{
    auto deadline = clock::now() + k_failure_timeout;
    while (true) {
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            std::string l = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            note("< " + l);
            if (l.rfind("fail ", 0) == 0) {
                fail("the child reported a failure: " + l.substr(5));
            }
            return l;
        }
        if (reports_eof_) {
            wait_exit(deadline);
            fail("the child ended without reporting (wait status " + std::to_string(wait_status_) + ")");
        }
        pump(deadline, false, "a report line");
    }
}

void PtyChild::expect(std::string_view line)
{
    std::string got = next_line();
    if (got != line) {
        fail("expected the line\n  " + std::string(line) + "\ngot\n  " + got);
    }
}

std::string PtyChild::expect_prefix(std::string_view prefix)
{
    std::string got = next_line();
    if (got.rfind(prefix, 0) != 0) {
        fail("expected a line starting with\n  " + std::string(prefix) + "\ngot\n  " + got);
    }
    return got.substr(prefix.size());
}

void PtyChild::expect_event(const vtinput::Event& event, std::string_view tag)
{
    expect("event " + std::string(tag) + " " + vtinput::to_json(event));
}

void PtyChild::type(std::string_view bytes, std::size_t chunk)
{
    if (bytes.size() <= 64) {
        note("> type \"" + visible(bytes) + "\"");
    } else {
        note("> type " + std::to_string(bytes.size()) + " bytes in writes of " +
             (chunk ? std::to_string(chunk) : std::string("any size")));
    }
    REQUIRE_MESSAGE(master_ >= 0, "type() after hangup()");
    // The deadline restarts with every byte accepted: it guards against no progress, not
    // against a long paste.
    auto deadline = clock::now() + k_failure_timeout;
    while (!bytes.empty()) {
        std::size_t n = chunk ? std::min(chunk, bytes.size()) : bytes.size();
        ssize_t w = ::write(master_, bytes.data(), n);
        if (w > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(w));
            deadline = clock::now() + k_failure_timeout;
            drain_master();
            drain_reports();
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && errno == EAGAIN) {
            // The terminal's input buffer is full: the child is not reading (yet).
            pump(deadline, true, "the terminal to accept input");
            continue;
        }
        fail(std::string("write to the master failed: ") + std::strerror(errno));
    }
}

void PtyChild::resize(unsigned short cols, unsigned short rows, unsigned short xpixel, unsigned short ypixel)
{
    note("> resize " + std::to_string(cols) + "x" + std::to_string(rows) + " (" + std::to_string(xpixel) + "x" +
         std::to_string(ypixel) + " px)");
    winsize ws{};
    ws.ws_col = cols;
    ws.ws_row = rows;
    ws.ws_xpixel = xpixel;
    ws.ws_ypixel = ypixel;
    REQUIRE(::ioctl(master_, TIOCSWINSZ, &ws) == 0);
}

void PtyChild::hangup()
{
    note("> hang up (close the master)");
    drain_master();
    if (master_ >= 0) {
        ::close(master_);
        master_ = -1;
    }
}

void PtyChild::cue(std::string_view word)
{
    note("> cue " + std::string(word));
    std::string line = std::string(word) + "\n";
    // A socket rather than a pipe: a send that cannot raise SIGPIPE, so a child that is gone
    // fails the test instead of killing the test process.
    if (vtinput::test::send_no_sigpipe(cues_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        fail("cannot cue the child (" + std::string(std::strerror(errno)) + ")");
    }
}

void PtyChild::send_signal(int sig, pid_t pid)
{
    pid_t to = pid > 0 ? pid : pid_;
    const char* abbrev = vtinput::test::signal_abbrev(sig);
    note("> " + std::string(abbrev ? abbrev : "signal") + " to pid " + std::to_string(to));
    REQUIRE(::kill(to, sig) == 0);
}

termios PtyChild::terminal_termios()
{
    REQUIRE_MESSAGE(master_ >= 0, "terminal_termios() after hangup()");
    termios t{};
    REQUIRE(::tcgetattr(master_, &t) == 0);
    return t;
}

void PtyChild::expect_initial_termios(std::string_view when)
{
    std::string diff = termios_diff(initial_, terminal_termios());
    if (!diff.empty()) {
        fail(std::string(when) + ": the terminal's termios differ from those it started with:\n" + diff);
    }
    note("termios as initially (" + std::string(when) + ")");
}

void PtyChild::linger(std::chrono::milliseconds delay)
{
    note("> (the terminal waits " + std::to_string(delay.count()) + " ms)");
    const auto until = clock::now() + delay;
    while (true) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(until - clock::now()).count();
        if (left <= 0) {
            return;
        }
        pollfd fds[2];
        nfds_t n = 0;
        if (!reports_eof_) {
            fds[n++] = pollfd{reports_, POLLIN, 0};
        }
        if (master_ >= 0) {
            fds[n++] = pollfd{master_, POLLIN, 0};
        }
        if (::poll(fds, n, static_cast<int>(left)) < 0 && errno != EINTR) {
            fail(std::string("poll: ") + std::strerror(errno));
        }
        drain_reports();
        drain_master();
    }
}

std::size_t PtyChild::wait_output(std::string_view bytes, std::size_t from)
{
    auto deadline = clock::now() + k_failure_timeout;
    while (true) {
        if (auto at = terminal_.find(bytes, from); at != std::string::npos) {
            return at;
        }
        if (reports_eof_) {
            // The child is ending: what it wrote is in the master already.
            drain_master();
            if (auto at = terminal_.find(bytes, from); at != std::string::npos) {
                return at;
            }
            fail("the child ended without writing \"" + visible(bytes) + "\" to the terminal");
        }
        pump(deadline, false, "the terminal output \"" + visible(bytes) + "\"");
    }
}

std::size_t PtyChild::sanitizer_report_at() const
{
    std::size_t first = std::string::npos;
    for (const char* marker : {"ThreadSanitizer", "AddressSanitizer", "LeakSanitizer", "runtime error:"}) {
        first = std::min(first, terminal_.find(marker));
    }
    return first;
}

void PtyChild::expect_no_sanitizer_report()
{
    if (sanitizer_report_at() != std::string::npos) {
        fail("a sanitizer reported in the child (see the terminal output)");
    }
}

int PtyChild::wait_end()
{
    wait_exit(clock::now() + k_failure_timeout);
    // A failure the child reported must not go unnoticed because nobody asked for the line.
    for (std::size_t at = 0; at < pending_.size();) {
        std::size_t nl = pending_.find('\n', at);
        std::string_view l = std::string_view(pending_).substr(at, nl == std::string::npos ? nl : nl - at);
        if (l.rfind("fail ", 0) == 0) {
            fail("the child reported a failure: " + std::string(l.substr(5)));
        }
        at = nl == std::string::npos ? pending_.size() : nl + 1;
    }
    return wait_status_;
}

void PtyChild::wait_exit(clock::time_point deadline)
{
    while (!reports_eof_) {
        pump(deadline, false, "the child to close its report pipe");
    }
    while (!reaped_) {
        pid_t r = ::waitpid(pid_, &wait_status_, WNOHANG);
        if (r == pid_) {
            reaped_ = true;
            break;
        }
        if (r < 0 && errno != EINTR) {
            fail(std::string("waitpid: ") + std::strerror(errno));
        }
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) {
            fail("timed out waiting for the child to exit");
        }
        // Wait for the exit itself (system.hpp: ChildExit), draining the terminal meanwhile.
        pollfd fds[2];
        nfds_t n = 0;
        int exit_index = -1;
        if (exit_.fd() >= 0) {
            exit_index = static_cast<int>(n);
            fds[n++] = pollfd{exit_.fd(), POLLIN, 0};
        }
        if (master_ >= 0) {
            fds[n++] = pollfd{master_, POLLIN, 0};
        }
        if (::poll(fds, n, exit_.timeout(static_cast<int>(left))) > 0 && exit_index >= 0) {
            exit_.saw(fds[exit_index].revents);
        }
        drain_master();
    }
    drain_master();
    note("child exited with wait status " + std::to_string(wait_status_));
}

void PtyChild::finish()
{
    expect("done");
    wait_exit(clock::now() + k_failure_timeout);
    if (!WIFEXITED(wait_status_) || WEXITSTATUS(wait_status_) != 0) {
        fail("the child did not exit with status 0 (wait status " + std::to_string(wait_status_) + ")");
    }
    expect_no_sanitizer_report();
}

vtinput::Event typed(char32_t c)
{
    vtinput::KeyEvent k;
    k.key = vtinput::char_key(c);
    vtinput::append_utf8(k.text, c);
    return k;
}

bool pty_available(std::string& why)
{
    int master = -1;
    int slave = -1;
    if (!vtinput::test::open_pty(master, slave, nullptr, why)) {
        return false;
    }
    ::close(slave);
    ::close(master);
    return true;
}

}  // namespace pty
