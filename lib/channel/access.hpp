// The channel's door for the device (internal): what lib/device asks of a Sender beyond the
// public API.
#pragma once

namespace vtinput {
class Receiver;
class Sender;
}  // namespace vtinput

namespace vtinput::detail {

struct SenderAccess {
    // `receiver` is subscribed to `sender`'s channel.
    static bool owns(const Sender& sender, const Receiver& receiver);
};

}  // namespace vtinput::detail
