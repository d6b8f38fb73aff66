// The live line mode of vtinput-echo, and what it shares with the screen (tui.cpp): the quit
// keys, the stop pipe with its signal handlers, and the line format.
//
// Every receiver runs the same loop on its own thread: wait (poll on the receiver's eventfd and
// the stop pipe), take everything pending, print it as one flushed write. The device's own
// receiver decides when the program ends and says so through the stop pipe. The others see the
// same events in the same order, so they stop at the same Ctrl+C by themselves; one that lagged
// past it stops once it has printed what was pending when the stop came.
#include "echo.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <variant>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace demo {
namespace {

// What the signal handler needs, and nothing else: the write end of the stop pipe and the
// number of the signal that used it.
int g_stop_write_fd = -1;
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

// Async-signal-safe. The pipe is non-blocking: when it is full, a stop is pending already.
void write_stop_byte()
{
    [[maybe_unused]] ssize_t written = ::write(g_stop_write_fd, "", 1);
}

void on_stop_signal(int sig)
{
    int saved_errno = errno;
    g_stop_signal.store(sig);
    write_stop_byte();
    errno = saved_errno;
}

bool is_modifier_key(vtinput::Key key)
{
    using vtinput::Key;
    return (key >= Key::left_shift && key <= Key::iso_level5_shift) || key == Key::caps_lock ||
           key == Key::num_lock;
}

bool is_ctrl_c(const vtinput::KeyEvent& key)
{
    // Lock modifiers are state, not part of the chord.
    using vtinput::Mod;
    constexpr unsigned locks = vtinput::Mods(Mod::capslock | Mod::numlock).bits();
    return key.key == vtinput::char_key(U'c') && (key.mods.bits() & ~locks) == vtinput::Mods(Mod::ctrl).bits();
}

// All receivers print through one Output: each batch of lines is one write under the lock,
// flushed at once so that a key shows up as it is typed, and lines never interleave.
class Output {
public:
    explicit Output(const Options& o) : options_(o) {}

    // False once standard output cannot be written (a closed pipe; SIGPIPE is ignored).
    bool write(const std::string& lines)
    {
        std::lock_guard lock(mutex_);
        if (!lines.empty() && std::fwrite(lines.data(), 1, lines.size(), stdout) != lines.size()) {
            return false;
        }
        return std::fflush(stdout) == 0;
    }

    void notice(std::string_view text)
    {
        std::lock_guard lock(mutex_);
        demo::notice(options_, text);
    }

private:
    const Options& options_;
    std::mutex mutex_;
};

enum class End { quit, eof, error, stopped, output_failed };

// The end of the loop that `event` (whose quit step is `step`) makes, if any.
std::optional<End> ending(const vtinput::Event& event, QuitKeys::Step step)
{
    if (step == QuitKeys::Step::quit) {
        return End::quit;
    }
    if (std::holds_alternative<vtinput::EofEvent>(event)) {
        return End::eof;
    }
    if (std::holds_alternative<vtinput::ErrorEvent>(event)) {
        return End::error;
    }
    return std::nullopt;
}

// One receiver's loop. Lines are tagged with `rx` (0: untagged). Only the `primary` receiver
// tells the user about the first Ctrl+C, so the notice appears once.
End echo_receiver(vtinput::Receiver& receiver, int rx, bool primary, Output& out, const Options& o,
                  const Stop& stop)
{
    QuitKeys quit;
    std::vector<vtinput::Event> batch;
    std::string lines;
    for (;;) {
        // Once a stop is seen, one more batch at most: a flood of input must not keep a
        // receiver printing after the program was asked to end.
        const bool stopping = stop.requested();
        batch.clear();
        receiver.try_receive_all(batch);
        if (batch.empty()) {
            if (stopping || receiver.closed()) {
                return End::stopped;
            }
            wait_for_events(receiver, stop);
            continue;
        }
        lines.clear();
        for (const vtinput::Event& event : batch) {
            append_line(lines, event, o.json, rx);
            lines += '\n';
            QuitKeys::Step step = quit.offer(event);
            std::optional<End> end = ending(event, step);
            bool ask_again = primary && step == QuitKeys::Step::first;
            if (end || ask_again) {
                // This event's line goes out first: before the program ends, or the notice.
                if (!out.write(lines)) {
                    return End::output_failed;
                }
                lines.clear();
            }
            if (end) {
                return *end;
            }
            if (ask_again) {
                out.notice(k_quit_again);
            }
        }
        if (!out.write(lines)) {
            return End::output_failed;
        }
        if (stopping) {
            return End::stopped;
        }
    }
}

// Threads of the extra receivers, stopped and joined on every way out of run_lines.
class ReceiverThreads {
public:
    explicit ReceiverThreads(const Stop& stop) : stop_(stop) {}
    ~ReceiverThreads()
    {
        stop_.request();
        for (std::thread& t : threads_) {
            t.join();
        }
    }
    ReceiverThreads(const ReceiverThreads&) = delete;
    ReceiverThreads& operator=(const ReceiverThreads&) = delete;

