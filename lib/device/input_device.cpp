// InputDevice: the public face of the lifecycle. The device is one receiver plus the claim on
// the process's single device slot; everything else lives in the lifecycle singleton.
#include "vtinput/input_device.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "device/lifecycle.hpp"

namespace vtinput {

using detail::Lifecycle;

namespace {

// The terminal whose modes the device manages, writable; -1 if the input is not a terminal.
// Sets `owned` when the fd was opened here.
int terminal_fd(const DeviceOptions& o, bool& owned)
{
    owned = false;
    if (o.fd >= 0) {
        return ::isatty(o.fd) ? o.fd : -1;
    }
    const char* path = ::isatty(STDIN_FILENO) ? ::ttyname(STDIN_FILENO) : "/dev/tty";
    int fd = ::open(path ? path : "/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    owned = true;
    return fd;
}

}  // namespace

InputDevice InputDevice::open(DeviceOptions options)
{
    if (options.terminal && options.terminal->mouse_pixels) {
        options.decoder.mouse_pixels = true;
    }
    Receiver r = Lifecycle::instance().subscribe(options, /*claim_device=*/true);
    InputDevice dev(std::move(r), std::move(options));
    if (dev.options_.terminal) {
        bool owned = false;
        int fd = terminal_fd(dev.options_, owned);
        if (fd >= 0) {
            dev.tty_fd_ = owned ? fd : -1;
            // Throws (and `dev` closes itself) if the modes cannot be set.
            dev.guard_ = std::make_unique<TerminalGuard>(fd, *dev.options_.terminal);
        }
    }
    return dev;
}

InputDevice::InputDevice(Receiver receiver, DeviceOptions options)
    : receiver_(std::move(receiver)), options_(std::move(options)), open_(true)
{
}

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
        throw std::system_error(std::make_error_code(std::errc::bad_file_descriptor),
                                "vtinput::InputDevice::query_capabilities: the device is closed");
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
