// Human-readable and JSON forms of events.
//
// The JSON form is the public contract of SCHEMA.md (`vtinput-echo --json`): field names,
// key names and enum spellings here must not change. Formatting appends to a caller's string
// so a loop that reuses one buffer does not allocate per event.
#include "vtinput/event.hpp"

#include <array>
#include <charconv>
#include <ostream>
#include <cstdint>
#include <utility>

namespace vtinput {
namespace {

constexpr std::array<std::string_view, 92> k_named_keys = {
    "enter", "tab", "backspace", "escape", "insert", "delete", "home", "end", "pageup",
    "pagedown", "up", "down", "left", "right", "begin", "menu", "print", "pause", "scrolllock",
    "capslock", "numlock",
    "kp_0", "kp_1", "kp_2", "kp_3", "kp_4", "kp_5", "kp_6", "kp_7", "kp_8", "kp_9",
    "kp_decimal", "kp_divide", "kp_multiply", "kp_minus", "kp_plus", "kp_enter", "kp_equal",
    "kp_separator", "kp_left", "kp_right", "kp_up", "kp_down", "kp_pageup", "kp_pagedown",
    "kp_home", "kp_end", "kp_insert", "kp_delete", "kp_begin",
    "media_play", "media_pause", "media_play_pause", "media_reverse", "media_stop",
    "media_fast_forward", "media_rewind", "media_track_next", "media_track_previous",
    "media_record", "lower_volume", "raise_volume", "mute_volume",
    "left_shift", "left_ctrl", "left_alt", "left_super", "left_hyper", "left_meta",
    "right_shift", "right_ctrl", "right_alt", "right_super", "right_hyper", "right_meta",
    "iso_level3_shift", "iso_level5_shift",
};
static_assert(static_cast<std::uint32_t>(Key::iso_level5_shift) -
                  static_cast<std::uint32_t>(Key::named_base) + 1 <= k_named_keys.size());

// JSON names that run two words together; their human forms need the word break back.
constexpr std::pair<std::string_view, std::string_view> k_word_breaks[] = {
    {"pageup", "page_up"},       {"pagedown", "page_down"},       {"scrolllock", "scroll_lock"},
    {"capslock", "caps_lock"},   {"numlock", "num_lock"},         {"kp_pageup", "kp_page_up"},
    {"kp_pagedown", "kp_page_down"},
};

// Human names of named keys: the JSON name with a capital and CamelCase ("PageUp").
void append_key_human(std::string& out, Key key)
{
    if (is_char(key)) {
        char32_t c = to_char(key);
        if (c == U' ') {
            out += "Space";
        } else {
            append_utf8(out, c);
        }
        return;
    }
    std::string_view name = key_name(key);
    if (name.empty()) {
        out += "Unknown";
        return;
    }
    for (auto [joined, split] : k_word_breaks) {
        if (name == joined) {
            name = split;
            break;
        }
    }
    bool upper = true;
    for (char ch : name) {
        if (ch == '_') {
            upper = true;
            continue;
        }
        out += upper && ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch;
        upper = false;
    }
}

void append_int(std::string& out, long long v)
{
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, end);
}

void append_uint(std::string& out, std::uint64_t v)
{
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, end);
}

void append_hex(std::string& out, std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    for (char ch : bytes) {
        auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 15];
    }
}

// Decodes one UTF-8 scalar at s[i]; returns its length, or 0 if the bytes there are not a
// valid, shortest-form scalar.
std::size_t utf8_scalar(std::string_view s, std::size_t i, char32_t& cp)
{
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    std::size_t n = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
        return 0;
    }
    if (n == 1) {
        cp = c;
        return 1;
    }
    char32_t v = c & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xc0) != 0x80) {
            return 0;
        }
        v = (v << 6) | (b(i + k) & 0x3f);
    }
    static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min_for_len[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        return 0;
    }
    cp = v;
    return n;
}

