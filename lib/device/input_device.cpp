// InputDevice: the public face of the lifecycle. The device is one receiver plus the claim on
// the process's single device slot and, when it manages the terminal's modes, the guard and
// the fd the guard writes to; everything else lives in the lifecycle singleton. Which terminal
// that is follows the one rule of source.hpp, like the reading side. An InputDevice is used by
// one thread at a time (its owner); subscribe() and status() may be called from any.
#include "vtinput/input_device.hpp"

#include <system_error>

#include <unistd.h>

#include "device/lifecycle.hpp"
#include "device/source.hpp"
#include "support/error.hpp"

namespace vtinput {

using detail::Lifecycle;

InputDevice InputDevice::open(DeviceOptions options)
{
    if (options.terminal && options.terminal->mouse_pixels) {
        options.decoder.mouse_pixels = true;
    }
    Receiver r = Lifecycle::instance().subscribe(options, /*claim_device=*/true);
    InputDevice dev(std::move(r), std::move(options));
    if (dev.options_.terminal) {
        detail::ModesFd tty = detail::open_for_modes(dev.options_);
        if (tty.fd >= 0) {
            // Throws (and `dev` closes itself, `tty` with it) if the modes cannot be set.
            dev.guard_ = std::make_unique<TerminalGuard>(tty.fd, *dev.options_.terminal);
            dev.tty_fd_ = tty.owned.release();
        }
    }
    return dev;
}

InputDevice::InputDevice(Receiver receiver, DeviceOptions options)
    : receiver_(std::move(receiver)), options_(std::move(options)), open_(true)
{}

InputDevice::InputDevice(InputDevice&& other) noexcept
    : receiver_(std::move(other.receiver_)),
      options_(std::move(other.options_)),
      guard_(std::move(other.guard_)),
      capabilities_(std::move(other.capabilities_)),
      tty_fd_(other.tty_fd_),
      open_(other.open_)
{
    other.open_ = false;
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
        tty_fd_ = other.tty_fd_;
        open_ = other.open_;
        other.open_ = false;
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
    guard_.reset();  // the terminal comes back first
    if (tty_fd_ >= 0) {
        ::close(tty_fd_);
        tty_fd_ = -1;
    }
    receiver_ = Receiver();  // unsubscribes; the poller exits if it was the last receiver
    Lifecycle::instance().release_device();
}

Receiver InputDevice::subscribe() { return Lifecycle::instance().subscribe(options_, /*claim_device=*/false); }

const Capabilities& InputDevice::query_capabilities(std::chrono::milliseconds timeout)
{
    if (!open_) {
        detail::throw_error(std::errc::bad_file_descriptor, "query_capabilities: the device is closed");
    }
    if (!guard_ || !guard_->modes().raw) {
        // Without raw mode the replies would wait for Enter in the line discipline (and be
        // echoed); without a terminal there is nobody to ask.
        capabilities_ = Capabilities{};
        capabilities_.status = Capabilities::Status::unavailable;
        return capabilities_;
    }
    capabilities_ = Lifecycle::instance().query_capabilities(guard_->fd(), timeout);
    return capabilities_;
}

DeviceStatus InputDevice::status() { return Lifecycle::instance().status(); }

}  // namespace vtinput
