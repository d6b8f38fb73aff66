// Reading string capabilities from the terminfo database (internal).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vtinput::detail {

// The values of string capabilities `names` in terminfo entry `term` (empty string where the
// entry lacks one), or nullopt with `error` set when the entry or database cannot be read.
// Does not disturb the application's `cur_term`. Thread-safe; blocking (reads files).
std::optional<std::vector<std::string>>
read_terminfo_strings(const std::string& term, const std::vector<std::string>& names, std::string& error);

}  // namespace vtinput::detail
