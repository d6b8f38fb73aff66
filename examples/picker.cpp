// picker: a fuzzy picker in the manner of fzf. The items are the lines of standard input (a
// pipe), the keys come from the terminal: when standard input is not a terminal, the device
// reads /dev/tty. The list is drawn on the terminal and the chosen item goes to standard
// output, so the picker composes with other programs:
//
//   ls | build-dir/examples/picker          vi "$(git ls-files | build-dir/examples/picker)"
//
// Type to filter (the letters in order, not necessarily adjacent), Up/Down to move, Backspace
// to take a letter back; Enter prints the item and exits 0, Escape or Ctrl+C exits 1. (With
// standard input a terminal, type the items, one a line, then Ctrl+D.)
#include <vtinput/input_device.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include <unistd.h>

namespace {

// Whether the characters of `query` appear in `item` in that order, ignoring ASCII case.
bool matches(std::string_view item, std::string_view query)
{
    std::size_t found = 0;
    for (std::size_t i = 0; i < item.size() && found < query.size(); ++i) {
        auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
        if (lower(item[i]) == lower(query[found])) {
            ++found;
        }
    }
    return found == query.size();
}

// The prompt, then as many of the matching items as fit, the selected one marked with "> ".
void draw(int tty, int rows, std::string_view query, const std::vector<std::string>& shown, std::size_t selected,
          std::size_t total)
{
    std::string screen = "\x1b[H\x1b[2Jpick> " + std::string(query) + "   (" + std::to_string(shown.size()) + "/" +
                         std::to_string(total) + ")\n";
    for (std::size_t i = 0; i < shown.size() && static_cast<int>(i) < rows - 1; ++i) {
        screen += (i == selected ? "> " : "  ") + shown[i] + "\n";
    }
    (void)!::write(tty, screen.data(), screen.size());  // output processing turns \n into \r\n
}

}  // namespace

int main()
try {
    std::vector<std::string> items;
    for (std::string line; std::getline(std::cin, line);) {
        items.push_back(line);
    }
    // The alternate screen, so that the shell's screen comes back as it was.
    vtinput::DeviceOptions options;
    options.terminal->app_enter = "\x1b[?1049h";
    options.terminal->app_leave = "\x1b[?1049l";
    vtinput::InputDevice device = vtinput::InputDevice::open(options);
    int tty = device.terminal()->fd();  // the terminal the device reads, for drawing

    std::string query;
    std::size_t selected = 0;
    std::optional<std::string> chosen;
    while (!chosen) {
        std::vector<std::string> shown;
        std::copy_if(items.begin(), items.end(), std::back_inserter(shown),
                     [&](auto& item) { return matches(item, query); });
        draw(tty, device.size() ? device.size()->rows : 24, query, shown, selected, items.size());
        std::optional<vtinput::Event> event = device.receive();
        if (!event) {
            break;  // the terminal went away
        }
        const auto* key = std::get_if<vtinput::KeyEvent>(&*event);
        if (!key || key->kind == vtinput::KeyKind::release) {
            continue;  // not a key press: a resize (redrawn above), a focus change, ...
        }
        if (key->key == vtinput::Key::escape ||
            (key->key == vtinput::char_key(U'c') && key->mods == vtinput::Mod::ctrl)) {
            break;  // nothing chosen
        } else if (key->key == vtinput::Key::enter && !shown.empty()) {
            chosen = shown[selected];
        } else if (key->key == vtinput::Key::up && selected > 0) {
            --selected;
        } else if (key->key == vtinput::Key::down && selected + 1 < shown.size()) {
            ++selected;
        } else if (key->key == vtinput::Key::backspace && !query.empty()) {
            // One character back: its UTF-8 continuation bytes (10xxxxxx), then its first byte.
            while (query.size() > 1 && (static_cast<unsigned char>(query.back()) & 0xc0) == 0x80) {
                query.pop_back();
            }
            query.pop_back();
            selected = 0;
        } else if (vtinput::is_char(key->key) && !key->text.empty() && !key->mods.has(vtinput::Mod::ctrl)) {
            query += key->text.view();  // what the key types, Shift included
            selected = 0;
        }
    }
    device.close();  // the terminal as it was (the main screen back) before the result is printed
    if (!chosen) {
        return 1;
    }
    std::printf("%s\n", chosen->c_str());
    return 0;
} catch (const std::system_error& e) {
    std::fprintf(stderr, "picker: %s\n", e.what());
    return 2;
}
