// The JSON form of events: one object per event, exactly as docs/json-schema.md describes it.
//
// This is a public contract (`vtinput-echo --json`, and the conformance vectors compare its
// output byte for byte): field names, their order, which fields are left out when they hold
// their default, key names (names.cpp) and enum spellings must not change. Anything added goes
// through docs/json-schema.md first. Every string is valid UTF-8 JSON; bytes that JSON cannot carry are
// replaced, and where they matter (paste, unknown, raw) the exact bytes travel as hex as well.
#include "vtinput/event.hpp"

#include <vector>

#include "event/format.hpp"
#include "support/text.hpp"

namespace vtinput {

namespace detail {

bool append_json_string(std::string& out, std::string_view s)
{
    bool exact = true;
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            // A run of printable ASCII goes out in one piece.
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
        if (c >= 0x80) {
            Utf8 u = decode_utf8(s, i);
            if (u.status == Utf8Status::valid && (u.cp == 0x85 || u.cp == 0x2028 || u.cp == 0x2029)) {
                // NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR are valid in a JSON string, but
                // line splitters (Python's str.splitlines, JavaScript before ES2019) end a line
                // there: escaped, one event stays one line.
                out += "\\u";
                char hex[2] = {static_cast<char>(u.cp >> 8), static_cast<char>(u.cp & 0xff)};
                append_hex(out, std::string_view(hex, 2));
                i += u.len;
            } else if (u.status == Utf8Status::valid) {
                out.append(s.data() + i, u.len);
                i += u.len;
            } else {
                // One U+FFFD per byte, not per broken character: the count of replacements
                // says how many bytes were lost.
                out += "\\ufffd";
                exact = false;
                ++i;
            }
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += "\\u00"; append_hex(out, s.substr(i, 1));
        }
        ++i;
    }
    out += '"';
    return exact;
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

}  // namespace detail

namespace {

using detail::append_int;
using detail::append_json_string;
using detail::append_params_json;

// A character (a key, kitty's shifted and base keys) as a JSON string.
void append_json_char(std::string& out, char32_t cp)
{
    char bytes[4];
    append_json_string(out, std::string_view(bytes, detail::encode_utf8(cp, bytes)));
}

// A hex string of the exact bytes.
void append_json_hex(std::string& out, std::string_view bytes)
{
    out += '"';
    detail::append_hex(out, bytes);
    out += '"';
}

// The modifier names in bit order: ["shift","ctrl"].
// Bytes as a JSON string, and when they are not valid UTF-8 their exact hex as well (the
// `bytes` field), so nothing is lost.
void append_text_and_bytes(std::string& out, std::string_view bytes)
{
    if (!append_json_string(out, bytes)) {
        out += ",\"bytes\":";
        append_json_hex(out, bytes);
    }
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

int param_or(const std::vector<int>& p, std::size_t i, int fallback) { return i < p.size() ? p[i] : fallback; }

// A report's "value": its parameters, a decoded form of them, or its text, by kind.
void append_report_value(std::string& out, const ReportEvent& e)
{
    switch (e.what) {
    case ReportKind::da1:
    case ReportKind::da2:
    case ReportKind::status:
    case ReportKind::window:
    case ReportKind::modify_keys:
    case ReportKind::xtsmgraphics: append_params_json(out, e.params); return;
    case ReportKind::decrpm:
        out += e.private_mode ? "{\"private\":true,\"mode\":" : "{\"private\":false,\"mode\":";
        append_int(out, param_or(e.params, 0, 0));
        out += ",\"value\":";
        append_int(out, param_or(e.params, 1, 0));
        out += '}';
        return;
    case ReportKind::kitty_flags: append_int(out, param_or(e.params, 0, 0)); return;
    case ReportKind::color_scheme: {
        int n = param_or(e.params, 0, 0);
        out += n == 1 ? "\"dark\"" : n == 2 ? "\"light\"" : "\"unknown\"";
        return;
    }
    case ReportKind::da3:
    case ReportKind::xtversion:
    case ReportKind::xtgettcap:
    case ReportKind::decrqss:
    case ReportKind::osc:
    case ReportKind::dcs:
    case ReportKind::apc: break;
    }
    append_json_string(out, e.text);
}

}  // namespace

void append_json(std::string& out, const Event& event)
{
    std::visit(detail::overloaded{
                   [&](const KeyEvent& e) {
                       out += "{\"type\":\"key\",\"key\":";
                       if (is_char(e.key)) {
                           append_json_char(out, to_char(e.key));
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
                           append_json_char(out, e.shifted);
                       }
                       if (e.base) {
                           out += ",\"base\":";
                           append_json_char(out, e.base);
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
                       append_text_and_bytes(out, e.text);
                       if (e.continued) {
                           out += ",\"continued\":true";
                       }
                       out += '}';
                   },
                   [&](const ClipboardEvent& e) {
                       out += "{\"type\":\"clipboard\",\"selection\":";
                       append_json_string(out, e.selection);
                       out += ",\"text\":";
                       append_text_and_bytes(out, e.data);
                       if (e.continued) {
                           out += ",\"continued\":true";
                       }
                       out += '}';
                   },
                   [&](const FocusEvent& e) {
                       out +=
                           e.gained ? "{\"type\":\"focus\",\"gained\":true}" : "{\"type\":\"focus\",\"gained\":false}";
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
                       append_report_value(out, e);
                       out += '}';
                   },
                   [&](const UnknownEvent& e) {
                       out += "{\"type\":\"unknown\",\"bytes\":";
                       append_json_hex(out, e.bytes);
                       out += '}';
                   },
                   [&](const LaggedEvent& e) {
                       out += "{\"type\":\"lagged\",\"missed\":";
                       append_int(out, e.missed);
                       out += '}';
                   },
                   [&](const EofEvent&) { out += "{\"type\":\"eof\"}"; },
                   [&](const ErrorEvent& e) {
                       out += "{\"type\":\"error\",\"message\":";
                       append_json_string(out, e.message);
                       out += '}';
                   },
                   [&](const RawEvent& e) {
                       out += "{\"type\":\"raw\",\"bytes\":";
                       append_json_hex(out, e.bytes);
                       out += '}';
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

}  // namespace vtinput
