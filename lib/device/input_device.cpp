// InputDevice: the public face of the lifecycle. The device is one receiver plus the claim on
// the process's single device slot and, when it manages the terminal's modes, the guard and
// the fd the guard writes to; everything else lives in the lifecycle singleton. Which terminal
// that is follows the one rule of source.hpp, like the reading side. An InputDevice is used by
// one thread at a time (its owner); subscribe(), size() and status() may be called from any.
//
// Releasing the terminal orders two things: the lifecycle stops the reading first (suspend
// returns only once the poller has answered), then the guard puts the modes back; taking it
// back is the mirror image, modes first, then reading. Keypad-transmit mode, unless the
// application chose, follows the key table the poller decodes with (the lifecycle says which). A device inherited through fork() is
// the parent's: in the child, close() hands its receiver and guard to the lifecycle to keep,
// untouched, and the calls that would act on the terminal throw.
#include "vtinput/input_device.hpp"

#include <cstdlib>
#include <new>
#include <string>
#include <system_error>

#include <unistd.h>

#include "device/lifecycle.hpp"
#include "device/source.hpp"
#include "support/error.hpp"

namespace vtinput {

using detail::Lifecycle;

namespace {

// ESCDELAY in milliseconds (0..10000), as ncurses reads it; nullopt when unset or not such a number.
std::optional<std::chrono::milliseconds> escdelay()
{
    const char* v = std::getenv("ESCDELAY");
    if (v == nullptr || *v == '\0') {
        return std::nullopt;
    }
    char* end = nullptr;
    long ms = std::strtol(v, &end, 10);
    if (*end != '\0' || ms < 0 || ms > 10000) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(ms);
}

// What Keyboard::as_set puts in effect: kitty flags if any (the decoder reads both, and a
// terminal that speaks kitty honours it over modifyOtherKeys), else modifyOtherKeys.
KeyboardProtocol choose_as_set(const TerminalModes& m, bool applied)
{
    KeyboardProtocol p;
    if (!applied) {
        return p;
    }
    if (m.kitty_flags != 0) {
        p.kind = KeyboardProtocol::Kind::kitty;
        p.kitty_flags = m.kitty_flags;
    } else if (m.modify_other_keys != 0) {
        p.kind = KeyboardProtocol::Kind::modify_other_keys;
        p.modify_other_keys = m.modify_other_keys;
    }
    return p;
}

}  // namespace

InputDevice InputDevice::open(DeviceOptions options)
{
    try {
        if (options.esc_timeout != DeviceOptions::EscTimeout::fixed) {
            if (auto env = escdelay()) {
                options.decoder.esc_timeout = *env;
                options.esc_timeout = DeviceOptions::EscTimeout::fixed;  // the user's word is final
            }
        }
        if (options.terminal && options.terminal->mouse_pixels) {
            options.decoder.mouse_pixels = true;
        }
        KeypadTransmit keypad;
        Receiver r = Lifecycle::instance().subscribe(options, /*claim_device=*/true, &keypad);
        if (options.terminal && !options.terminal->keypad_transmit) {
            // The terminal is put in the mode its key table describes.
            options.terminal->keypad_transmit = std::move(keypad);
        }
        InputDevice dev(std::move(r), std::move(options));
        if (dev.options_.terminal) {
            detail::ModesFd tty = detail::open_for_modes(dev.options_);
            if (tty.fd >= 0) {
                // Throws (and `dev` closes itself, `tty` with it) if the modes cannot be set.
                dev.guard_ = std::make_unique<TerminalGuard>(tty.fd, *dev.options_.terminal);
                dev.tty_fd_ = tty.owned.release();
            }
            if (dev.options_.terminal->keyboard == Keyboard::automatic) {
                dev.negotiate_keyboard();
            } else {
                dev.keyboard_ = choose_as_set(*dev.options_.terminal, dev.guard_ != nullptr);
            }
        }
        return dev;
    } catch (const std::bad_alloc&) {
        detail::throw_error(std::errc::not_enough_memory, "out of memory while opening the input device");
    }
}

InputDevice::InputDevice(Receiver receiver, DeviceOptions options)
    : receiver_(std::move(receiver)), options_(std::move(options)), pid_(::getpid()), open_(true)
{}

InputDevice::InputDevice(InputDevice&& other) noexcept
    : receiver_(std::move(other.receiver_)),
      options_(std::move(other.options_)),
      guard_(std::move(other.guard_)),
      capabilities_(std::move(other.capabilities_)),
      keyboard_(other.keyboard_),
      tty_fd_(other.tty_fd_),
      pid_(other.pid_),
      open_(other.open_),
      suspended_(other.suspended_)
{
    other.open_ = false;
    other.suspended_ = false;
    other.tty_fd_ = -1;
}

InputDevice& InputDevice::operator=(InputDevice&& other) noexcept
{
    if (this != &other) {
        close();
        receiver_ = std::move(other.receiver_);
        options_ = std::move(other.options_);
        guard_ = std::move(other.guard_);
        capabilities_ = std::move(other.capabilities_);
        keyboard_ = other.keyboard_;
        tty_fd_ = other.tty_fd_;
        pid_ = other.pid_;
        open_ = other.open_;
        suspended_ = other.suspended_;
        other.open_ = false;
        other.suspended_ = false;
        other.tty_fd_ = -1;
    }
    return *this;
}

InputDevice::~InputDevice() { close(); }

void InputDevice::close() noexcept
{
    if (!open_) {
        return;
    }
    open_ = false;
    if (pid_ != ::getpid()) {
        // Inherited through fork(): the terminal, the poller and the channel are the parent's.
        Lifecycle::instance().keep_inherited(std::move(receiver_), std::move(guard_));
        if (tty_fd_ >= 0) {
            ::close(tty_fd_);  // our copy of it
            tty_fd_ = -1;
        }
        return;
    }
    guard_.reset();  // the terminal comes back first (a suspended guard has nothing to undo)
    if (tty_fd_ >= 0) {
        ::close(tty_fd_);
        tty_fd_ = -1;
    }
    if (suspended_) {
        suspended_ = false;
        Lifecycle::instance().resume(/*announce_size=*/false);  // other receivers are read for again
    }
    receiver_ = Receiver();  // unsubscribes; the poller exits if it was the last receiver
    Lifecycle::instance().release_device();
}

void InputDevice::check_usable(const char* what) const
{
    if (!open_) {
        detail::throw_error(std::errc::bad_file_descriptor, std::string(what) + ": the device is closed");
    }
    if (pid_ != ::getpid()) {
        detail::throw_error(std::errc::operation_not_supported,
                            std::string(what) + ": the device belongs to the process that opened it (fork)");
    }
}

Receiver InputDevice::subscribe()
{
    try {
        return Lifecycle::instance().subscribe(options_, /*claim_device=*/false);
    } catch (const std::bad_alloc&) {
        detail::throw_error(std::errc::not_enough_memory, "out of memory while subscribing to the input device");
    }
}

InlineSubscription InputDevice::subscribe_inline(std::function<void(std::span<const Event>)> handler)
{
    check_usable("subscribe_inline");
    if (!handler) {
        detail::throw_error(std::errc::invalid_argument, "subscribe_inline: no handler given");
    }
    Lifecycle::instance().refuse_on_input_thread("subscribe_inline");
    return subscribe_inline(subscribe(), std::move(handler));
}

InlineSubscription InputDevice::subscribe_inline(Receiver receiver, std::function<void(std::span<const Event>)> handler)
{
    check_usable("subscribe_inline");
    if (!handler) {
        detail::throw_error(std::errc::invalid_argument, "subscribe_inline: no handler given");
    }
    Lifecycle& lifecycle = Lifecycle::instance();
    lifecycle.refuse_on_input_thread("subscribe_inline");
    if (!lifecycle.owns(receiver)) {
        detail::throw_error(std::errc::invalid_argument, "subscribe_inline: the receiver is not one of this device's");
    }
    try {
        return InlineSubscription(lifecycle.add_inline(std::move(receiver), std::move(handler)), pid_);
    } catch (const std::bad_alloc&) {
        detail::throw_error(std::errc::not_enough_memory, "out of memory while subscribing inline");
    }
}

std::optional<ResizeEvent> InputDevice::size() const
{
    return guard_ ? detail::window_size(guard_->fd()) : detail::terminal_size(options_);
}

void InputDevice::suspend()
{
    check_usable("suspend");
    if (suspended_) {
        return;
    }
    Lifecycle::instance().suspend();  // returns once nothing reads the terminal
    if (guard_) {
        guard_->suspend();
    }
    suspended_ = true;
}

void InputDevice::resume()
{
    check_usable("resume");
    if (!suspended_) {
        return;
    }
    if (guard_) {
        guard_->resume();  // throws if the modes cannot be set: still suspended
    }
    suspended_ = false;
    Lifecycle::instance().resume(/*announce_size=*/true);
}

const Capabilities& InputDevice::query_capabilities(std::chrono::milliseconds timeout)
{
    check_usable("query_capabilities");
    if (!guard_ || !guard_->modes().raw || suspended_) {
        // Without raw mode the replies would wait for Enter in the line discipline (and be
        // echoed); without a terminal there is nobody to ask; released, nobody reads them.
        capabilities_ = Capabilities{};
        capabilities_.status = Capabilities::Status::unavailable;
        return capabilities_;
    }
    capabilities_ = Lifecycle::instance().query_capabilities(guard_->fd(), term_name(), timeout);
    // The first round's round trip is what counts: a second round the terminal left silent
    // does not make the first one's measure wrong.
    if (options_.esc_timeout == DeviceOptions::EscTimeout::adaptive && capabilities_.round_trip.count() > 0) {
        options_.decoder.esc_timeout = adaptive_esc_timeout(capabilities_.round_trip);
        Lifecycle::instance().set_esc_timeout(options_.decoder.esc_timeout);
    }
    return capabilities_;
}

std::chrono::milliseconds InputDevice::esc_timeout() const { return options_.decoder.esc_timeout; }

// The terminal is under the guard, in legacy keys (the guard leaves an automatic keyboard
// alone). The probe decides; the guard then sets the protocol, so that every restore path
// undoes it; for kitty, the terminal is asked which flags it granted.
void InputDevice::negotiate_keyboard()
{
    if (!guard_ || !guard_->modes().raw) {
        return;  // nobody to ask: legacy keys
    }
    const TerminalModes& wanted = *options_.terminal;
    const KeyboardProtocol choice =
        choose_keyboard(query_capabilities(options_.probe_timeout), wanted.kitty_flags, wanted.modify_other_keys);
    if (choice.kind == KeyboardProtocol::Kind::legacy) {
        return;
    }
    guard_->set_keyboard(choice.kitty_flags, choice.modify_other_keys);
    keyboard_ = choice;
    if (choice.kind == KeyboardProtocol::Kind::kitty) {
        if (auto granted = query_kitty_flags(options_.probe_timeout)) {
            keyboard_.kitty_flags = *granted;
        }
    }
}

std::string InputDevice::term_name() const
{
    if (!options_.term.empty()) {
        return options_.term;
    }
    const char* term = std::getenv("TERM");
    return term != nullptr ? term : "";
}

int InputDevice::query_fd(const char* what) const
{
    check_usable(what);
    if (!guard_ || !guard_->modes().raw || suspended_) {
        detail::throw_error(std::errc::operation_not_supported,
                            std::string(what) +
                                ": the input is not a terminal in raw mode under this device, or it is released");
    }
    return guard_->fd();
}

std::optional<Event> InputDevice::query(const TerminalQuery& q)
{
    int fd = query_fd("query");
    if (!q.is_reply) {
        detail::throw_error(std::errc::invalid_argument, "query: no is_reply given");
    }
    return Lifecycle::instance().query(fd, q.request, q.is_reply, q.sentinel, q.timeout);
}

namespace {

template <class T>
std::optional<T> as(const std::optional<Event>& e)
{
    if (e) {
        if (const T* t = std::get_if<T>(&*e)) {
            return *t;
        }
    }
    return std::nullopt;
}

// The time left until `deadline`, in whole milliseconds (rounded down: never past it).
std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline)
{
    return std::chrono::floor<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
}

// `CSI 1 ; m R`, which the decoder reads as F3 with modifiers unless it expected a report:
// the position it stands for (row 1, column m: the modifier bits plus one).
std::optional<CursorPositionEvent> f3_as_position(const Event& e)
{
    const auto* k = std::get_if<KeyEvent>(&e);
    if (k == nullptr || k->key != function_key(3) || k->mods.empty() || k->kind != KeyKind::press) {
        return std::nullopt;
    }
    return CursorPositionEvent{1, static_cast<int>(k->mods.bits()) + 1};
}

}  // namespace

