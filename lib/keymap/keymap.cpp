// KeyMap: a sorted table of terminal-specific key sequences, consulted by the decoder only
// where its built-in grammar gives a sequence no meaning, and for single C0 bytes.
//
// Lookups are rare (the fallback path), so a sorted vector with binary search is enough; the
// single-byte table is a direct index because the decoder asks for every control byte. The
// entry's smkx/rmkx travel with the table, so that whoever sets the terminal's modes puts it in
// the mode the table describes.
#include "vtinput/keymap.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>
#include <string_view>

#include "keymap/terminfo.hpp"
#include "support/error.hpp"

namespace vtinput {
namespace {

struct Cap {
    const char* name;
    Key key;
    Mods mods;
};

// Standard key capabilities of terminfo(5), including the keypad ones.
const Cap k_caps[] = {
    {"kcuu1", Key::up, {}},
    {"kcud1", Key::down, {}},
    {"kcuf1", Key::right, {}},
    {"kcub1", Key::left, {}},
    {"khome", Key::home, {}},
    {"kend", Key::end, {}},
    {"kich1", Key::insert, {}},
    {"kdch1", Key::del, {}},
    {"kpp", Key::page_up, {}},
    {"knp", Key::page_down, {}},
    {"kbs", Key::backspace, {}},
    {"kcbt", Key::tab, Mod::shift},
    {"kent", Key::kp_enter, {}},
    {"kbeg", Key::begin, {}},
    {"kb2", Key::kp_begin, {}},
    {"ka1", Key::kp_home, {}},
    {"ka3", Key::kp_page_up, {}},
    {"kc1", Key::kp_end, {}},
    {"kc3", Key::kp_page_down, {}},
    {"kLFT", Key::left, Mod::shift},
    {"kRIT", Key::right, Mod::shift},
    {"kHOM", Key::home, Mod::shift},
    {"kEND", Key::end, Mod::shift},
    {"kDC", Key::del, Mod::shift},
    {"kIC", Key::insert, Mod::shift},
    {"kNXT", Key::page_down, Mod::shift},
    {"kPRV", Key::page_up, Mod::shift},
};

// ncurses' extended xterm capabilities: kUP3 = Alt+Up ... kUP8; the digit is xterm's modifier
// parameter.
struct ExtCap {
    const char* stem;
    Key key;
};
const ExtCap k_ext_caps[] = {
    {"kUP", Key::up},   {"kDN", Key::down},   {"kRIT", Key::right}, {"kLFT", Key::left},      {"kHOM", Key::home},
    {"kEND", Key::end}, {"kIC", Key::insert}, {"kDC", Key::del},    {"kNXT", Key::page_down}, {"kPRV", Key::page_up},
};

// The string capabilities read besides the keys, after them in the list.
constexpr const char* k_keypad_caps[] = {"smkx", "rmkx"};

// `s` without terminfo's padding specifications (`$<` digits, `.`, `*`, `/` `>`, terminfo(5)
// "Delays and Padding"), which tputs would turn into a wait and are not bytes for the terminal.
std::string without_padding(std::string_view s)
{
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        if (s.compare(i, 2, "$<") == 0) {
            std::size_t j = i + 2;
            while (j < s.size() &&
                   (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '*' || s[j] == '/')) {
                ++j;
            }
            if (j < s.size() && s[j] == '>' && j > i + 2) {
                i = j + 1;
                continue;
            }
        }
        out += s[i++];
    }
    return out;
}

}  // namespace

std::string KeyMap::term_name(std::string_view configured)
{
    if (!configured.empty()) {
        return std::string(configured);
    }
    const char* env = std::getenv("TERM");
    return env != nullptr && *env != '\0' ? env : "xterm-256color";
}

KeyMap KeyMap::from_terminfo(std::string_view term)
{
    if (term.empty()) {
        detail::throw_error(std::errc::invalid_argument, "no terminal name for terminfo");
    }
    std::vector<std::string> names;
    std::vector<std::pair<Key, Mods>> meaning;
    for (const Cap& c : k_caps) {
        names.emplace_back(c.name);
        meaning.emplace_back(c.key, c.mods);
    }
    // kf1..kf63 are F1..F63 by name: terminfo's numbering, not a guess at modifiers. kf0 is
    // left out (F0 or F10 depending on the terminal).
    for (int n = 1; n <= 63; ++n) {
        names.push_back("kf" + std::to_string(n));
        meaning.emplace_back(function_key(n), Mods());
    }
    for (const ExtCap& c : k_ext_caps) {
        for (int m = 2; m <= 8; ++m) {
            names.push_back(c.stem + std::to_string(m));
            meaning.emplace_back(c.key, Mods::from_bits(static_cast<unsigned>(m - 1)));
        }
    }
    const std::size_t keys = names.size();
    names.insert(names.end(), std::begin(k_keypad_caps), std::end(k_keypad_caps));
    std::string error;
    auto values = detail::read_terminfo_strings(std::string(term), names, error);
    if (!values) {
        detail::throw_error(std::errc::no_such_file_or_directory, error);
    }
    std::vector<Entry> entries;
    for (std::size_t i = 0; i < keys; ++i) {
        if (!(*values)[i].empty()) {
            entries.push_back({std::move((*values)[i]), meaning[i].first, meaning[i].second});
        }
    }
    return KeyMap(std::move(entries), without_padding((*values)[keys]), without_padding((*values)[keys + 1]));
}

KeyMap::KeyMap(std::vector<Entry> entries, std::string smkx, std::string rmkx) : entries_(std::move(entries))
{
    // A mode that could not be turned off again is not worth turning on.
    if (!smkx.empty() && !rmkx.empty()) {
        smkx_ = std::move(smkx);
        rmkx_ = std::move(rmkx);
    }
    std::erase_if(entries_, [](const Entry& e) { return e.sequence.empty(); });
    // Stable: on duplicate sequences the first entry given wins.
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry& a, const Entry& b) { return a.sequence < b.sequence; });
    entries_.erase(std::unique(entries_.begin(), entries_.end(),
                               [](const Entry& a, const Entry& b) { return a.sequence == b.sequence; }),
                   entries_.end());
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        const std::string& s = entries_[i].sequence;
        auto c = static_cast<unsigned char>(s.front());
        if (s.size() == 1 && (c < 0x20 || c == 0x7f)) {
            single_[c] = static_cast<unsigned short>(i + 1);
        }
    }
}

const KeyMap::Entry* KeyMap::single_byte(unsigned char byte) const
{
    if (byte >= 128 || single_[byte] == 0) {
        return nullptr;
    }
    return &entries_[single_[byte] - 1u];
}

KeyMap::Match KeyMap::match(std::string_view input) const
{
    Match m;
    if (input.empty()) {
        return m;
    }
    // Entries sharing the first byte form one sorted run; every entry that is a prefix of
    // `input`, and every entry that `input` is a prefix of, lies inside it.
    auto lo = std::lower_bound(entries_.begin(), entries_.end(), input.substr(0, 1),
                               [](const Entry& e, std::string_view v) { return std::string_view(e.sequence) < v; });
    for (auto it = lo; it != entries_.end() && it->sequence[0] == input[0]; ++it) {
        std::string_view seq = it->sequence;
        if (seq.size() < 2) {
            continue;  // single bytes are single_byte()'s business
        }
        if (input.size() >= seq.size()) {
            if (input.substr(0, seq.size()) == seq && (m.entry == nullptr || seq.size() > m.entry->sequence.size())) {
                m.entry = &*it;
            }
        } else if (seq.substr(0, input.size()) == input) {
            m.could_grow = true;
        }
    }
    return m;
}

}  // namespace vtinput
