// The key-map cache (see keymap_cache.hpp). Its own file rather than part of source.cpp: the
// source functions are stateless and callable from any thread, while the cache is state the
// lifecycle owns and guards with its lock.
#include "device/keymap_cache.hpp"

#include <cstdlib>
#include <system_error>

#include "terminal/keypad.hpp"

namespace vtinput::detail {

std::shared_ptr<const KeyMap> KeyMapCache::get(const std::string& configured)
{
    if (keymap_ && configured_ == configured) {
        return keymap_;
    }
    const char* env = std::getenv("TERM");
    const bool guessed = configured.empty() && (env == nullptr || *env == '\0');
    try {
        keymap_ = std::make_shared<const KeyMap>(KeyMap::from_terminfo(KeyMap::term_name(configured)));
        diagnostic_.clear();
    } catch (const std::system_error& e) {
        keymap_ = std::make_shared<const KeyMap>();
        diagnostic_ = std::string(e.what()) + "; using the built-in grammar only";
    }
    keypad_ = guessed ? KeypadTransmit{} : keypad_transmit_of(*keymap_);
    configured_ = configured;
    return keymap_;
}

}  // namespace vtinput::detail
