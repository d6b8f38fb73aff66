// Whole programs, end to end: each input library's minimal program (tests/bench/peers/) runs
// as a child on a fresh PTY, the PTY's slave its controlling terminal and standard streams, and
// this harness, holding the master, plays the terminal. Linux only (/proc, sched_setaffinity).
//
//   program_latency --peers DIR [--echo PATH] [--crossterm PATH] [--ncurses-term NAME]
//                   [--only NAME,...] [--phases latency,stream,idle] [--pin none|cross]
//                   [--iters N] [--rounds R] [--rate N] [--seconds S] [--idle S]
//
// Method. Every program prints one line per key or mouse event (peers/peer.hpp; vtinput-echo
// --json --no-query prints one JSON object per event, and lines of other types are skipped).
// All programs are started together; once each has put its terminal in raw mode and answered a
// first key, the phases run:
//   latency  --iters round trips per program and payload ("a", and Ctrl+Up ESC [ 1 ; 5 A):
//            t0, write the payload to the master, read the master until the program's line
//            for it, t1. Programs take turns, in a new order every round, in --rounds rounds
//            (default: blocks of 100) so that noise hits them alike, each turn starting once
//            the last program is quiet (no CPU used for 2 ms: keys from idle); percentiles are
//            over the pooled samples, and ratios are to the `read` peer (a blocking read()
//            loop, no decoding) of the same run.
//   stream   one program at a time: --rate keys per second (each key its own write) for
//            --seconds, then as many SGR mouse motion reports; CPU time and context switches
//            of all the program's threads over the stream (/proc/PID/task/*/schedstat and
//            status, read before and after), per event sent. The PTY, the line discipline and
//            the program's line output are part of every program's cost alike.
//   idle     all programs idle together for --idle seconds (env VTINPUT_BENCH_IDLE overrides
//            the default 20): context switches (wake-ups) and CPU time of each.
//   rss      VmHWM and VmRSS (/proc/PID/status) after the streams.
// --pin none (the default) leaves placement to the scheduler; --pin cross runs this harness on
// CPU 0 and every thread of the programs on CPU 1.
//
// Output, one line per measurement (a program that is not there or fails says so instead):
//   programs name=N what=latency payload=B pin=P n=.. p50_us=.. p90_us=.. p99_us=..
//            p50_vs_read=.. p90_vs_read=..
//   programs name=N what=stream kind=key|mouse rate=R sent=.. got=.. cpu_us_per_event=..
//            ctx_per_event=.. app_ctx_per_event=.. app_wakes_per_event=.. cpu_vs_read=..
//            (app_ctx: without the switches of vtinput's input thread, "vtinput-input";
//            app_wakes: of those, the voluntary ones, each a sleep and so one wake-up)
//   programs name=N what=idle seconds=S wakeups=.. cpu_us=..
//   programs name=N what=rss hwm_kib=.. rss_kib=..
//   programs name=N what=status status=not-built|failed why=..
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "system.hpp"

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

[[noreturn]] void die(const char* what)
{
    std::fprintf(stderr, "program_latency: %s: %s\n", what, std::strerror(errno));
    std::exit(2);
}

enum class Pin { none, cross };
Pin g_pin = Pin::none;

void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<std::size_t>(cpu), &set);
    if (::sched_setaffinity(0, sizeof set, &set) != 0) {
        die("sched_setaffinity");
    }
}

// One program: its command, and which of its lines are events.
struct Program {
    std::string name;
    std::vector<std::string> argv;
    std::string term = "xterm-256color";
    bool json = false;  // vtinput-echo --json: events are the key and mouse objects; quits on SIGTERM
    bool is_event(std::string_view line) const
    {
        if (json) {
            return line.find("\"type\":\"key\"") != std::string_view::npos ||
                   line.find("\"type\":\"mouse\"") != std::string_view::npos;
        }
        return line.find("ev ") != std::string_view::npos;
    }
};

