// What the two forms of an event (json.cpp, human.cpp) share (internal). The JSON form of
// Capabilities (lib/terminal/capabilities.cpp) writes its strings and integers with these too.
//
// Both append to a caller's string, so a loop that reuses one buffer does not allocate per
// event. The human form quotes text (key text, pastes, unknown bytes) the way the JSON form
// writes strings, so that control characters and broken UTF-8 show up escaped, never raw.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/visit.hpp"  // overloaded: both forms visit every event type

namespace vtinput::detail {

// Appends `v` in decimal.
template <class Int>
void append_int(std::string& out, Int v)
{
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;  // 24 digits hold any 64-bit value
    out.append(buf, end);
}

// Appends `s` as a JSON string, quotes included: UTF-8 passes through; control characters,
// quotes and backslashes are escaped; each byte that is not part of valid UTF-8 becomes
// U+FFFD. Returns false when some byte was replaced (defined in json.cpp).
bool append_json_string(std::string& out, std::string_view s);

// Appends integers as a JSON array: "[1,-1,3]" (defined in json.cpp).
void append_params_json(std::string& out, const std::vector<int>& params);

}  // namespace vtinput::detail