    template <class F>
    void start(F&& body)
    {
        threads_.emplace_back(std::forward<F>(body));
    }

private:
    const Stop& stop_;
    std::vector<std::thread> threads_;
};

}  // namespace

QuitKeys::Step QuitKeys::offer(const vtinput::Event& event)
{
    const auto* key = std::get_if<vtinput::KeyEvent>(&event);
    if (!key || key->kind != vtinput::KeyKind::press || is_modifier_key(key->key)) {
        return Step::other;
    }
    if (!is_ctrl_c(*key)) {
        armed_ = false;
        return Step::other;
    }
    if (armed_) {
        return Step::quit;
    }
    armed_ = true;
    return Step::first;
}

Stop::Stop()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        throw std::system_error(errno, std::generic_category(), "cannot create a pipe");
    }
    read_fd_ = fds[0];
    g_stop_write_fd = fds[1];
    g_stop_signal.store(0);
    for (std::size_t i = 0; i < std::size(k_signals); ++i) {
        ::sigaction(k_signals[i], nullptr, &previous_[i]);
        if (!(previous_[i].sa_flags & SA_SIGINFO) && previous_[i].sa_handler == SIG_IGN) {
            continue;  // nohup and the like: the user asked for this signal to be ignored
        }
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sa.sa_flags = SA_RESTART;  // stdio on other threads must not see EINTR
        sigemptyset(&sa.sa_mask);
        installed_[i] = ::sigaction(k_signals[i], &sa, nullptr) == 0;
    }
}

Stop::~Stop()
{
    for (std::size_t i = 0; i < std::size(k_signals); ++i) {
        if (installed_[i]) {
            ::sigaction(k_signals[i], &previous_[i], nullptr);
        }
    }
    ::close(g_stop_write_fd);
    g_stop_write_fd = -1;
    ::close(read_fd_);
}

void Stop::request() const { write_stop_byte(); }

bool Stop::requested() const
{
    pollfd p{read_fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

int Stop::signal() const { return g_stop_signal.load(); }

void wait_for_events(vtinput::Receiver& receiver, const Stop& stop)
{
    int efd = receiver.fd();
    if (efd < 0) {
        throw std::system_error(errno, std::generic_category(), "cannot poll the event receiver");
    }
    pollfd fds[] = {{efd, POLLIN, 0}, {stop.fd(), POLLIN, 0}};
    while (::poll(fds, std::size(fds), -1) < 0) {
        if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "poll");
        }
    }
}

void append_line(std::string& out, const vtinput::Event& event, bool json, int rx)
{
    if (json) {
        vtinput::append_json(out, event);
        if (rx != 0) {
            out.pop_back();  // the closing brace: SCHEMA.md allows added fields
            out += ",\"rx\":" + std::to_string(rx) + "}";
        }
        return;
    }
    if (rx != 0) {
        out += "[rx" + std::to_string(rx) + "] ";
    }
    vtinput::append_human(out, event);
}

void notice(const Options& o, std::string_view text)
{
    std::FILE* f = o.json ? stderr : stdout;
    std::fprintf(f, "vtinput-echo: %.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(f);
}

int run_lines(const Options& o, vtinput::InputDevice& device, std::vector<vtinput::Receiver> extra,
              const Stop& stop)
{
    Output out(o);
    End end = End::stopped;
    {
        ReceiverThreads threads(stop);
        for (std::size_t i = 0; i < extra.size(); ++i) {
            threads.start([&, i] {
                try {
                    echo_receiver(extra[i], static_cast<int>(i) + 2, false, out, o, stop);
                } catch (const std::exception& ex) {
                    out.notice(std::string("receiver ") + std::to_string(i + 2) + ": " + ex.what());
                    stop.request();
                }
            });
        }
        end = echo_receiver(device.events(), extra.empty() ? 0 : 1, true, out, o, stop);
    }  // the other receivers stop and are joined here
    if (end == End::output_failed) {
        std::fputs("vtinput-echo: cannot write to standard output\n", stderr);
    }
    return end == End::error || end == End::output_failed ? 1 : 0;
}

}  // namespace demo
