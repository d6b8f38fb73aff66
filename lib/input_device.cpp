// InputDevice: the public face of the lifecycle. The device is one receiver plus the claim on
// the process's single device slot; everything else lives in the lifecycle singleton.
#include "vtinput/input_device.hpp"

#include "lifecycle.hpp"

namespace vtinput {

using detail::Lifecycle;

InputDevice InputDevice::open(DeviceOptions options)
{
    Receiver r = Lifecycle::instance().subscribe(options, /*claim_device=*/true);
    return InputDevice(std::move(r), std::move(options));
}

InputDevice::InputDevice(Receiver receiver, DeviceOptions options)
    : receiver_(std::move(receiver)), options_(std::move(options)), open_(true)
{
}

InputDevice::InputDevice(InputDevice&& other) noexcept
    : receiver_(std::move(other.receiver_)), options_(std::move(other.options_)), open_(other.open_)
{
    other.open_ = false;
}

InputDevice& InputDevice::operator=(InputDevice&& other) noexcept
{
    if (this != &other) {
        close();
        receiver_ = std::move(other.receiver_);
        options_ = std::move(other.options_);
        open_ = other.open_;
        other.open_ = false;
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
    receiver_ = Receiver();  // unsubscribes; the poller exits if it was the last receiver
    Lifecycle::instance().release_device();
}

Receiver InputDevice::subscribe() { return Lifecycle::instance().subscribe(options_, /*claim_device=*/false); }

DeviceStatus InputDevice::status() { return Lifecycle::instance().status(); }

}  // namespace vtinput
