// The human-readable form of events: "Ctrl+Alt+Up", "a", "Shift+F5 release",
// "Mouse press left at 10,4", "Paste 11 bytes \"two words\"".
//
// For people and logs; programs read the JSON form (json.cpp). The event tests and the tmux test
// of `vtinput-echo` check it. Modifiers come in the conventional order (Ctrl+Alt+Shift+Super),
// named keys in CamelCase derived from their docs/json-schema.md names, and any text is quoted as a JSON
// string, so control characters and broken UTF-8 are visible rather than sent to the terminal.
#include "vtinput/event.hpp"

#include <utility>

#include "event/format.hpp"
#include "support/text.hpp"

namespace vtinput {
namespace {

using detail::append_int;
using detail::append_json_string;

// JSON names that run two words together; their human forms need the word break back.
constexpr std::pair<std::string_view, std::string_view> k_word_breaks[] = {
    {"pageup", "page_up"},   {"pagedown", "page_down"},   {"scrolllock", "scroll_lock"},   {"capslock", "caps_lock"},
    {"numlock", "num_lock"}, {"kp_pageup", "kp_page_up"}, {"kp_pagedown", "kp_page_down"},
};

// Text that may be long (a paste, a clipboard): quoted, cut to its first 57 bytes and "..."
// past 60.
void append_excerpt(std::string& out, std::string_view text)
{
    if (text.size() <= 60) {
        append_json_string(out, text);
    } else {
        append_json_string(out, text.substr(0, 57));
        out += "...";
    }
}

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

// "Ctrl+Alt+" (each with its '+'); the lock modifiers are not part of a chord and are left out.
void append_mods_human(std::string& out, Mods mods)
{
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

}  // namespace

void append_human(std::string& out, const Event& event)
{
    std::visit(detail::overloaded{
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
                       append_int(out, e.text.size());
                       out += " bytes ";
                       append_excerpt(out, e.text);
                   },
                   [&](const ClipboardEvent& e) {
                       out += e.continued ? "Clipboard (part) " : "Clipboard ";
                       if (!e.selection.empty()) {
                           out += e.selection;
                           out += ' ';
                       }
                       append_int(out, e.data.size());
                       out += " bytes ";
                       append_excerpt(out, e.data);
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
                       append_int(out, e.missed);
                       out += " events";
                   },
                   [&](const EofEvent&) { out += "End of input"; },
                   [&](const ErrorEvent& e) {
                       out += "Error: ";
                       out += e.message;
                   },
                   [&](const RawEvent& e) {
                       // "Bytes 1b 5b 41": the hex of each byte, spaced.
                       out += "Bytes";
                       for (std::size_t i = 0; i < e.bytes.size(); ++i) {
                           out += ' ';
                           detail::append_hex(out, std::string_view(e.bytes).substr(i, 1));
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