std::optional<CursorPositionEvent> InputDevice::cursor_position(std::chrono::milliseconds timeout)
{
    auto is_position = [](const Event& e) { return std::holds_alternative<CursorPositionEvent>(e); };
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (auto p = as<CursorPositionEvent>(query({"\x1b[?6n", is_position, timeout, true}))) {
        return p;
    }
    // Only a terminal that answered the sentinel first (it does not know DECXCPR) gets the
    // plain CPR, in the time left: a silent one has had its timeout.
    auto left = remaining(deadline);
    if (left <= std::chrono::milliseconds(0)) {
        return std::nullopt;
    }
    auto e = query({"\x1b[6n", [&](const Event& x) { return is_position(x) || f3_as_position(x); }, left, true});
    if (!e) {
        return std::nullopt;
    }
    return is_position(*e) ? std::get<CursorPositionEvent>(*e) : f3_as_position(*e);
}

std::optional<Rgb> InputDevice::query_color(TerminalColor which, std::chrono::milliseconds timeout)
{
    const int osc = static_cast<int>(which);
    auto e = query({"\x1b]" + std::to_string(osc) + ";?\x1b\\",
                    [osc](const Event& x) {
                        const auto* r = std::get_if<ReportEvent>(&x);
                        auto c = r ? color_reply(*r) : std::nullopt;
                        return c && c->osc == osc;
                    },
                    timeout, true});
    return e ? std::optional<Rgb>(color_reply(std::get<ReportEvent>(*e))->color) : std::nullopt;
}