// A JSON string: UTF-8 passes through; control characters, quotes and backslashes are
// escaped; each byte that is not part of valid UTF-8 becomes U+FFFD (JSON cannot carry it;
// callers that must keep every byte add a hex "bytes" field, see PasteEvent).
// Returns false when some byte was replaced.
bool append_json_string(std::string& out, std::string_view s)
{
    bool exact = true;
    static constexpr char digits[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            std::size_t j = i + 1;
            while (j < s.size()) {
                auto d = static_cast<unsigned char>(s[j]);
                if (d < 0x20 || d >= 0x7f || d == '"' || d == '\\') {
                    break;
                }
                ++j;
            }
            out.append(s.data() + i, j - i);
            i = j;
            continue;
        }
        char32_t cp = 0;
        std::size_t n = c >= 0x80 ? utf8_scalar(s, i, cp) : 0;
        if (n > 0) {
            out.append(s.data() + i, n);
            i += n;
            continue;
        }
        if (c >= 0x80) {
            out += "\\ufffd";
            exact = false;
            ++i;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            out += "\\u00";
            out += digits[c >> 4];
            out += digits[c & 15];
        }
        ++i;
    }
    out += '"';
    return exact;
}

void append_mods_json(std::string& out, Mods mods)
{
    out += '[';
    bool first = true;
    for (unsigned bit = 1; bit <= 128; bit <<= 1) {
        if ((mods.bits() & bit) == 0) {
            continue;
        }
        if (!first) {
            out += ',';
        }
        first = false;
        out += '"';
        out += mod_name(static_cast<Mod>(bit));
        out += '"';
    }
    out += ']';
}

void append_mods_human(std::string& out, Mods mods)
{
    // Conventional order: Ctrl+Alt+Shift+Super...
    static constexpr std::pair<Mod, std::string_view> order[] = {
        {Mod::ctrl, "Ctrl+"},   {Mod::alt, "Alt+"},     {Mod::shift, "Shift+"},
        {Mod::super, "Super+"}, {Mod::hyper, "Hyper+"}, {Mod::meta, "Meta+"},
    };
    for (auto [m, s] : order) {
        if (mods.has(m)) {
            out += s;
        }
    }
}

void append_params_json(std::string& out, const std::vector<int>& params)
{
    out += '[';
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (i) {
            out += ',';
        }
        append_int(out, params[i]);
    }
    out += ']';
}

int param_or(const std::vector<int>& p, std::size_t i, int fallback)
{
    return i < p.size() ? p[i] : fallback;
}

template <class... Fs>
struct overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace

void append_utf8(std::string& out, char32_t cp)
{
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        cp = 0xfffd;
    }
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

void append_utf8(KeyText& out, char32_t cp)
{
    std::string bytes;
    append_utf8(bytes, cp);
    out.append(bytes);
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
    return names[static_cast<std::size_t>(button)];
}

std::string_view to_string(MouseAction action)
{
    static constexpr std::string_view names[] = {"press", "release", "move", "drag", "scroll"};
    return names[static_cast<std::size_t>(action)];
}

std::string_view to_string(ReportKind kind)
{
    static constexpr std::string_view names[] = {
        "da1",       "da2",     "da3", "decrpm", "kitty_flags", "color_scheme", "status",
        "window",    "xtversion", "xtgettcap", "decrqss", "osc", "dcs", "apc",
    };
    return names[static_cast<std::size_t>(kind)];
}