struct Child {
    const Program* prog = nullptr;
    pid_t pid = -1;
    int master = -1;
    std::string partial;  // output after the last newline
    long events = 0;      // event lines seen
    std::string failed;   // why, once it failed
    int exit_code = -1;   // once it has exited early (3: the peer lacks what it was asked for)
};

void write_all(int fd, std::string_view s)
{
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            return;  // the child has gone: its wait shows it
        }
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Reads what the child has written (non-blocking), counts its event lines, and answers the
// terminal queries a library may send at start (DA1, cursor position): a terminal would.
void take_output(Child& c)
{
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(c.master, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;  // EAGAIN, or EIO once the child has closed the slave
        }
        std::string_view chunk(buf, static_cast<std::size_t>(n));
        if (chunk.find("\x1b[c") != std::string_view::npos || chunk.find("\x1b[0c") != std::string_view::npos) {
            write_all(c.master, "\x1b[?62;22c");
        }
        if (chunk.find("\x1b[6n") != std::string_view::npos) {
            write_all(c.master, "\x1b[1;1R");
        }
        for (std::size_t nl; (nl = chunk.find('\n')) != std::string_view::npos;) {
            c.partial.append(chunk.substr(0, nl));
            c.events += c.prog->is_event(c.partial) ? 1 : 0;
            c.partial.clear();
            chunk.remove_prefix(nl + 1);
        }
        c.partial.append(chunk);
        if (c.partial.size() > 65536) {
            c.partial.erase(0, c.partial.size() - 4096);  // output that never ends a line
        }
    }
}

// Waits for output from any of `children` until `deadline`, then takes it.
void pump(std::vector<Child*> children, steady::time_point deadline)
{
    std::vector<pollfd> fds;
    for (Child* c : children) {
        fds.push_back({c->master, POLLIN, 0});
    }
    auto left = std::max(nanoseconds(0), deadline - steady::now());
    timespec ts{static_cast<time_t>(left.count() / 1'000'000'000), static_cast<long>(left.count() % 1'000'000'000)};
    if (::ppoll(fds.data(), fds.size(), &ts, nullptr) > 0) {
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents != 0) {
                take_output(*children[i]);
            }
        }
    }
}

// Until the child has printed `target` event lines in all, or `timeout` has passed.
bool wait_events(Child& c, long target, milliseconds timeout)
{
    auto deadline = steady::now() + timeout;
    while (c.events < target) {
        if (steady::now() >= deadline) {
            return false;
        }
        pump({&c}, deadline);
    }
    return true;
}

void settle(std::vector<Child*> children, milliseconds quiet)
{
    auto until = steady::now() + quiet;
    while (steady::now() < until) {
        pump(children, until);
    }
}

