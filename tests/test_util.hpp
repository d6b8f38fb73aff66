// Small helpers shared by the decoder-level unit suites: readable forms of bytes and events
// for failure messages and table comparisons.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vtinput/event.hpp"

namespace vtinput::test {

// Lower-case hex, two digits a byte, no separators.
inline std::string hex(std::string_view s)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

// The events as their SCHEMA.md JSON forms, separated by spaces.
inline std::string json(const std::vector<Event>& events)
{
    std::string out;
    for (const Event& e : events) {
        if (!out.empty()) {
            out += ' ';
        }
        out += to_json(e);
    }
    return out;
}

}  // namespace vtinput::test
