// Small helpers shared by the test suites: readable forms of bytes and events for failure
// messages and table comparisons, expected events, and the decoder hand-over.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vtinput/decoder.hpp"
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

// `s`, `n` times over.
inline std::string repeat(std::string_view s, std::size_t n)
{
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += s;
    }
    return out;
}

// A mouse event with no modifiers, as the decoder builds it.
inline Event mouse(MouseAction action, MouseButton button, int x, int y)
{
    MouseEvent m;
    m.action = action;
    m.button = button;
    m.x = x;
    m.y = y;
    return m;
}

// Feeds input[0, cut) to one decoder, hands its take_pending() plus the rest of the input to
// a fresh one, and finishes: what one poller generation hands to the next.
inline std::vector<Event> decode_handed_over(std::string_view input, std::size_t cut, const DecoderOptions& o,
                                             Decoder::clock::time_point now)
{
    Decoder a(o);
    std::vector<Event> out;
    a.feed(input.substr(0, cut), now, out);
    std::string rest = a.take_pending() + std::string(input.substr(cut));
    Decoder b(o);
    b.feed(rest, now, out);
    b.finish(out);
    return out;
}

}  // namespace vtinput::test
