// The decoder's test seam (internal): its inline fast paths can be switched off.
//
// The commonest units (text, short CSI and SS3 keys, SGR mouse, Alt+key) are decoded inline by
// fast paths that must decide exactly what the general parsers decide. Tests and the fuzz
// target decode the same bytes with the fast paths on and off and require identical events.
// The switch is read once per call into the decoder, never per byte, so it costs nothing on
// the hot path.
#pragma once

#include "vtinput/decoder.hpp"

namespace vtinput::detail {

// On by default. Thread: the decoder's owner.
void set_fast_paths(Decoder& decoder, bool on);

}  // namespace vtinput::detail
