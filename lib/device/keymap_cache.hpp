// The key table of the last poller generation, kept for the next one (internal).
//
// Loading a terminfo entry reads the database; a device re-opened in a loop would do that on
// every slow-path open. The cache keeps the table while DeviceOptions::term stays the same, and
// remembers why the built-in grammar serves alone when the entry cannot be loaded. It also
// says which keypad-transmit bytes go with the table (TerminalModes::keypad_transmit): the
// entry's smkx/rmkx, unless the entry's name was the fallback guess (no term configured, $TERM
// unset or empty), which is good enough to decode with but no terminal to write to.
//
// Not thread-safe: the lifecycle owns the cache and uses it only under its lock.
#pragma once

#include <memory>
#include <string>

#include "vtinput/keymap.hpp"
#include "vtinput/terminal.hpp"

namespace vtinput::detail {

class KeyMapCache {
public:
    // The table for `configured` (DeviceOptions::term; empty: $TERM, see KeyMap::term_name),
    // loaded unless the last call asked for the same. Never throws for a missing entry: the
    // table is then empty and diagnostic() says why. Blocking: may read the database.
    std::shared_ptr<const KeyMap> get(const std::string& configured);

    // Why the last table is the built-in grammar alone; empty when its entry loaded.
    const std::string& diagnostic() const { return diagnostic_; }

    // The keypad-transmit bytes of the last table (see the top of this file); none before the
    // first get().
    const KeypadTransmit& keypad_transmit() const { return keypad_; }

private:
    std::shared_ptr<const KeyMap> keymap_;
    std::string configured_;  // what keymap_ was loaded for
    std::string diagnostic_;
    KeypadTransmit keypad_;
};

}  // namespace vtinput::detail
