// Bindings from strings and back: parse_binding, parse_sequence and to_string in three styles.
//
// One grammar reads every style: modifiers and a key separated by '+' or '-', a token in angle
// brackets taken whole ("M-<Up>"), Vim's "<mods-key>" unwrapped first, "U+XXXX" for any code
// point. Key names are not kept here: they are key_name()'s (docs/json-schema.md), compared in
// any case and without underscores, so the human forms ("PageUp", "KpEnter") read back too;
// only the aliases people type are listed below. The plus style writes the human form of
// event.hpp (the key's name comes from to_string of the key alone). Whatever is written, the
// parser reads back to the same canonical binding: the binding tests check it for every key.
#include "vtinput/binding.hpp"

#include <cstdint>
#include <utility>

#include "binding/case.hpp"
#include "support/error.hpp"
#include "support/text.hpp"

namespace vtinput {
namespace {

// The lower-case form of a name, without underscores: "Page_Up" and "pageup" compare equal.
std::string normalise(std::string_view name)
{
    std::string out;
    out.reserve(name.size());
    for (char c : name) {
        if (c == '_') {
            continue;
        }
        out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

[[noreturn]] void fail(std::string what, std::string_view part, std::string_view text)
{
    what += " '";
    what += part;
    what += "' in '";
    what += text;
    what += '\'';
    detail::throw_error(std::errc::invalid_argument, what);
}

// Modifier names: long ones in any case, single letters as Emacs and Vim write them.
struct ModName {
    std::string_view name;
    Mod mod;
};
constexpr ModName k_long_mods[] = {
    {"ctrl", Mod::ctrl},         {"control", Mod::ctrl},    {"alt", Mod::alt},     {"opt", Mod::alt},
    {"option", Mod::alt},        {"shift", Mod::shift},     {"super", Mod::super}, {"cmd", Mod::super},
    {"command", Mod::super},     {"win", Mod::super},       {"hyper", Mod::hyper}, {"meta", Mod::meta},
    {"capslock", Mod::capslock}, {"numlock", Mod::numlock},
};

// The modifier `token` names, or Mod::none; throws for the refused 's'.
Mod modifier(std::string_view token, std::string_view text)
{
    if (token.size() == 1) {
        switch (token[0]) {
        case 'C':
        case 'c': return Mod::ctrl;
        case 'M':
        case 'm':
        case 'A':
        case 'a': return Mod::alt;
        case 'S': return Mod::shift;
        case 'D':
        case 'd': return Mod::super;
        case 'H':
        case 'h': return Mod::hyper;
        case 'T':
        case 't': return Mod::meta;
        case 's': fail("ambiguous modifier (Emacs reads it as super, Vim as shift: write 'S' or 'super')", token, text);
        default: return Mod::none;
        }
    }
    std::string n = normalise(token);
    for (auto [name, mod] : k_long_mods) {
        if (n == name) {
            return mod;
        }
    }
    return Mod::none;
}

// Aliases people type, normalised; a key with modifiers where the alias implies them.
struct Alias {
    std::string_view name;
    Key key;
    Mods mods;
};
constexpr Alias k_aliases[] = {
    {"esc", Key::escape, {}},
    {"return", Key::enter, {}},
    {"ret", Key::enter, {}},
    {"cr", Key::enter, {}},
    {"del", Key::del, {}},
    {"ins", Key::insert, {}},
    {"bs", Key::backspace, {}},
    {"pgup", Key::page_up, {}},
    {"pgdn", Key::page_down, {}},
    {"pgdown", Key::page_down, {}},
    {"prior", Key::page_up, {}},
    {"next", Key::page_down, {}},
    {"space", char_key(U' '), {}},
    {"spc", char_key(U' '), {}},
    {"lt", char_key(U'<'), {}},
    {"gt", char_key(U'>'), {}},
    {"bar", char_key(U'|'), {}},
    {"bslash", char_key(U'\\'), {}},
    {"backslash", char_key(U'\\'), {}},
    {"plus", char_key(U'+'), {}},
    {"minus", char_key(U'-'), {}},
    {"backtab", Key::tab, Mod::shift},
    {"kpoint", Key::kp_decimal, {}},  // Vim
    {"kdel", Key::kp_delete, {}},     // Vim
};

// Every named key: named_base up to the last listed one, then F1..F63.
template <typename F>
bool each_named_key(F&& f)
{
    auto first = static_cast<std::uint32_t>(Key::named_base);
    auto last = static_cast<std::uint32_t>(Key::iso_level5_shift);
    for (auto v = first; v <= last; ++v) {
        if (f(static_cast<Key>(v))) {
            return true;
        }
    }
    for (int n = 1; n <= 63; ++n) {
        if (f(function_key(n))) {
            return true;
        }
    }
    return false;
}

// The key a normalised name names, with the modifiers an alias implies; false if none.
bool lookup_name(const std::string& n, Key& key, Mods& mods)
{
    if (each_named_key([&](Key k) {
            std::string_view name = key_name(k);
            if (!name.empty() && normalise(name) == n) {
                key = k;
                return true;
            }
            return false;
        })) {
        return true;
    }
    for (const auto& a : k_aliases) {
        if (n == a.name) {
            key = a.key;
            mods = a.mods;
            return true;
        }
    }
    // Vim's keypad names: k0..k9, kplus, kenter, khome ... are kp_0, kp_plus, ...
    if (n.size() > 1 && n[0] == 'k' && n[1] != 'p') {
        return lookup_name("kp" + n.substr(1), key, mods);
    }
    return false;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// "U+XXXX" (4 to 6 hex digits) at the start of `s`: its length, or 0.
std::size_t code_point_length(std::string_view s)
{
    if (s.size() < 6 || (s[0] != 'U' && s[0] != 'u') || s[1] != '+') {
        return 0;
    }
    std::size_t n = 2;
    while (n < s.size() && n < 8 && is_hex(s[n])) {
        ++n;
    }
    return n >= 6 ? n : 0;
}

// The key of the last token: one character, "<name>", "U+XXXX" or a name.
void parse_key(std::string_view token, std::string_view text, Key& key, Mods& mods)
{
    auto one = detail::decode_utf8(token, 0);
    if (one.status == detail::Utf8Status::valid && one.len == token.size()) {
        if (one.cp == 0) {
            fail("unknown key", "U+0000", text);
        }
        key = char_key(one.cp);
        return;
    }
    std::string_view name = token;
    if (name.size() >= 3 && name.front() == '<' && name.back() == '>') {
        name = name.substr(1, name.size() - 2);
        auto inner = detail::decode_utf8(name, 0);
        if (inner.status == detail::Utf8Status::valid && inner.len == name.size() && inner.cp != 0) {
            key = char_key(inner.cp);
            return;
        }
    }
    if (std::size_t n = code_point_length(name); n != 0 && n == name.size()) {
        std::uint32_t cp = 0;
        for (char c : name.substr(2)) {
            cp = cp * 16 + static_cast<std::uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        if (cp == 0 || !detail::is_scalar(cp)) {
            fail("not a character", name, text);
        }
        key = char_key(static_cast<char32_t>(cp));
        return;
    }
    Mods implied;
    if (!lookup_name(normalise(name), key, implied)) {
        if (modifier(name, text) != Mod::none) {
            fail("missing key after modifier", name, text);
        }
        fail("unknown key", name, text);
    }
    mods |= implied;
}

// One binding from `body` (Vim's brackets already taken off); `text` is the whole input,
// for messages.
Binding parse_body(std::string_view body, std::string_view text)
{
    Binding b;
    std::size_t pos = 0;
    for (;;) {
        std::string_view rest = body.substr(pos);
        std::size_t end = 0;  // the token is body[pos, end)
        if (std::size_t n = code_point_length(rest); n != 0) {
            end = pos + n;
        } else if (rest.size() >= 3 && rest[0] == '<' && rest.find('>', 2) != std::string_view::npos) {
            end = pos + rest.find('>', 2) + 1;
        } else {
            end = body.find_first_of("+-", pos + 1);
            if (end == std::string_view::npos) {
                end = body.size();
            }
        }
        std::string_view token = body.substr(pos, end - pos);
        if (end == body.size()) {
            parse_key(token, text, b.key, b.mods);
            break;
        }
        if (body[end] != '+' && body[end] != '-') {
            fail("unexpected text after", token, text);
        }
        if (end + 1 == body.size()) {
            fail("missing key after", body.substr(pos, end + 1 - pos), text);
        }
        Mod m = modifier(token, text);
        if (m == Mod::none) {
            fail("unknown modifier", token, text);
        }
        if (b.mods.has(m)) {
            fail("modifier given twice:", token, text);
        }
        b.mods |= m;
        pos = end + 1;
    }
    return canonical(b);
}

// The modifiers in the order they are written, with each style's spelling.
struct ModSpelling {
    Mod mod;
    std::string_view letter;  // emacs and vim
};
constexpr ModSpelling k_mod_order[] = {
    {Mod::ctrl, "C"},  {Mod::alt, "M"},  {Mod::shift, "S"},           {Mod::super, "D"},
    {Mod::hyper, "H"}, {Mod::meta, "T"}, {Mod::capslock, "CapsLock"}, {Mod::numlock, "NumLock"},
};

void append_mods(std::string& out, Mods mods, BindingStyle style)
{
    for (auto [m, letter] : k_mod_order) {
        if (!mods.has(m)) {
            continue;
        }
        if (style == BindingStyle::plus) {
            if (m == Mod::capslock || m == Mod::numlock) {
                out += letter;
            } else {
                std::string_view name = mod_name(m);  // "ctrl" -> "Ctrl"
                out += static_cast<char>(name[0] - 'a' + 'A');
                out += name.substr(1);
            }
            out += '+';
        } else {
            out += letter;
            out += '-';
        }
    }
}

void append_code_point(std::string& out, char32_t c)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    out += "U+";
    int width = c > 0xfffff ? 6 : c > 0xffff ? 5 : 4;
    for (int i = width - 1; i >= 0; --i) {
        out += digits[(c >> (4 * i)) & 15];
    }
}

// The human name of a named key ("PageUp", "KpEnter", "F5"), as event.hpp's human form writes it.
std::string human_name(Key key)
{
    KeyEvent e;
    e.key = key;
    return to_string(Event(std::move(e)));
}

// Emacs's and Vim's spellings of a few named keys; the rest use key_name or the human name.
std::string_view special_name(Key key, BindingStyle style)
{
    if (style == BindingStyle::plus) {
        return {};
    }
    if (style == BindingStyle::emacs) {
        switch (key) {
        case Key::enter: return "RET";
        case Key::tab: return "TAB";
        case Key::escape: return "ESC";
        default: return {};
        }
    }
    switch (key) {
    case Key::escape: return "Esc";
    case Key::del: return "Del";
    case Key::backspace: return "BS";
    default: return {};
    }
}

}  // namespace

Binding parse_binding(std::string_view text)
{
    std::string_view s = text;
    if (s != " ") {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
        }
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
            s.remove_suffix(1);
        }
    }
    if (s.empty()) {
        detail::throw_error(std::errc::invalid_argument, "empty key name");
    }
    // Vim's "<C-x>", "<Space>", "<lt>": the brackets wrap the whole binding.
    if (s.size() >= 3 && s.front() == '<' && s.back() == '>') {
        return parse_body(s.substr(1, s.size() - 2), text);
    }
    return parse_body(s, text);
}

std::vector<Binding> parse_sequence(std::string_view text)
{
    std::vector<Binding> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t start = text.find_first_not_of(" \t\n", pos);
        if (start == std::string_view::npos) {
            break;
        }
        std::size_t end = text.find_first_of(" \t\n", start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        out.push_back(parse_binding(text.substr(start, end - start)));
        pos = end;
    }
    if (out.empty()) {
        detail::throw_error(std::errc::invalid_argument, "empty key sequence");
    }
    return out;
}

void append_binding(std::string& out, const Binding& binding, BindingStyle style)
{
    Binding b = canonical(binding);
    Mods mods = b.mods;
    bool character = is_char(b.key);
    char32_t c = to_char(b.key);
    // A capital letter is written as Shift and the letter: "Ctrl+Shift+P", "C-S-p"; alone, it
    // stays itself in Emacs's and Vim's styles ("P").
    bool capital = character && detail::lower_case(c) != c;
    if (capital && (style == BindingStyle::plus || !mods.empty())) {
        mods |= Mod::shift;
        if (style != BindingStyle::plus) {
            c = detail::lower_case(c);
        }
    }
    if (style == BindingStyle::vim) {
        bool plain = mods.empty() && character && c != U' ' && c != U'<' && !detail::is_control(c);
        if (plain) {
            append_utf8(out, c);
            return;
        }
        out += '<';
    }
    append_mods(out, mods, style);
    if (!character) {
        std::string_view special = special_name(b.key, style);
        if (!special.empty()) {
            out += special;
        } else if (style == BindingStyle::emacs) {
            out += '<';
            out += key_name(b.key);
            out += '>';
        } else {
            out += human_name(b.key);
        }
    } else if (c == U' ') {
        out += style == BindingStyle::emacs ? "SPC" : "Space";
    } else if (c == U'<' && style == BindingStyle::vim) {
        out += "lt";
    } else if (detail::is_control(c)) {
        append_code_point(out, c);
    } else {
        append_utf8(out, c);
    }
    if (style == BindingStyle::vim) {
        out += '>';
    }
}

std::string to_string(const Binding& binding, BindingStyle style)
{
    std::string out;
    append_binding(out, binding, style);
    return out;
}

std::string to_string(const std::vector<Binding>& sequence, BindingStyle style)
{
    std::string out;
    for (const auto& b : sequence) {
        if (!out.empty()) {
            out += ' ';
        }
        append_binding(out, b, style);
    }
    return out;
}

}  // namespace vtinput
