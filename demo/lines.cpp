// The line output of live mode (the default): every event as a line on standard output,
// human-readable or JSON, from one or more receivers; and the line format, which the screen's
// event log (tui.cpp) and --replay (replay.cpp) share.
//
// With one receiver (the default), the device's input thread prints each batch itself, as one
// flushed write (an inline handler: no hand-off, the fastest path; the session's notice says
// so). With --subscribers N, every receiver runs the same loop on its own thread: wait (poll on
// the receiver's fd and the stop pipe), take everything pending, print it as one flushed write.
// The device's own receiver (or the handler) decides when the program ends and says so through
// the stop pipe. The others see the
// same events in the same order, so they stop at the same Ctrl+C by themselves; one that lagged
// past it stops once it has printed what was pending when the stop came.
#include "echo.hpp"

#include <cstdio>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

namespace demo {
namespace {

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

// Prints one batch and watches it for the end. Lines are tagged with `rx` (0: untagged).
// Only the `primary` receiver tells the user about the first Ctrl+C, so the notice appears
// once.
std::optional<End> echo_batch(std::span<const vtinput::Event> batch, QuitKeys& quit, int rx, bool primary, Output& out,
                              const Options& o, std::string& lines)
{
    lines.clear();
    for (const vtinput::Event& event : batch) {
        if (shown(o, event)) {
            append_line(lines, event, o.json, rx);
            lines += '\n';
        }
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
            return end;
        }
        if (ask_again) {
            out.notice(k_quit_again);
        }
    }
    if (!out.write(lines)) {
        return End::output_failed;
    }
    return std::nullopt;
}

// One receiver's loop on its own thread.
End echo_receiver(vtinput::Receiver& receiver, int rx, bool primary, Output& out, const Options& o, const Stop& stop)
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
        if (std::optional<End> end = echo_batch(batch, quit, rx, primary, out, o, lines)) {
            return *end;
        }
        if (stopping) {
            return End::stopped;
        }
    }
}

// The one receiver of the default session, the fastest way: printed by the device's input
// thread itself (InputDevice::subscribe_inline), no hand-off to another thread. Writing to a
// slow standard output holds the reading up meanwhile, which is what this program is for;
// nothing is lost (the terminal keeps what is typed). The handler ends the session through
// the stop pipe, which this thread waits on.
End echo_inline(vtinput::InputDevice& device, Output& out, const Options& o, const Stop& stop)
{
    QuitKeys quit;
    std::string lines;
    std::optional<End> end;
    // From the device's own receiver's place: keys typed during the capability query first.
    vtinput::InlineSubscription handler =
        device.subscribe_inline(std::move(device.events()), [&](std::span<const vtinput::Event> batch) {
            if (!end && (end = echo_batch(batch, quit, 0, true, out, o, lines))) {
                stop.request();
            }
        });
    wait_for_stop(stop);
    handler.reset();  // the handler is not running and never runs again: `end` is ours
    return end.value_or(End::stopped);
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

bool shown(const Options& o, const vtinput::Event& event)
{
    return o.raw_bytes || !std::holds_alternative<vtinput::RawEvent>(event);
}

void append_line(std::string& out, const vtinput::Event& event, bool json, int rx)
{
    if (json) {
        vtinput::append_json(out, event);
        if (rx != 0) {
            out.pop_back();  // the closing brace: docs/json-schema.md allows added fields
            out += ",\"rx\":" + std::to_string(rx) + "}";
        }
        return;
    }
    if (rx != 0) {
        out += "[rx" + std::to_string(rx) + "] ";
    }
    vtinput::append_human(out, event);
}

int run_lines(const Options& o, vtinput::InputDevice& device, std::vector<vtinput::Receiver> extra, const Stop& stop)
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
        end = extra.empty() ? echo_inline(device, out, o, stop) : echo_receiver(device.events(), 1, true, out, o, stop);
    }  // the other receivers stop and are joined here
    if (end == End::output_failed) {
        std::fputs("vtinput-echo: cannot write to standard output\n", stderr);
    }
    return end == End::error || end == End::output_failed ? 1 : 0;
}

}  // namespace demo