void append_json(std::string& out, const Event& event)
{
    std::visit(
        overloaded{
            [&](const KeyEvent& e) {
                out += "{\"type\":\"key\",\"key\":";
                if (is_char(e.key)) {
                    std::string ch;
                    append_utf8(ch, to_char(e.key));
                    append_json_string(out, ch);
                } else {
                    out += '"';
                    out += key_name(e.key);
                    out += '"';
                }
                out += ",\"mods\":";
                append_mods_json(out, e.mods);
                if (e.kind != KeyKind::press) {
                    out += e.kind == KeyKind::repeat ? ",\"kind\":\"repeat\"" : ",\"kind\":\"release\"";
                }
                if (!e.text.empty()) {
                    out += ",\"text\":";
                    append_json_string(out, e.text);
                }
                if (e.shifted) {
                    out += ",\"shifted\":";
                    std::string ch;
                    append_utf8(ch, e.shifted);
                    append_json_string(out, ch);
                }
                if (e.base) {
                    out += ",\"base\":";
                    std::string ch;
                    append_utf8(ch, e.base);
                    append_json_string(out, ch);
                }
                out += '}';
            },
            [&](const MouseEvent& e) {
                out += "{\"type\":\"mouse\",\"action\":\"";
                out += to_string(e.action);
                out += "\",\"button\":\"";
                out += to_string(e.button);
                out += "\",\"x\":";
                append_int(out, e.x);
                out += ",\"y\":";
                append_int(out, e.y);
                out += ",\"mods\":";
                append_mods_json(out, e.mods);
                if (e.pixels) {
                    out += ",\"pixels\":true";
                }
                out += '}';
            },
            [&](const PasteEvent& e) {
                out += "{\"type\":\"paste\",\"text\":";
                if (!append_json_string(out, e.text)) {
                    // Not valid UTF-8: the exact bytes as well, so nothing is lost.
                    out += ",\"bytes\":\"";
                    append_hex(out, e.text);
                    out += '"';
                }
                if (e.continued) {
                    out += ",\"continued\":true";
                }
                out += '}';
            },
            [&](const FocusEvent& e) {
                out += e.gained ? "{\"type\":\"focus\",\"gained\":true}"
                                : "{\"type\":\"focus\",\"gained\":false}";
            },
            [&](const ResizeEvent& e) {
                out += "{\"type\":\"resize\",\"cols\":";
                append_int(out, e.cols);
                out += ",\"rows\":";
                append_int(out, e.rows);
                if (e.width_px || e.height_px) {
                    out += ",\"width_px\":";
                    append_int(out, e.width_px);
                    out += ",\"height_px\":";
                    append_int(out, e.height_px);
                }
                out += '}';
            },
            [&](const CursorPositionEvent& e) {
                out += "{\"type\":\"cursor_position\",\"row\":";
                append_int(out, e.row);
                out += ",\"col\":";
                append_int(out, e.col);
                out += '}';
            },
            [&](const ReportEvent& e) {
                out += "{\"type\":\"report\",\"what\":\"";
                out += to_string(e.what);
                out += "\",\"value\":";
                switch (e.what) {
                case ReportKind::da1:
                case ReportKind::da2:
                case ReportKind::status:
                case ReportKind::window:
                    append_params_json(out, e.params);
                    break;
                case ReportKind::decrpm:
                    out += e.private_mode ? "{\"private\":true,\"mode\":" : "{\"private\":false,\"mode\":";
                    append_int(out, param_or(e.params, 0, 0));
                    out += ",\"value\":";
                    append_int(out, param_or(e.params, 1, 0));
                    out += '}';
                    break;
                case ReportKind::kitty_flags:
                    append_int(out, param_or(e.params, 0, 0));
                    break;
                case ReportKind::color_scheme: {
                    int n = param_or(e.params, 0, 0);
                    out += n == 1 ? "\"dark\"" : n == 2 ? "\"light\"" : "\"unknown\"";
                    break;
                }
                default:
                    append_json_string(out, e.text);
                }
                out += '}';
            },
            [&](const UnknownEvent& e) {
                out += "{\"type\":\"unknown\",\"bytes\":\"";
                append_hex(out, e.bytes);
                out += "\"}";
            },
            [&](const LaggedEvent& e) {
                out += "{\"type\":\"lagged\",\"missed\":";
                append_uint(out, e.missed);
                out += '}';
            },
            [&](const EofEvent&) { out += "{\"type\":\"eof\"}"; },
            [&](const ErrorEvent& e) {
                out += "{\"type\":\"error\",\"message\":";
                append_json_string(out, e.message);
                out += '}';
            },
            [&](const RawEvent& e) {
                out += "{\"type\":\"raw\",\"bytes\":\"";
                append_hex(out, e.bytes);
                out += "\"}";
            },
        },
        event);
}

