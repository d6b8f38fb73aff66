// The terminfo reader's twin for builds without terminfo (Windows: no ncurses, no database).
//
// Built instead of terminfo.cpp (lib/keymap/meson.build chooses), behind the same interface
// (keymap/terminfo.hpp): every entry is reported unavailable, so KeyMap::from_terminfo throws
// std::errc::no_such_file_or_directory with this reason and the decoder's built-in grammar
// alone serves, as it does for a terminal that terminfo does not know. Pure: no state, no I/O.
#include "keymap/terminfo.hpp"

namespace vtinput::detail {

std::optional<std::vector<std::string>>
read_terminfo_strings(const std::string& term, const std::vector<std::string>& /*names*/, std::string& error)
{
    error = "no terminfo in this build (Windows): entry '" + term + "' unavailable, the built-in grammar serves";
    return std::nullopt;
}

}  // namespace vtinput::detail
