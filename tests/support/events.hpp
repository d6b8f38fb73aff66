// Events in tests: readable forms of bytes and events for failure messages and table
// comparisons, and expected events built the way the decoder builds them.
//
// Header-only and free of doctest, so that the unit suites, the pty tests (through
// tests/test_util.hpp) and the fuzz target can all use it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/text.hpp"  // lib/support: the one hex spelling
#include "vtinput/event.hpp"

namespace vtinput::test {

// Lower-case hex, two digits a byte, no separators.
inline std::string hex(std::string_view s)
{
    std::string out;
    detail::append_hex(out, s);
    return out;
}

// The events as their docs/json-schema.md JSON forms, separated by spaces.
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

// Where two event lists first differ, in JSON, or "" when they are equal: short enough to
// read when a decoding of thousands of events fails.
inline std::string first_difference(const std::vector<Event>& got, const std::vector<Event>& want)
{
    for (std::size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
        if (i >= got.size() || i >= want.size() || !(got[i] == want[i])) {
            auto at = [i](const std::vector<Event>& v) {
                return i < v.size() ? to_json(v[i]).substr(0, 300) : std::string("(none)");
            };
            return "event " + std::to_string(i) + " of " + std::to_string(got.size()) + " (want " +
                   std::to_string(want.size()) + "): got " + at(got) + ", want " + at(want);
        }
    }
    return "";
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

// ---- expected events, built the way the decoder builds them ----

inline Event key(Key k, Mods mods = {})
{
    KeyEvent e;
    e.key = k;
    e.mods = mods;
    return e;
}

// An unmodified character key as typed: its text is its own UTF-8.
inline Event ch(char32_t c)
{
    KeyEvent e;
    e.key = char_key(c);
    append_utf8(e.text, c);
    return e;
}

inline Event up() { return key(Key::up); }

inline Event unknown(std::string_view bytes) { return UnknownEvent{std::string(bytes)}; }

inline Event paste(std::string_view text, bool continued = false) { return PasteEvent{std::string(text), continued}; }

inline Event clipboard(std::string_view selection, std::string_view data, bool continued = false)
{
    return ClipboardEvent{std::string(selection), std::string(data), continued};
}

// Standard base64 with padding (RFC 4648 section 4), as terminals send OSC 52 content.
inline std::string base64(std::string_view data)
{
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, data.size() - i);
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 3; ++k) {
            v = (v << 8) | (k < n ? static_cast<unsigned char>(data[i + k]) : 0u);
        }
        for (std::size_t k = 0; k < 4; ++k) {
            out += k <= n ? alphabet[(v >> (18 - 6 * k)) & 0x3f] : '=';
        }
    }
    return out;
}

// The events a clipboard reply of `data` in canonical base64 comes out as under paste_cap
// `cap`: a part whenever no room is left for another 3-byte quantum, then the last part
// (empty when the data filled the parts exactly).
inline std::vector<Event> clipboard_parts(std::string_view selection, std::string_view data, std::size_t cap)
{
    std::vector<Event> out;
    const std::size_t limit = std::max<std::size_t>(cap, 3);
    std::string part;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        part += data.substr(i, 3);
        if (part.size() + 3 > limit) {
            out.push_back(clipboard(selection, part, true));
            part.clear();
        }
    }
    out.push_back(clipboard(selection, part));
    return out;
}

inline Event report(ReportKind what, std::string_view text)
{
    ReportEvent r;
    r.what = what;
    r.text = std::string(text);
    return r;
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

// A paste body as the decoder delivers it with `cap`: parts of exactly `cap` bytes with
// `continued` set (each is sent the moment it fills), then the rest, possibly empty.
inline std::vector<Event> paste_parts(std::string_view body, std::size_t cap)
{
    std::vector<Event> out;
    while (body.size() >= cap) {
        out.push_back(paste(body.substr(0, cap), true));
        body.remove_prefix(cap);
    }
    out.push_back(paste(body, false));
    return out;
}

// Event lists in order, one after the other (`using test::operator+;` where wanted: argument
// lookup does not reach this namespace).
inline std::vector<Event> operator+(std::vector<Event> a, const std::vector<Event>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace vtinput::test