Child spawn(const Program& p)
{
    Child c;
    c.prog = &p;
    winsize ws{24, 80, 0, 0};
    int slave = -1;
    std::string why;
    if (!vtinput::test::open_pty(c.master, slave, &ws, why)) {
        std::fprintf(stderr, "program_latency: %s\n", why.c_str());
        std::exit(2);
    }
    std::vector<char*> argv;
    for (const std::string& a : p.argv) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    c.pid = ::fork();
    if (c.pid < 0) {
        die("fork");
    }
    if (c.pid == 0) {
        // The harness is single-threaded: setenv after fork is safe here.
        if (vtinput::test::make_controlling_terminal(slave) != 0) {
            ::_exit(126);
        }
        ::setenv("TERM", p.term.c_str(), 1);
        if (g_pin == Pin::cross) {
            pin_to(1);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(slave);
    vtinput::test::set_nonblocking(c.master);
    return c;
}

// The child has exited (and is reaped): before it was ready, so it failed.
bool exited(Child& c)
{
    int status = 0;
    if (c.exit_code < 0 && ::waitpid(c.pid, &status, WNOHANG) == c.pid) {
        c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        c.failed = "exited with " + std::to_string(c.exit_code) + " before it was ready";
    }
    return c.exit_code >= 0;
}

// Raw mode seen on the PTY, then a first key answered (resent until it is: a key typed while
// a program sets its terminal up may be flushed), then quiet.
bool ready(Child& c)
{
    auto deadline = steady::now() + std::chrono::seconds(10);
    termios t{};
    while (::tcgetattr(c.master, &t) == 0 && (t.c_lflag & ICANON) != 0 && steady::now() < deadline && !exited(c)) {
        settle({&c}, milliseconds(5));
    }
    while (steady::now() < deadline) {
        if (exited(c)) {
            return false;
        }
        long base = c.events;
        write_all(c.master, "a");
        if (wait_events(c, base + 1, milliseconds(300))) {
            settle({&c}, milliseconds(100));
            return true;
        }
    }
    c.failed = "never ready (no line for a key within 10 s)";
    return false;
}

void finish(Child& c)
{
    if (c.exit_code >= 0) {
        ::close(c.master);
        return;
    }
    if (c.prog->json || !c.failed.empty()) {
        ::kill(c.pid, SIGTERM);
    } else {
        write_all(c.master, "q");
    }
    auto deadline = steady::now() + std::chrono::seconds(3);
    int status = 0;
    rusage ru{};
    while (::wait4(c.pid, &status, WNOHANG, &ru) == 0) {
        if (steady::now() >= deadline) {
            ::kill(c.pid, SIGKILL);
            ::wait4(c.pid, &status, 0, &ru);
            if (c.failed.empty()) {
                c.failed = "did not quit within 3 s";
            }
            break;
        }
        settle({&c}, milliseconds(10));
    }
    ::close(c.master);
}

// CPU time (ns) and context switches of all the process's threads, now.
// `input_ctx`: those of vtinput's input thread (named "vtinput-input"), so that the
// application's own threads can be told apart.
// `wakes`: the voluntary switches alone (a thread went to sleep, so it was woken once for it),
// without those of the input thread: how many times the application's threads were woken.
struct Usage {
    std::int64_t cpu_ns = 0;
    long ctx = 0;
    long input_ctx = 0;
    long wakes = 0;
};

Usage usage_of(pid_t pid)
{
    Usage u;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream sched(task.path() / "schedstat");
        std::int64_t run_ns = 0;
        sched >> run_ns;
        u.cpu_ns += run_ns;
        std::ifstream status(task.path() / "status");
        bool input_thread = false;
        for (std::string line; std::getline(status, line);) {
            if (line.starts_with("Name:")) {
                input_thread = line.find("vtinput-input") != std::string::npos;
            } else if (line.starts_with("voluntary_ctxt_switches:") ||
                       line.starts_with("nonvoluntary_ctxt_switches:")) {
                const long n = std::atol(line.c_str() + line.find(':') + 1);
                u.ctx += n;
                u.input_ctx += input_thread ? n : 0;
                u.wakes += !input_thread && line.starts_with("voluntary") ? n : 0;
            }
        }
    }
    return u;
}

long status_kib(pid_t pid, std::string_view field)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with(field)) {
            return std::atol(line.c_str() + field.size() + 1);
        }
    }
    return -1;
}

double percentile_us(const std::vector<std::int64_t>& sorted, double p)
{
    if (sorted.empty()) {
        return 0;
    }
    auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return static_cast<double>(sorted[std::min(i, sorted.size() - 1)]) / 1000.0;
}

constexpr std::string_view k_payloads[] = {"a", "\x1b[1;5A"};

// Waits (at most 500 ms) until `c`'s threads have used no CPU for 2 ms: a program whose turn
// ended may still be working (the 15 quiet subscribers of vtinput-sub16 drain their backlog
// after the printing one answered), and the next program's keys must start from idle, not pay
// for that.
void quiesce(Child& c)
{
    const auto until = steady::now() + milliseconds(500);
    std::int64_t last = usage_of(c.pid).cpu_ns;
    while (steady::now() < until) {
        settle({&c}, milliseconds(2));
        const std::int64_t now = usage_of(c.pid).cpu_ns;
        if (now == last) {
            return;
        }
        last = now;
    }
}

