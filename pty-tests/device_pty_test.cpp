// The input device's life inside a real terminal: the singleton, broadcast to subscribers, the
// poller thread's generations, the drop/re-open race (forced both ways through the poller's
// test hooks), no keystroke lost across re-opens, hang-up, a piped stdin, and the pollable
// receiver fd. Each TEST_CASE is named after its scenario; the scenario's child is next to it.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include "harness.hpp"
#include "device/lifecycle.hpp"
#include "vtinput/input_device.hpp"

using namespace vtinput;
using detail::Lifecycle;
using pty::PtyChild;
using pty::Reporter;
using pty::require;
using pty::typed;

namespace {

// The i-th key of a numbered stream: printable ASCII, cycling.
char stream_char(std::size_t i) { return static_cast<char>('!' + i % 94); }

void require_char(const KeyEvent& k, char expected, const std::string& where)
{
    require(k.key == char_key(static_cast<char32_t>(expected)) && k.mods.empty(),
            where + ": expected '" + std::string(1, expected) + "', got " + to_json(Event(k)));
}

bool idle() { return Lifecycle::instance().wait_idle(pty::k_child_timeout); }

struct Status {
    bool running = false;
    unsigned long long generation = 0;
    unsigned long long receivers = 0;
    bool device_open = false;
};

// Parses the rest of a "status ..." line.
Status parse_status(const std::string& rest)
{
    Status s;
    unsigned running = 0;
    unsigned device_open = 0;
    REQUIRE_MESSAGE(std::sscanf(rest.c_str(), "running=%u generation=%llu receivers=%llu device_open=%u", &running,
                                &s.generation, &s.receivers, &device_open) == 4,
                    "bad status line: " << rest);
    s.running = running != 0;
    s.device_open = device_open != 0;
    return s;
}

Status expect_status(PtyChild& child) { return parse_status(child.expect_prefix("status ")); }

}  // namespace

// UBSan's vptr check (the ASan+UBSan build) opens a pipe to probe memory when its type cache
// misses; with no fd left for it, it reports every polymorphic object as having an invalid
// vptr. The fd-limit case runs in the other builds (plain, TSan).
extern "C" void __ubsan_handle_dynamic_type_cache_miss() __attribute__((weak));