std::string to_json(const Event& event)
{
    std::string out;
    append_json(out, event);
    return out;
}

void append_human(std::string& out, const Event& event)
{
    std::visit(
        overloaded{
            [&](const KeyEvent& e) {
                append_mods_human(out, e.mods);
                append_key_human(out, e.key);
                if (e.kind == KeyKind::repeat) {
                    out += " repeat";
                } else if (e.kind == KeyKind::release) {
                    out += " release";
                }
                if (!e.text.empty() && !(is_char(e.key) && e.mods.empty() && e.text.size() <= 4)) {
                    out += " text ";
                    append_json_string(out, e.text);
                }
                if (e.mods.has(Mod::capslock)) {
                    out += " [capslock]";
                }
                if (e.mods.has(Mod::numlock)) {
                    out += " [numlock]";
                }
            },
            [&](const MouseEvent& e) {
                out += "Mouse ";
                out += to_string(e.action);
                if (e.button != MouseButton::none) {
                    out += ' ';
                    out += to_string(e.button);
                }
                out += " at ";
                append_int(out, e.x);
                out += ',';
                append_int(out, e.y);
                if (e.pixels) {
                    out += " px";
                }
                if (!e.mods.empty()) {
                    out += " with ";
                    append_mods_human(out, e.mods);
                    out.pop_back();
                }
            },
            [&](const PasteEvent& e) {
                out += e.continued ? "Paste (part) " : "Paste ";
                append_int(out, static_cast<long long>(e.text.size()));
                out += " bytes ";
                if (e.text.size() <= 60) {
                    append_json_string(out, e.text);
                } else {
                    append_json_string(out, std::string_view(e.text).substr(0, 57));
                    out += "...";
                }
            },
            [&](const FocusEvent& e) { out += e.gained ? "Focus in" : "Focus out"; },
            [&](const ResizeEvent& e) {
                out += "Resize ";
                append_int(out, e.cols);
                out += 'x';
                append_int(out, e.rows);
                if (e.width_px || e.height_px) {
                    out += " (";
                    append_int(out, e.width_px);
                    out += 'x';
                    append_int(out, e.height_px);
                    out += " px)";
                }
            },
            [&](const CursorPositionEvent& e) {
                out += "Cursor at row ";
                append_int(out, e.row);
                out += ", col ";
                append_int(out, e.col);
            },
            [&](const ReportEvent& e) {
                out += "Report ";
                out += to_string(e.what);
                if (e.what == ReportKind::decrpm && e.private_mode) {
                    out += " (private)";
                }
                for (std::size_t i = 0; i < e.params.size(); ++i) {
                    out += i ? ';' : ' ';
                    append_int(out, e.params[i]);
                }
                if (!e.text.empty()) {
                    out += ' ';
                    append_json_string(out, e.text);
                }
            },
            [&](const UnknownEvent& e) {
                out += "Unknown ";
                append_json_string(out, e.bytes);
            },
            [&](const LaggedEvent& e) {
                out += "Lagged: missed ";
                append_uint(out, e.missed);
                out += " events";
            },
            [&](const EofEvent&) { out += "End of input"; },
            [&](const ErrorEvent& e) {
                out += "Error: ";
                out += e.message;
            },
            [&](const RawEvent& e) {
                out += "Bytes";
                for (char ch : e.bytes) {
                    static constexpr char hex[] = "0123456789abcdef";
                    auto c = static_cast<unsigned char>(ch);
                    out += ' ';
                    out += hex[c >> 4];
                    out += hex[c & 15];
                }
            },
        },
        event);
}

std::string to_string(const Event& event)
{
    std::string out;
    append_human(out, event);
    return out;
}

}  // namespace vtinput