void latency(std::vector<Child>& children, int iters, int rounds, int warmup)
{
    std::map<std::pair<std::string, int>, std::vector<std::int64_t>> samples;
    const int per_round = std::max(1, iters / rounds);
    // A new order every round (fixed seed: the same in every run), so that no program always
    // follows the same one: where a turn falls measurably changes its figures.
    std::vector<Child*> order;
    for (Child& c : children) {
        order.push_back(&c);
    }
    std::mt19937 shuffler(1);
    for (int r = 0; r < rounds; ++r) {
        std::shuffle(order.begin(), order.end(), shuffler);
        for (Child* cp : order) {
            Child& c = *cp;
            for (int p = 0; p < 2 && c.failed.empty(); ++p) {
                auto& out = samples[{c.prog->name, p}];
                for (int i = 0; i < warmup + per_round; ++i) {
                    take_output(c);  // a stray line must not answer the next key
                    long base = c.events;
                    auto t0 = steady::now();
                    write_all(c.master, k_payloads[p]);
                    if (!wait_events(c, base + 1, milliseconds(2000))) {
                        c.failed = "no line for a key within 2 s";
                        break;
                    }
                    auto t1 = steady::now();
                    if (i >= warmup) {
                        out.push_back(std::chrono::duration_cast<nanoseconds>(t1 - t0).count());
                    }
                }
            }
            quiesce(c);
        }
    }
    const char* pin = g_pin == Pin::cross ? "cross" : "none";
    for (int p = 0; p < 2; ++p) {
        auto& floor = samples[{"read", p}];
        std::sort(floor.begin(), floor.end());
        double f50 = percentile_us(floor, 0.5), f90 = percentile_us(floor, 0.9);
        for (Child& c : children) {
            auto& s = samples[{c.prog->name, p}];
            if (!c.failed.empty() || s.empty()) {
                continue;
            }
            std::sort(s.begin(), s.end());
            double p50 = percentile_us(s, 0.5), p90 = percentile_us(s, 0.9);
            std::printf("programs name=%s what=latency payload=%zu pin=%s n=%zu p50_us=%.2f p90_us=%.2f p99_us=%.2f "
                        "p50_vs_read=%.2f p90_vs_read=%.2f\n",
                        c.prog->name.c_str(), k_payloads[p].size(), pin, s.size(), p50, p90, percentile_us(s, 0.99),
                        f50 > 0 ? p50 / f50 : 0.0, f90 > 0 ? p90 / f90 : 0.0);
        }
    }
    std::fflush(stdout);
}

struct StreamResult {
    long sent = 0, got = 0;
    double cpu_us = 0, ctx = 0;  // per event sent
    double app_ctx = 0;          // the same, without vtinput's input thread
    double app_wakes = 0;        // of them, voluntary: the application's threads woken
};

