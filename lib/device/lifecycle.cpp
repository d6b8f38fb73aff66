// The lifecycle: generations of the poller thread, the device slot, and the one lock.
//
// Rules that keep the reuse race closed (see lifecycle.hpp for the state machine):
// - The poller's exit decision (decide_exit) and a subscriber's reuse decision (subscribe)
//   both happen under mutex_; the doorbell is rung only under mutex_ and only while the state
//   is `running`, so once a poller has decided to exit nobody touches its handles again.
// - A Receiver is never destroyed while mutex_ is held: its drop hook takes mutex_.
// - A new generation starts with the carry (bytes the last one read but had not decoded) and
//   the channel keeps the events nobody took, so nothing read is lost across generations.
// The singleton is never destroyed, so a poller still running at exit() never races with a
// static destructor.
#include "device/lifecycle.hpp"

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <system_error>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vtinput::detail {
namespace {

[[noreturn]] void throw_busy(const char* message)
{
    throw std::system_error(std::make_error_code(std::errc::device_or_resource_busy), message);
}

[[noreturn]] void throw_errno(int err, const std::string& message)
{
    throw std::system_error(err, std::generic_category(), message);
}

// Identity of what the options ask to read: device and inode of an explicit fd, or (0, 0)
// for "the controlling terminal".
std::pair<std::uint64_t, std::uint64_t> source_identity(const DeviceOptions& o)
{
    if (o.fd < 0) {
        return {0, 0};
    }
    struct stat st {};
    if (::fstat(o.fd, &st) != 0) {
        throw_errno(errno, "vtinput::InputDevice: fd " + std::to_string(o.fd) + " is not open");
    }
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

// Opens our own file description of the input, so that O_NONBLOCK (which libuv sets) never
// reaches the caller's. Returns the fd and, where re-opening is impossible, the flags to
// restore on the shared description.
std::pair<int, int> open_source(const DeviceOptions& o)
{
    constexpr int flags = O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK;
    if (o.fd < 0) {
        const char* path = ::isatty(STDIN_FILENO) ? ::ttyname(STDIN_FILENO) : nullptr;
        int fd = ::open(path ? path : "/dev/tty", flags);
        if (fd < 0) {
            throw_errno(errno, std::string("vtinput::InputDevice: cannot open the terminal (") +
                                   (path ? path : "/dev/tty") + ")");
        }
        return {fd, -1};
    }
    std::string proc = "/proc/self/fd/" + std::to_string(o.fd);
    int fd = ::open(proc.c_str(), flags);
    if (fd >= 0) {
        return {fd, -1};
    }
    // Sockets cannot be re-opened: share the description and put its flags back afterwards.
    int old_flags = ::fcntl(o.fd, F_GETFL);
    fd = ::fcntl(o.fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0 || old_flags < 0) {
        int err = errno;
        if (fd >= 0) {
            ::close(fd);
        }
        throw_errno(err, "vtinput::InputDevice: cannot use fd " + std::to_string(o.fd));
    }
    return {fd, old_flags};
}

}  // namespace

Lifecycle& Lifecycle::instance()
{
    static Lifecycle* instance = new Lifecycle();  // intentionally never destroyed
    return *instance;
}

Receiver Lifecycle::subscribe(const DeviceOptions& options, bool claim_device)
{
    std::unique_lock lock(mutex_);
    if (claim_device && device_open_) {
        throw_busy("vtinput::InputDevice::open: a device is already open in this process");
    }
    // A generation that has decided to exit is past reuse: wait for it to finish.
    changed_.wait(lock, [&] { return state_ != State::exiting; });
    auto identity = source_identity(options);
    if (state_ == State::running) {
        if (identity != std::pair{source_dev_, source_ino_}) {
            throw_busy("vtinput::InputDevice: the running poller reads another terminal");
        }
        Receiver r = sender_->subscribe();  // fast path
        device_open_ = device_open_ || claim_device;
        return r;
    }
    if (state_ == State::exited) {
        reap_locked(lock);
    }
    // Slow path: a new generation. The first one also arranges for the thread to be stopped
    // and joined at exit(): a poller left running (or still exiting after the last drop)
    // would otherwise race with libuv's exit-time teardown of its signal machinery.
    static std::once_flag at_exit;
    std::call_once(at_exit, [] {
        std::atexit([] {
            Lifecycle& l = Lifecycle::instance();
            if (l.spawn_pid_.load() == ::getpid()) {
                l.shutdown();
            }
        });
    });
    if (!keymap_ || keymap_term_ != options.term) {
        try {
            keymap_ = std::make_shared<const KeyMap>(KeyMap::from_terminfo(KeyMap::term_name(options.term)));
            terminfo_diagnostic_.clear();
        } catch (const std::system_error& e) {
            keymap_ = std::make_shared<const KeyMap>();
            terminfo_diagnostic_ = std::string(e.what()) + "; using the built-in grammar only";
        }
        keymap_term_ = options.term;
    }
    auto [fd, restore] = open_source(options);
    PollerConfig config{fd, options.decoder, keymap_, restore, options.raw_bytes};
    if (!sender_) {
        sender_ = std::make_unique<Sender>(options.channel);
        sender_->on_receiver_dropped([this](std::size_t remaining) { on_receiver_dropped(remaining); });
    }
    // Subscribe before the thread starts, so that it never sees a generation without
    // receivers and pauses for good.
    Receiver r = sender_->subscribe();
    auto poller = std::make_unique<Poller>(*this, std::move(config), carry_, generation_ + 1);
    try {
        poller->start();  // the Poller closes the fd if this throws
    } catch (...) {
        lock.unlock();  // `r` unsubscribes during unwinding, and its hook takes the lock
        throw;
    }
    carry_.clear();
    ++generation_;
    spawn_pid_.store(::getpid());
    poller_ = std::move(poller);
    state_ = State::running;
    source_dev_ = identity.first;
    source_ino_ = identity.second;
    device_open_ = device_open_ || claim_device;
    return r;
}

void Lifecycle::release_device()
{
    std::lock_guard lock(mutex_);
    device_open_ = false;
}

void Lifecycle::on_receiver_dropped(std::size_t remaining)
{
    std::lock_guard lock(mutex_);
    // Ring even if a subscriber has arrived since: the poller may have paused reading while
    // the count was zero, and the doorbell is what makes it look again.
    if (state_ == State::running && remaining == 0) {
        poller_->wake();
    }
}

bool Lifecycle::decide_exit(bool forced)
{
    std::lock_guard lock(mutex_);
    if (state_ != State::running) {
        return true;
    }
    if (forced || forced_stop_ || sender_->receiver_count() == 0) {
        state_ = State::exiting;
        input_ended_ = forced;
        return true;
    }
    return false;
}

void Lifecycle::take_replies(std::vector<Event>& batch)
{
    if (!capturing_.load(std::memory_order_acquire)) {
        return;
    }
    std::lock_guard lock(probe_mutex_);
    if (!probe_ || probe_->done()) {
        return;
    }
    // Stable removal of the replies; keys typed meanwhile keep their order. A RawEvent whose
    // bytes produced only replies goes too (it would announce events nobody receives).
    std::vector<Event> kept;
    kept.reserve(batch.size());
    bool in_raw_group = false, group_taken = false, group_kept = false;
    auto end_group = [&] {
        if (in_raw_group && group_taken && !group_kept) {
            kept.pop_back();  // the group's RawEvent: nothing was kept after it
        }
    };
    for (Event& e : batch) {
        if (std::holds_alternative<RawEvent>(e)) {
            end_group();
            in_raw_group = true;
            group_taken = group_kept = false;
            kept.push_back(std::move(e));
        } else if (probe_->offer(e)) {
            group_taken = true;
        } else {
            group_kept = true;
            kept.push_back(std::move(e));
        }
    }
    end_group();
    batch.swap(kept);
    if (probe_->done()) {
        probe_done_.notify_all();
    }
}

Capabilities Lifecycle::query_capabilities(int fd, std::chrono::milliseconds timeout)
{
    std::lock_guard serial(query_mutex_);
    {
        std::lock_guard lock(probe_mutex_);
        probe_.emplace();
    }
    capturing_.store(true, std::memory_order_release);
    auto start = std::chrono::steady_clock::now();
    auto deadline = start + timeout;
    std::string query = capability_query();
    std::string_view rest = query;
    int write_error = 0;
    while (!rest.empty()) {
        ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n > 0) {
            rest.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 10);  // a non-blocking terminal with a full output queue
        } else {
            write_error = n < 0 ? errno : EIO;
            break;
        }
    }
    std::unique_lock lock(probe_mutex_);
    if (write_error == 0) {
        probe_done_.wait_until(lock, deadline, [&] { return probe_->done(); });
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    Capabilities caps = probe_->result(elapsed);
    probe_.reset();
    capturing_.store(false, std::memory_order_release);
    lock.unlock();
    if (write_error != 0) {
        throw std::system_error(write_error, std::generic_category(),
                                "vtinput::InputDevice::query_capabilities: cannot write to the terminal");
    }
    return caps;
}

void Lifecycle::exited(std::string carry, bool loop_closed_cleanly)
{
    std::unique_ptr<Sender> ended;
    {
        std::lock_guard lock(mutex_);
        carry_ = std::move(carry);
        if (!loop_closed_cleanly) {
            ++unclean_loops_;
        }
        if (input_ended_) {
            // The input ended (EofEvent or ErrorEvent was the last event): its receivers drain
            // and then see the end of the stream. A later subscriber gets a new channel.
            ended = std::move(sender_);
            input_ended_ = false;
        }
        state_ = State::exited;
    }
    changed_.notify_all();
    if (ended) {
        ended->close();  // outside the lock: closing wakes receivers
    }
}

void Lifecycle::reap_locked(std::unique_lock<std::mutex>&)
{
    // The thread has called exited() and is returning; it no longer needs the lock.
    poller_->join();
    poller_.reset();
    state_ = State::none;
}

DeviceStatus Lifecycle::status()
{
    std::lock_guard lock(mutex_);
    DeviceStatus s;
    s.running = state_ == State::running;
    s.generation = generation_;
    s.receivers = sender_ ? sender_->receiver_count() : 0;  // receivers of an ended stream not counted
    s.device_open = device_open_;
    s.unclean_loops = unclean_loops_;
    s.terminfo_diagnostic = terminfo_diagnostic_;
    return s;
}

std::string Lifecycle::terminfo_diagnostic()
{
    std::lock_guard lock(mutex_);
    return terminfo_diagnostic_;
}

bool Lifecycle::wait_idle(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return state_ != State::running && state_ != State::exiting; })) {
        return false;
    }
    if (state_ == State::exited) {
        reap_locked(lock);
    }
    return true;
}

void Lifecycle::set_hooks(LifecycleHooks hooks)
{
    std::lock_guard lock(mutex_);
    hooks_active_ = hooks.before_exit_check || hooks.after_exit_decision || hooks.before_read;
    hooks_ = std::move(hooks);
}

LifecycleHooks Lifecycle::hooks()
{
    std::lock_guard lock(mutex_);
    return hooks_;
}

void Lifecycle::shutdown()
{
    std::unique_lock lock(mutex_);
    if (state_ == State::running) {
        forced_stop_ = true;
        poller_->wake();
    }
    changed_.wait(lock, [&] { return state_ != State::exiting && state_ != State::running; });
    if (state_ == State::exited) {
        reap_locked(lock);
    }
    forced_stop_ = false;
}

}  // namespace vtinput::detail
