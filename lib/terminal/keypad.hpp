// Which keypad-transmit bytes to write, from a key table (internal).
//
// One rule for the guard (which resolves TerminalModes::keypad_transmit from $TERM) and the
// input device (which takes them from the key table its decoder uses, so that the terminal is
// put in the mode that table describes): the entry's smkx and rmkx when it has both and each
// fits the guard's bound, else none. An over-long string is dropped, not refused: it comes from
// the terminal's database, and a device must not fail to open because of it.
#pragma once

#include "vtinput/keymap.hpp"
#include "vtinput/terminal.hpp"

namespace vtinput::detail {

inline KeypadTransmit keypad_transmit_of(const KeyMap& keymap)
{
    if (keymap.smkx().empty() || keymap.rmkx().empty() || keymap.smkx().size() > k_max_keypad_bytes ||
        keymap.rmkx().size() > k_max_keypad_bytes) {
        return {};
    }
    return {keymap.smkx(), keymap.rmkx()};
}

}  // namespace vtinput::detail