std::optional<Rgb> InputDevice::query_palette(int index, std::chrono::milliseconds timeout)
{
    if (index < 0 || index > 255) {
        detail::throw_error(std::errc::invalid_argument, "query_palette: the index is 0..255");
    }
    auto e = query({"\x1b]4;" + std::to_string(index) + ";?\x1b\\",
                    [index](const Event& x) {
                        const auto* r = std::get_if<ReportEvent>(&x);
                        auto c = r ? color_reply(*r) : std::nullopt;
                        return c && c->osc == 4 && c->index == index;
                    },
                    timeout, true});
    return e ? std::optional<Rgb>(color_reply(std::get<ReportEvent>(*e))->color) : std::nullopt;
}

ModeSupport InputDevice::query_mode(int mode, std::chrono::milliseconds timeout)
{
    auto e = query({"\x1b[?" + std::to_string(mode) + "$p",
                    [mode](const Event& x) {
                        const auto* r = std::get_if<ReportEvent>(&x);
                        return r && r->what == ReportKind::decrpm && r->private_mode && r->params.size() == 2 &&
                               r->params[0] == mode;
                    },
                    timeout, true});
    if (!e) {
        return ModeSupport::unknown;
    }
    int v = std::get<ReportEvent>(*e).params[1];
    return v >= 0 && v <= 4 ? static_cast<ModeSupport>(v + 1) : ModeSupport::not_recognized;
}