// `rate` events per second for `seconds`, each its own write, paced on the clock.
StreamResult stream(Child& c, bool mouse, int rate, double seconds)
{
    StreamResult r;
    r.sent = std::max(1L, static_cast<long>(rate * seconds));
    const auto period = nanoseconds(1'000'000'000 / std::max(1, rate));
    Usage u0 = usage_of(c.pid);
    long base = c.events;
    auto next = steady::now();
    char buf[32];
    for (long i = 0; i < r.sent; ++i) {
        while (steady::now() < next) {
            pump({&c}, next);
        }
        if (mouse) {
            int n = std::snprintf(buf, sizeof buf, "\x1b[<35;%ld;%ldM", 1 + i % 80, 1 + (i / 80) % 24);
            write_all(c.master, std::string_view(buf, static_cast<std::size_t>(n)));
        } else {
            write_all(c.master, "a");
        }
        next += period;
    }
    wait_events(c, base + r.sent, milliseconds(5000));
    Usage u1 = usage_of(c.pid);
    r.got = c.events - base;
    r.cpu_us = static_cast<double>(u1.cpu_ns - u0.cpu_ns) / 1000.0 / static_cast<double>(r.sent);
    r.ctx = static_cast<double>(u1.ctx - u0.ctx) / static_cast<double>(r.sent);
    r.app_ctx = static_cast<double>((u1.ctx - u1.input_ctx) - (u0.ctx - u0.input_ctx)) / static_cast<double>(r.sent);
    r.app_wakes = static_cast<double>(u1.wakes - u0.wakes) / static_cast<double>(r.sent);
    return r;
}

void streams(std::vector<Child>& children, int rate, double seconds)
{
    std::map<std::pair<std::string, bool>, StreamResult> results;
    for (bool mouse : {false, true}) {
        for (Child& c : children) {
            if (c.failed.empty()) {
                results[{c.prog->name, mouse}] = stream(c, mouse, rate, seconds);
                settle({&c}, milliseconds(50));
            }
        }
    }
    for (bool mouse : {false, true}) {
        auto floor = results.find({"read", mouse});
        double f = floor != results.end() ? floor->second.cpu_us : 0;
        for (Child& c : children) {
            auto it = results.find({c.prog->name, mouse});
            if (it == results.end()) {
                continue;
            }
            const StreamResult& r = it->second;
            std::printf("programs name=%s what=stream kind=%s rate=%d sent=%ld got=%ld cpu_us_per_event=%.2f "
                        "ctx_per_event=%.2f app_ctx_per_event=%.2f app_wakes_per_event=%.2f cpu_vs_read=%.2f\n",
                        c.prog->name.c_str(), mouse ? "mouse" : "key", rate, r.sent, r.got, r.cpu_us, r.ctx, r.app_ctx,
                        r.app_wakes, f > 0 ? r.cpu_us / f : 0.0);
        }
    }
    std::fflush(stdout);
}

void idle(std::vector<Child>& children, double seconds)
{
    std::vector<Child*> live;
    std::vector<Usage> before;
    for (Child& c : children) {
        if (c.failed.empty()) {
            live.push_back(&c);
            before.push_back(usage_of(c.pid));
        }
    }
    settle(live, milliseconds(static_cast<long>(seconds * 1000)));
    for (std::size_t i = 0; i < live.size(); ++i) {
        Usage after = usage_of(live[i]->pid);
        std::printf("programs name=%s what=idle seconds=%g wakeups=%ld cpu_us=%.0f\n", live[i]->prog->name.c_str(),
                    seconds, after.ctx - before[i].ctx, static_cast<double>(after.cpu_ns - before[i].cpu_ns) / 1000.0);
    }
    std::fflush(stdout);
}

std::vector<Program> programs(const std::string& dir, const std::string& echo, const std::string& crossterm,
                              const std::string& ncurses_term)
{
    std::vector<Program> list = {
        {"read", {dir + "/peer_read"}},
        {"libuv", {dir + "/peer_uv"}},
        {"libtermkey", {dir + "/peer_termkey"}},
        {"ncurses", {dir + "/peer_ncurses"}, ncurses_term},
        {"notcurses", {dir + "/peer_notcurses"}},
        {"crossterm", {crossterm}},
        {"vtinput", {dir + "/peer_device"}},
        {"vtinput-sub4", {dir + "/peer_device", "--subscribers", "4"}},
        {"vtinput-sub16", {dir + "/peer_device", "--subscribers", "16"}},
        {"vtinput-inline", {dir + "/peer_device", "--inline"}},
        {"vtinput-lean", {dir + "/peer_device_lean"}},
        {"vtinput-echo", {echo, "--json", "--no-query"}},
    };
    list.back().json = true;
    return list;
}

[[noreturn]] void usage()
{
    std::fprintf(stderr, "usage: program_latency --peers DIR [options] (see the top of program_latency_linux.cpp)\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv)
{
    std::string dir, echo, crossterm, ncurses_term = "xterm-256color", only, phases = "latency,stream,idle";
    int iters = 5000, rounds = 0, rate = 1000;  // rounds 0: blocks of 100 round trips
    double seconds = 3;
    const char* idle_env = std::getenv("VTINPUT_BENCH_IDLE");
    double idle_s = idle_env != nullptr ? std::atof(idle_env) : 20;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (i + 1 >= argc) {
            usage();
        }
        std::string v = argv[++i];
        if (a == "--peers") {
            dir = v;
        } else if (a == "--echo") {
            echo = v;
        } else if (a == "--crossterm") {
            crossterm = v;
        } else if (a == "--ncurses-term") {
            ncurses_term = v;
        } else if (a == "--only") {
            only = "," + v + ",";
        } else if (a == "--phases") {
            phases = v;
        } else if (a == "--pin") {
            g_pin = v == "cross" ? Pin::cross : v == "none" ? Pin::none : (usage(), Pin::none);
        } else if (a == "--iters") {
            iters = std::max(1, std::atoi(v.c_str()));
        } else if (a == "--rounds") {
            rounds = std::max(1, std::atoi(v.c_str()));
        } else if (a == "--rate") {
            rate = std::max(1, std::atoi(v.c_str()));
        } else if (a == "--seconds") {
            seconds = std::max(0.01, std::atof(v.c_str()));
        } else if (a == "--idle") {
            idle_s = std::max(0.0, std::atof(v.c_str()));
        } else {
            usage();
        }
    }
    if (dir.empty()) {
        usage();
    }
    if (g_pin == Pin::cross) {
        if (std::thread::hardware_concurrency() < 2) {
            std::printf("programs: SKIP: --pin cross needs two CPUs\n");
            return 0;
        }
        pin_to(0);
    }
    ::signal(SIGPIPE, SIG_IGN);
    const std::vector<Program> list = programs(dir, echo, crossterm, ncurses_term);
    std::vector<Child> children;
    for (const Program& p : list) {
        if (!only.empty() && only.find("," + p.name + ",") == std::string::npos) {
            continue;
        }
        if (p.argv[0].empty() || ::access(p.argv[0].c_str(), X_OK) != 0) {
            std::printf("programs name=%s what=status status=not-built why=no-program\n", p.name.c_str());
            continue;
        }
        children.push_back(spawn(p));
    }
    for (Child& c : children) {
        ready(c);
    }
    auto has = [&](std::string_view phase) { return phases.find(phase) != std::string::npos; };
    // Short turns: unpinned, wake-ups land on the writer's CPU or the other for stretches at a
    // time (two modes far apart), and short turns give each program both.
    rounds = rounds == 0 ? std::max(1, iters / 100) : rounds;
    if (has("latency")) {
        latency(children, iters, rounds, std::min(20, iters / rounds));
    }
    if (has("stream")) {
        streams(children, rate, seconds);
        for (Child& c : children) {
            if (c.failed.empty()) {
                std::printf("programs name=%s what=rss hwm_kib=%ld rss_kib=%ld\n", c.prog->name.c_str(),
                            status_kib(c.pid, "VmHWM:"), status_kib(c.pid, "VmRSS:"));
            }
        }
    }
    if (has("idle") && idle_s > 0) {
        idle(children, idle_s);
    }
    for (Child& c : children) {
        finish(c);
        if (!c.failed.empty()) {
            std::replace(c.failed.begin(), c.failed.end(), ' ', '_');
            std::printf("programs name=%s what=status status=%s why=%s\n", c.prog->name.c_str(),
                        c.exit_code == 3 ? "not-built" : "failed", c.failed.c_str());
        }
    }
    return 0;
}