TEST_SUITE("pty")
{

    TEST_CASE("singleton: a second open while the first is alive is busy; after the drop it succeeds")
    {
        PtyChild child("singleton", [](Reporter& report) {
            {
                auto dev = InputDevice::open();
                try {
                    auto second = InputDevice::open();
                    report.line("second open succeeded");
                } catch (const std::system_error& e) {
                    report.line(e.code() == std::errc::device_or_resource_busy
                                    ? "second open busy"
                                    : std::string("second open failed otherwise: ") + e.what());
                }
                // A subscriber does not count as a device: subscribing still works.
                Receiver extra = dev.subscribe();
                report.status();
            }
            report.status();
            auto again = InputDevice::open();
            report.line("reopened");
            report.event("dev", pty::next_event(again.events(), "the re-opened device"));
        });
        child.expect("second open busy");
        auto open = expect_status(child);
        CHECK(open.device_open);
        CHECK(open.receivers == 2);
        auto dropped = expect_status(child);
        CHECK_FALSE(dropped.device_open);
        child.expect("reopened");
        child.type("z");
        child.expect_event(typed(U'z'));
        child.finish();
    }

    // Phase one: six events, three taken from every receiver, then sub1 is dropped with three
    // still pending for it; the device and sub2 take the rest. Phase two: four more events.
    constexpr int k_phase1 = 6;
    constexpr int k_phase2 = 4;

    TEST_CASE("subscribe/broadcast: the device and two subscribers see the same events; dropping one disturbs nobody")
    {
        PtyChild child("broadcast", [](Reporter& report) {
            auto dev = InputDevice::open();
            auto sub1 = std::make_unique<Receiver>(dev.subscribe());
            Receiver sub2 = dev.subscribe();
            report.status();
            report.line("ready");
            auto take = [&](Receiver& r, const char* tag, int n) {
                for (int i = 0; i < n; ++i) {
                    report.event(tag, pty::next_event(r, tag));
                }
            };
            take(dev.events(), "dev", k_phase1 / 2);
            take(*sub1, "sub1", k_phase1 / 2);
            take(sub2, "sub2", k_phase1 / 2);
            sub1.reset();  // mid-stream, with events pending for it
            report.status();
            take(dev.events(), "dev", k_phase1 / 2);
            take(sub2, "sub2", k_phase1 / 2);
            report.line("phase2");
            take(dev.events(), "dev", k_phase2);
            take(sub2, "sub2", k_phase2);
            require(dev.try_receive() == std::nullopt && sub2.try_receive() == std::nullopt,
                    "more events than were typed");
        });
        auto before = expect_status(child);
        CHECK(before.receivers == 3);
        child.expect("ready");
        // Keys, a modified key, UTF-8, mouse, focus: one write, so they arrive in one batch.
        child.type("a\x1b[1;5A\xc3\xa9"
                   "b\x1b[<0;3;4Mc");
        std::vector<std::string> seen;
        for (const char* tag : {"dev", "sub1", "sub2"}) {
            for (int i = 0; i < k_phase1 / 2; ++i) {
                seen.push_back(tag + std::string(" ") + child.expect_prefix("event " + std::string(tag) + " "));
            }
        }
        auto after = expect_status(child);
        CHECK(after.receivers == 2);
        for (const char* tag : {"dev", "sub2"}) {
            for (int i = 0; i < k_phase1 / 2; ++i) {
                seen.push_back(tag + std::string(" ") + child.expect_prefix("event " + std::string(tag) + " "));
            }
        }
        child.expect("phase2");
        child.type("\x1b[I");
        child.type("x");
        child.type("\x1b[15;3~");
        child.type("y");
        for (const char* tag : {"dev", "sub2"}) {
            for (int i = 0; i < k_phase2; ++i) {
                seen.push_back(tag + std::string(" ") + child.expect_prefix("event " + std::string(tag) + " "));
            }
        }
        child.finish();

        KeyEvent ctrl_up;
        ctrl_up.key = Key::up;
        ctrl_up.mods = Mod::ctrl;
        MouseEvent click;
        click.button = MouseButton::left;
        click.x = 2;
        click.y = 3;
        KeyEvent alt_f5;
        alt_f5.key = function_key(5);
        alt_f5.mods = Mod::alt;
        const std::vector<Event> expected = {typed(U'a'), ctrl_up,          typed(U'\u00e9'), typed(U'b'), click,
                                             typed(U'c'), FocusEvent{true}, typed(U'x'),      alt_f5,      typed(U'y')};
        auto json = [&](std::size_t i) { return to_json(expected[i]); };
        // In the order the child reported them: dev, sub1, sub2 (3 each), dev, sub2 (3), dev, sub2 (4).
        std::vector<std::string> want;
        for (const char* tag : {"dev", "sub1", "sub2"}) {
            for (std::size_t i = 0; i < 3; ++i) {
                want.push_back(tag + std::string(" ") + json(i));
            }
        }
        for (const char* tag : {"dev", "sub2"}) {
            for (std::size_t i = 3; i < 6; ++i) {
                want.push_back(tag + std::string(" ") + json(i));
            }
        }
        for (const char* tag : {"dev", "sub2"}) {
            for (std::size_t i = 6; i < 10; ++i) {
                want.push_back(tag + std::string(" ") + json(i));
            }
        }
        REQUIRE(seen.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            CHECK(seen[i] == want[i]);
        }
    }

    TEST_CASE("thread lifecycle: open runs generation G, drop ends the thread, open runs G+1 and decodes")
    {
        PtyChild child("lifecycle", [](Reporter& report) {
            auto threads = pty::thread_count();
            {
                auto dev = InputDevice::open();
                report.status();
                report.event("dev", pty::next_event(dev.events(), "generation G"));
            }
            require(idle(), "the poller thread did not exit after the last receiver dropped");
            report.status();
            report.line("threads " + std::to_string(pty::settled_thread_count(threads) - threads));
            auto dev = InputDevice::open();
            report.status();
            report.event("dev", pty::next_event(dev.events(), "generation G+1"));
        });
        auto first = expect_status(child);
        CHECK(first.running);
        CHECK(first.generation >= 1);
        CHECK(first.receivers == 1);
        child.type("a");
        child.expect_event(typed(U'a'));
        auto stopped = expect_status(child);
        CHECK_FALSE(stopped.running);
        CHECK(stopped.receivers == 0);
        CHECK(stopped.generation == first.generation);
        child.expect("threads 0");
        auto second = expect_status(child);
        CHECK(second.running);
        CHECK(second.generation == first.generation + 1);
        child.type("\x1b[1;5A");
        KeyEvent ctrl_up;
        ctrl_up.key = Key::up;
        ctrl_up.mods = Mod::ctrl;
        child.expect_event(ctrl_up);
        child.finish();
    }

    constexpr int k_plain_reopens = 200;
    constexpr int k_forced_reopens = 10;

    // One-shot rendezvous between the main thread and a hook running on the poller thread.
    struct Rendezvous {
        std::promise<void> reached;
        std::promise<void> release;
        std::shared_future<void> released = release.get_future().share();
    };

    TEST_CASE("fast reuse race: drop and immediate re-open, plain and with both outcomes forced")
    {
        PtyChild child("reuse-race", [](Reporter& report) {
            const auto threads = pty::thread_count();
            auto& lifecycle = Lifecycle::instance();
            // Plain: whichever way each race goes, the re-opened device gets its key.
            auto start = InputDevice::status().generation;
            for (int i = 0; i < k_plain_reopens; ++i) {
                auto dev = InputDevice::open();
                report.line("plain " + std::to_string(i));
                require_char(pty::next_key(dev.events(), "plain"), stream_char(static_cast<std::size_t>(i)),
                             "plain re-open " + std::to_string(i));
            }
            report.line("plain generations " + std::to_string(InputDevice::status().generation - start));

            // Forced fast path: the poller is held at the doorbell, before it looks at the receiver
            // count; the re-open finds it running and must reuse it.
            for (int i = 0; i < k_forced_reopens; ++i) {
                // The last iteration's drop rang the doorbell too; had its poller not answered
                // yet, it would run this iteration's hook. Start from no poller at all.
                require(idle(), "the poller did not exit");
                auto sync = std::make_shared<Rendezvous>();
                detail::PollerHooks hooks;
                hooks.before_exit_check = [sync] {
                    sync->reached.set_value();
                    sync->released.wait();
                };
                lifecycle.set_hooks(hooks);
                auto first = InputDevice::open();
                auto generation = InputDevice::status().generation;
                first.close();  // the last receiver: the doorbell rings
                sync->reached.get_future().wait();
                auto second = InputDevice::open();  // must not wait for the held thread
                auto s = InputDevice::status();
                sync->release.set_value();
                lifecycle.set_hooks({});
                require(s.running && s.generation == generation,
                        "forced fast path: expected generation " + std::to_string(generation) + " running, got " +
                            std::to_string(s.generation) + (s.running ? " running" : " not running"));
                report.line("fast " + std::to_string(i));
                require_char(pty::next_key(second.events(), "fast"), stream_char(static_cast<std::size_t>(i)),
                             "fast-path re-open " + std::to_string(i));
            }

            // Forced slow path: the poller is held after it decided to exit; the re-open must wait
            // for it and start the next generation.
            for (int i = 0; i < k_forced_reopens; ++i) {
                // The last iteration's drop rang the doorbell too; had its poller not answered
                // yet, it would run this iteration's hook. Start from no poller at all.
                require(idle(), "the poller did not exit");
                auto sync = std::make_shared<Rendezvous>();
                detail::PollerHooks hooks;
                hooks.after_exit_decision = [sync] {
                    sync->reached.set_value();
                    sync->released.wait();
                };
                lifecycle.set_hooks(hooks);
                auto first = InputDevice::open();
                auto generation = InputDevice::status().generation;
                first.close();
                sync->reached.get_future().wait();
                require(!InputDevice::status().running, "forced slow path: an exiting poller reported as running");
                auto opener = std::async(std::launch::async, [] { return InputDevice::open(); });
                // It cannot have finished: the old thread is held and the slot waits for it.
                require(opener.wait_for(std::chrono::seconds(0)) == std::future_status::timeout,
                        "forced slow path: the re-open did not wait for the exiting poller");
                sync->release.set_value();
                auto second = opener.get();
                lifecycle.set_hooks({});
                auto s = InputDevice::status();
                require(s.running && s.generation == generation + 1,
                        "forced slow path: expected generation " + std::to_string(generation + 1) + " running, got " +
                            std::to_string(s.generation));
                report.line("slow " + std::to_string(i));
                require_char(pty::next_key(second.events(), "slow"), stream_char(static_cast<std::size_t>(i)),
                             "slow-path re-open " + std::to_string(i));
            }
            require(idle(), "the poller did not exit after the last drop");
            report.line("extra threads " + std::to_string(pty::settled_thread_count(threads) - threads));
            report.line("unclean loops " + std::to_string(InputDevice::status().unclean_loops));
        });
        for (int i = 0; i < k_plain_reopens; ++i) {
            child.expect("plain " + std::to_string(i));
            child.type(std::string(1, stream_char(static_cast<std::size_t>(i))));
        }
        auto generations = child.expect_prefix("plain generations ");
        MESSAGE(k_plain_reopens << " plain re-opens ran " << generations << " poller generation(s)");
        for (const char* path : {"fast", "slow"}) {
            for (int i = 0; i < k_forced_reopens; ++i) {
                child.expect(path + std::string(" ") + std::to_string(i));
                child.type(std::string(1, stream_char(static_cast<std::size_t>(i))));
            }
        }
        child.expect("extra threads 0");
        child.expect("unclean loops 0");
        child.finish();
    }

    constexpr std::size_t k_stream_keys = 3000;
    constexpr std::size_t k_stream_write = 7;    // bytes per write()
    constexpr std::size_t k_stream_ahead = 160;  // the parent stays at most this far ahead

    TEST_CASE("no keystroke lost across re-open: a 3000-key stream while the device is dropped and re-opened")
    {
        PtyChild child("no-key-lost", [](Reporter& report) {
            auto start = InputDevice::status().generation;
            std::size_t got = 0;
            std::size_t reopens = 0;
            report.line("ready");
            while (got < k_stream_keys) {
                auto dev = InputDevice::open();
                ++reopens;
                // 1..37 keys per device, so the drops land at varied points of the stream.
                std::size_t take = std::min<std::size_t>(1 + reopens % 37, k_stream_keys - got);
                for (std::size_t k = 0; k < take; ++k, ++got) {
                    Event e = pty::next_event(dev.events(), "the device");
                    require(!std::holds_alternative<LaggedEvent>(e),
                            "events were lost (lagged) at key " + std::to_string(got));
                    auto* key = std::get_if<KeyEvent>(&e);
                    require(key != nullptr, "key " + std::to_string(got) + ": expected a key, got " + to_json(e));
                    require_char(*key, stream_char(got), "key " + std::to_string(got) + " of the stream");
                }
                dev.close();
                if (reopens % 4 == 0) {
                    // Let the poller exit now and then, so that the stream also crosses
                    // generations: keys in the kernel, in the decoder's carry and in the channel.
                    require(idle(), "the poller did not exit");
                }
                report.line("got " + std::to_string(got));
            }
            auto dev = InputDevice::open();
            require(dev.try_receive() == std::nullopt, "a key arrived twice");
            report.line("keys " + std::to_string(got) + " reopens " + std::to_string(reopens) + " generations " +
                        std::to_string(InputDevice::status().generation - start));
        });
        std::string stream;
        for (std::size_t i = 0; i < k_stream_keys; ++i) {
            stream += stream_char(i);
        }
        child.expect("ready");
        std::size_t written = 0;
        std::size_t acknowledged = 0;
        while (acknowledged < k_stream_keys) {
            // Keep the stream flowing while the child drops and re-opens, but only a little ahead,
            // so that keys arrive while no device is open as well as while one is.
            while (written < k_stream_keys && written < acknowledged + k_stream_ahead) {
                std::size_t n = std::min(k_stream_write, k_stream_keys - written);
                child.type(std::string_view(stream).substr(written, n));
                written += n;
            }
            acknowledged = std::stoul(child.expect_prefix("got "));
            REQUIRE(acknowledged <= written);
        }
        auto result = child.expect_prefix("keys ");
        unsigned long keys = 0;
        unsigned long reopens = 0;
        unsigned long generations = 0;
        REQUIRE(std::sscanf(result.c_str(), "%lu reopens %lu generations %lu", &keys, &reopens, &generations) == 3);
        CHECK(keys == written);
        CHECK(generations >= reopens / 4);  // the stream crossed generations, not just devices
        MESSAGE("no-key-lost: " << keys << " keys over " << reopens << " devices and " << generations
                                << " poller generations");
        child.finish();
    }

    TEST_CASE("hang-up: closing the master ends every receiver with eof, the thread exits, the child ends")
    {
        PtyChild child("hang-up", [](Reporter& report) {
            std::signal(SIGHUP, SIG_IGN);
            auto dev = InputDevice::open();
            Receiver sub1 = dev.subscribe();
            Receiver sub2 = dev.subscribe();
            report.line("ready");
            std::pair<const char*, Receiver*> receivers[] = {{"dev", &dev.events()}, {"sub1", &sub1}, {"sub2", &sub2}};
            for (auto [tag, r] : receivers) {
                while (true) {
                    Event e = pty::next_event(*r, tag);
                    report.event(tag, e);
                    if (std::holds_alternative<EofEvent>(e)) {
                        break;
                    }
                }
            }
            require(idle(), "the poller thread did not exit after the hang-up");
            report.status();
        });
        child.expect("ready");
        child.type("h");
        // Hang up only once the child has read the key: on hang-up the kernel discards terminal
        // input nobody has read yet (n_tty's buffer is flushed), as with any real terminal.
        child.expect_event(typed(U'h'), "dev");
        child.hangup();
        child.expect_event(EofEvent{}, "dev");
        for (const char* tag : {"sub1", "sub2"}) {
            child.expect_event(typed(U'h'), tag);
            child.expect_event(EofEvent{}, tag);
        }
        auto s = expect_status(child);
        CHECK_FALSE(s.running);
        child.finish();  // exit status 0: SIGHUP did not kill it, and it ended on its own
    }

    TEST_CASE("hang-up: after eof receive() ends the stream instead of blocking forever")
    {
        // The README's loop, `while (auto event = dev.receive())`, in a program that ignores
        // SIGHUP (to save its state when the terminal goes away): after the EofEvent, receive()
        // must return nullopt (channel.hpp: "nullopt once the sender has closed and every event was
        // received"), not block for ever on a stream that can have no more input.
        PtyChild child("hang-up-ends-stream", [](Reporter& report) {
            std::signal(SIGHUP, SIG_IGN);
            auto dev = InputDevice::open();
            Receiver sub = dev.subscribe();
            report.line("ready");
            std::pair<const char*, Receiver*> receivers[] = {{"dev", &dev.events()}, {"sub1", &sub}};
            for (auto [tag, r] : receivers) {
                while (auto e = r->receive_for(pty::k_child_timeout)) {
                    report.event(tag, *e);
                }
                // receive_for returned nullopt: either the stream ended, or it timed out, which
                // is what receive() would do for ever.
                require(r->closed(), std::string(tag) + ": no end of stream after eof; receive() would block for ever");
                report.line(std::string("closed ") + tag);
            }
        });
        child.expect("ready");
        child.hangup();
        for (const char* tag : {"dev", "sub1"}) {
            child.expect_event(EofEvent{}, tag);
            child.expect(std::string("closed ") + tag);
        }
        child.finish();
    }

    TEST_CASE("stdin is a pipe: the default open reads /dev/tty and leaves stdin's flags alone")
    {
        PtyChild child("stdin-pipe", [](Reporter& report) {
            int p[2];
            require(::pipe(p) == 0, "pipe");
            require(::write(p[1], "piped", 5) == 5, "write to the pipe");
            ::close(p[1]);
            require(::dup2(p[0], STDIN_FILENO) == STDIN_FILENO, "dup2");
            ::close(p[0]);
            require(!::isatty(STDIN_FILENO), "stdin is still a terminal");
            int before = ::fcntl(STDIN_FILENO, F_GETFL);
            {
                auto dev = InputDevice::open();  // default: stdin is no terminal, so /dev/tty
                report.line("flags " + std::to_string(::fcntl(STDIN_FILENO, F_GETFL) == before));
                report.line("ready");
                for (int i = 0; i < 3; ++i) {
                    report.event("dev", pty::next_event(dev.events(), "the device"));
                }
            }
            require(idle(), "the poller did not exit");
            int after = ::fcntl(STDIN_FILENO, F_GETFL);
            report.line("flags " + std::to_string(after == before) + " nonblock " +
                        std::to_string((after & O_NONBLOCK) != 0));
            char buf[16] = {};
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            report.line("stdin " + std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0));
        });
        child.expect("flags 1");
        child.expect("ready");
        child.type("hi\x1b[B");
        child.expect_event(typed(U'h'));
        child.expect_event(typed(U'i'));
        KeyEvent down;
        down.key = Key::down;
        child.expect_event(down);
        child.expect("flags 1 nonblock 0");
        child.expect("stdin piped");  // the device did not read from stdin
        child.finish();
    }

    constexpr int k_poll_rounds = 20;

    TEST_CASE("pollable receiver: poll() on a receiver's fd wakes for each typed key")
    {
        PtyChild child("pollable", [](Reporter& report) {
            auto dev = InputDevice::open();
            Receiver sub = dev.subscribe();
            int fds[] = {dev.events().fd(), sub.fd()};  // throws (failing the child) on error
            auto readable = [&](int timeout_ms) {
                pollfd p[] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
                int n = ::poll(p, 2, timeout_ms);
                require(n >= 0, std::string("poll: ") + std::strerror(errno));
                return std::pair<bool, bool>{(p[0].revents & POLLIN) != 0, (p[1].revents & POLLIN) != 0};
            };
            for (int i = 0; i < k_poll_rounds; ++i) {
                require(readable(0) == std::pair{false, false}, "an fd is readable with nothing pending");
                report.line("waiting " + std::to_string(i));
                // The parent types only now. Wait until both fds are readable (one may wake first).
                auto deadline = std::chrono::steady_clock::now() + pty::k_child_timeout;
                auto ready = readable(static_cast<int>(std::chrono::milliseconds(pty::k_child_timeout).count()));
                while (!(ready.first && ready.second)) {
                    auto left =
                        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
                    require(left.count() > 0, "poll on the receivers' fds did not wake for key " + std::to_string(i));
                    auto more = readable(static_cast<int>(left.count()));
                    ready = {ready.first || more.first, ready.second || more.second};
                }
                auto a = dev.try_receive();
                auto b = sub.try_receive();
                require(a && b, "an fd was readable but try_receive found nothing");
                report.event("dev", *a);
                report.event("sub1", *b);
            }
            require(readable(0) == std::pair{false, false}, "an fd is readable after everything was received");
        });
        for (int i = 0; i < k_poll_rounds; ++i) {
            child.expect("waiting " + std::to_string(i));
            char c = stream_char(static_cast<std::size_t>(i) * 7);
            child.type(std::string(1, c));
            child.expect_event(typed(static_cast<char32_t>(c)), "dev");
            child.expect_event(typed(static_cast<char32_t>(c)), "sub1");
        }
        child.finish();
    }

    TEST_CASE("size(): the terminal's size at open and after a resize, without waiting for a signal")
    {
        PtyChild child("size", {.size = {100, 30}}, [](Reporter& report) {
            auto dev = InputDevice::open();
            auto size = dev.size();
            require(size.has_value(), "no size for a terminal");
            report.event("size", *size);
            report.line("ready");
            report.event("dev", pty::next_event(dev.events(), "the resize"));
            size = dev.size();
            require(size.has_value(), "no size for a terminal");
            report.event("size", *size);
        });
        child.expect_event(ResizeEvent{100, 30, 0, 0}, "size");
        child.expect("ready");
        child.resize(120, 40, 960, 640);
        child.expect_event(ResizeEvent{120, 40, 960, 640}, "dev");
        child.expect_event(ResizeEvent{120, 40, 960, 640}, "size");
        child.finish();
    }

    TEST_CASE("open() with 0 to 15 free fds in a terminal: an error with the terminal as it was, or a device on a raw "
              "terminal; nothing left behind")
    {
        if (__ubsan_handle_dynamic_type_cache_miss != nullptr) {
            MESSAGE("skipped under UBSan: its vptr check needs free fds of its own");
            return;
        }
        PtyChild child("few-fds", {.cooked = true}, [](Reporter& report) {
            termios initial{};
            require(::tcgetattr(STDIN_FILENO, &initial) == 0, "tcgetattr");
            {
                auto dev = InputDevice::open();  // once-per-process state first (libuv's signal pipe)
            }
            require(idle(), "the poller did not exit");
            const auto fds = vtinput::test::fd_count();
            const auto threads = pty::thread_count();
            rlimit old{};
            require(::getrlimit(RLIMIT_NOFILE, &old) == 0, "getrlimit");
            for (int k = 0; k <= 15; ++k) {
                // Exactly k free fds: every free number below 256 filled, then k of them freed.
                rlimit tight = old;
                tight.rlim_cur = 256;
                require(::setrlimit(RLIMIT_NOFILE, &tight) == 0, "setrlimit");
                std::vector<int> fillers;
                for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) {
                    fillers.push_back(fd);
                }
                require(fillers.size() >= static_cast<std::size_t>(k), "too few fds to free");
                for (int i = 0; i < k; ++i) {
                    ::close(fillers.back());
                    fillers.pop_back();
                }
                // The fds and the limit go back before anything looks at the outcome: the
                // sanitizers' checks need fds of their own.
                auto give_back = [&] {
                    for (int fd : fillers) {
                        ::close(fd);
                    }
                    fillers.clear();
                    require(::setrlimit(RLIMIT_NOFILE, &old) == 0, "setrlimit");
                };
                std::string outcome;
                try {
                    auto dev = InputDevice::open();
                    give_back();
                    termios now{};
                    ::tcgetattr(STDIN_FILENO, &now);
                    outcome = pty::is_raw(now) ? "opened raw" : "opened on a cooked terminal";
                } catch (const std::system_error& e) {
                    give_back();
                    termios now{};
                    ::tcgetattr(STDIN_FILENO, &now);
                    std::string diff = pty::termios_diff(initial, now);
                    outcome = diff.empty() ? std::string("refused, terminal as it was: ") + e.what()
                                           : "refused, terminal changed: " + diff;
                }
                require(idle(), "the poller did not exit");
                report.line(std::to_string(k) + " " + outcome);
                report.line("left fds " + std::to_string(vtinput::test::fd_count() - fds) + " threads " +
                            std::to_string(pty::settled_thread_count(threads) - threads));
            }
        });
        int opened = 0;
        for (int k = 0; k <= 15; ++k) {
            std::string line = child.next_line();
            INFO(line);
            bool refused = line.starts_with(std::to_string(k) + " refused, terminal as it was: vtinput: ");
            bool ok = line == std::to_string(k) + " opened raw";
            CHECK((refused || ok));
            opened += ok;
            child.expect("left fds 0 threads 0");
        }
        CHECK(opened >= 1);
        child.expect_initial_termios("at the end");
        child.finish();
    }

}  // TEST_SUITE
