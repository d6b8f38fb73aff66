// The names of keys, modifiers, mouse buttons and actions, and report kinds; KeyText's rare
// paths; append_utf8.
//
// The names are those of docs/json-schema.md ("pageup", "kp_enter", "wheel_up", "decrpm"): the JSON form
// prints them as they are and the human form derives its spelling from them, so they are part
// of the public contract and must not change. The tables are indexed by the enums' values, so a
// new enumerator needs its name here (the static_asserts check the sizes).
#include "vtinput/event.hpp"

#include <array>
#include <cstdint>
#include <iterator>
#include <ostream>

#include "support/text.hpp"

namespace vtinput {
namespace {

// Named keys in the order of Key, from Key::named_base.
constexpr std::array<std::string_view, 92> k_named_keys = {
    "enter",
    "tab",
    "backspace",
    "escape",
    "insert",
    "delete",
    "home",
    "end",
    "pageup",
    "pagedown",
    "up",
    "down",
    "left",
    "right",
    "begin",
    "menu",
    "print",
    "pause",
    "scrolllock",
    "capslock",
    "numlock",
    "kp_0",
    "kp_1",
    "kp_2",
    "kp_3",
    "kp_4",
    "kp_5",
    "kp_6",
    "kp_7",
    "kp_8",
    "kp_9",
    "kp_decimal",
    "kp_divide",
    "kp_multiply",
    "kp_minus",
    "kp_plus",
    "kp_enter",
    "kp_equal",
    "kp_separator",
    "kp_left",
    "kp_right",
    "kp_up",
    "kp_down",
    "kp_pageup",
    "kp_pagedown",
    "kp_home",
    "kp_end",
    "kp_insert",
    "kp_delete",
    "kp_begin",
    "media_play",
    "media_pause",
    "media_play_pause",
    "media_reverse",
    "media_stop",
    "media_fast_forward",
    "media_rewind",
    "media_track_next",
    "media_track_previous",
    "media_record",
    "lower_volume",
    "raise_volume",
    "mute_volume",
    "left_shift",
    "left_ctrl",
    "left_alt",
    "left_super",
    "left_hyper",
    "left_meta",
    "right_shift",
    "right_ctrl",
    "right_alt",
    "right_super",
    "right_hyper",
    "right_meta",
    "iso_level3_shift",
    "iso_level5_shift",
};
static_assert(static_cast<std::uint32_t>(Key::iso_level5_shift) - static_cast<std::uint32_t>(Key::named_base) + 1 <=
              k_named_keys.size());

}  // namespace

void append_utf8(std::string& out, char32_t cp)
{
    char bytes[4];
    out.append(bytes, detail::encode_utf8(cp, bytes));
}

void append_utf8(KeyText& out, char32_t cp)
{
    char bytes[4];
    out.append(std::string_view(bytes, detail::encode_utf8(cp, bytes)));
}

std::ostream& operator<<(std::ostream& os, const KeyText& text) { return os << text.view(); }

void KeyText::push_back_slow(char c)
{
    if (!on_heap()) {
        heap_ = std::make_unique<std::string>(inline_, len_);
        len_ = k_on_heap;
    }
    heap_->push_back(c);
}

void KeyText::assign_slow(const char* p, std::size_t n)
{
    if (n <= inline_capacity) {
        clear();
        assign(p, n);
        return;
    }
    heap_ = std::make_unique<std::string>(p, n);
    len_ = k_on_heap;
}

std::string_view key_name(Key key)
{
    auto v = static_cast<std::uint32_t>(key);
    auto f1 = static_cast<std::uint32_t>(Key::f1);
    if (v >= f1 && v <= static_cast<std::uint32_t>(Key::f63)) {
        static constexpr auto names = [] {
            std::array<std::array<char, 4>, 63> a{};
            for (int n = 1; n <= 63; ++n) {
                auto& s = a[static_cast<std::size_t>(n - 1)];
                s[0] = 'f';
                if (n < 10) {
                    s[1] = static_cast<char>('0' + n);
                } else {
                    s[1] = static_cast<char>('0' + n / 10);
                    s[2] = static_cast<char>('0' + n % 10);
                }
            }
            return a;
        }();
        const auto& s = names[v - f1];
        return std::string_view(s.data(), s[2] ? 3 : 2);
    }
    auto base = static_cast<std::uint32_t>(Key::named_base);
    if (v >= base && v - base < k_named_keys.size() && !k_named_keys[v - base].empty()) {
        return k_named_keys[v - base];
    }
    return {};
}

std::string_view mod_name(Mod mod)
{
    switch (mod) {
    case Mod::shift: return "shift";
    case Mod::alt: return "alt";
    case Mod::ctrl: return "ctrl";
    case Mod::super: return "super";
    case Mod::hyper: return "hyper";
    case Mod::meta: return "meta";
    case Mod::capslock: return "capslock";
    case Mod::numlock: return "numlock";
    case Mod::none: break;
    }
    return {};
}

std::string_view to_string(MouseButton button)
{
    static constexpr std::string_view names[] = {
        "none",       "left",        "middle", "right", "wheel_up", "wheel_down",
        "wheel_left", "wheel_right", "b8",     "b9",    "b10",      "b11",
    };
    static_assert(std::size(names) == static_cast<std::size_t>(MouseButton::b11) + 1);
    return names[static_cast<std::size_t>(button)];
}

std::string_view to_string(MouseAction action)
{
    static constexpr std::string_view names[] = {"press", "release", "move", "drag", "scroll"};
    static_assert(std::size(names) == static_cast<std::size_t>(MouseAction::scroll) + 1);
    return names[static_cast<std::size_t>(action)];
}

std::string_view to_string(ReportKind kind)
{
    static constexpr std::string_view names[] = {
        "da1",       "da2",       "da3",     "decrpm", "kitty_flags", "color_scheme", "status",      "window",
        "xtversion", "xtgettcap", "decrqss", "osc",    "dcs",         "apc",          "modify_keys", "xtsmgraphics",
    };
    static_assert(std::size(names) == static_cast<std::size_t>(ReportKind::xtsmgraphics) + 1);
    return names[static_cast<std::size_t>(kind)];
}

}  // namespace vtinput