std::optional<TermcapReply> InputDevice::query_termcap(const std::vector<std::string>& names,
                                                       std::chrono::milliseconds timeout)
{
    // xterm answers all the names in one reply (0 + r at the first unknown one); kitty and
    // foot one reply per name: ask for each on its own so that either way one reply answers,
    // the one that names it (a late reply to another query must not), all within `timeout`.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    TermcapReply all;
    all.valid = true;
    bool any = false;
    for (const std::string& name : names) {
        auto left = &name == &names.front() ? timeout : remaining(deadline);
        if (left <= std::chrono::milliseconds(0)) {
            break;
        }
        auto e = query({termcap_query({name}),
                        [&name](const Event& x) {
                            const auto* r = std::get_if<ReportEvent>(&x);
                            auto reply = r ? termcap_reply(*r) : std::nullopt;
                            return reply && !reply->entries.empty() && reply->entries.front().first == name;
                        },
                        left, true});
        if (!e) {
            continue;
        }
        any = true;
        auto reply = *termcap_reply(std::get<ReportEvent>(*e));
        if (!reply.valid) {
            all.valid = false;
            continue;
        }
        all.entries.insert(all.entries.end(), reply.entries.begin(), reply.entries.end());
    }
    return any ? std::optional<TermcapReply>(std::move(all)) : std::nullopt;
}

std::optional<PixelSize> InputDevice::query_cell_pixels(std::chrono::milliseconds timeout)
{
    auto e = query({"\x1b[16t",
                    [](const Event& x) {
                        const auto* r = std::get_if<ReportEvent>(&x);
                        return r && cell_pixels_reply(*r).has_value();
                    },
                    timeout, true});
    return e ? cell_pixels_reply(std::get<ReportEvent>(*e)) : std::nullopt;
}

std::optional<PixelSize> InputDevice::query_window_pixels(std::chrono::milliseconds timeout)
{
    auto e = query({"\x1b[14t",
                    [](const Event& x) {
                        const auto* r = std::get_if<ReportEvent>(&x);
                        return r && window_pixels_reply(*r).has_value();
                    },
                    timeout, true});
    return e ? window_pixels_reply(std::get<ReportEvent>(*e)) : std::nullopt;
}

DeviceStatus InputDevice::status() { return Lifecycle::instance().status(); }

std::optional<unsigned> InputDevice::query_kitty_flags(std::chrono::milliseconds timeout)
{
    auto is_flags = [](const Event& x) {
        const auto* r = std::get_if<ReportEvent>(&x);
        return r != nullptr && r->what == ReportKind::kitty_flags;
    };
    auto e = query({"\x1b[?u", is_flags, timeout, true});
    if (!e) {
        return std::nullopt;
    }
    const auto& params = std::get<ReportEvent>(*e).params;
    return params.empty() || params[0] < 0 ? 0u : static_cast<unsigned>(params[0]);
}

}  // namespace vtinput
