// Event tests: the human-readable forms and the JSON form of docs/json-schema.md, which is a public
// contract (`vtinput-echo --json`), for every event type.
#include "vtinput/event.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

using namespace std::literals;
using namespace vtinput;

namespace {

KeyEvent key(Key k, Mods mods = {}, KeyKind kind = KeyKind::press, std::string text = {})
{
    KeyEvent e;
    e.key = k;
    e.mods = mods;
    e.kind = kind;
    e.text = std::move(text);
    return e;
}

MouseEvent mouse(MouseAction action, MouseButton button, int x, int y, Mods mods = {}, bool pixels = false)
{
    MouseEvent m;
    m.action = action;
    m.button = button;
    m.x = x;
    m.y = y;
    m.mods = mods;
    m.pixels = pixels;
    return m;
}

ReportEvent report(ReportKind what, std::vector<int> params, std::string text = {}, bool private_mode = false)
{
    ReportEvent r;
    r.what = what;
    r.params = std::move(params);
    r.text = std::move(text);
    r.private_mode = private_mode;
    return r;
}

struct Row {
    Event event;
    std::string want;
};

}  // namespace

TEST_SUITE("event")
{
    TEST_CASE("human forms")
    {
        const Row rows[] = {
            {key(Key::up, Mod::ctrl | Mod::alt), "Ctrl+Alt+Up"},
            {key(Key::up, Mod::alt | Mod::ctrl), "Ctrl+Alt+Up"},
            {key(char_key(U'a'), {}, KeyKind::press, "a"), "a"},
            {key(char_key(U'a')), "a"},
            {key(char_key(U'A'), {}, KeyKind::press, "A"), "A"},
            {key(char_key(U'é'), {}, KeyKind::press, "\xc3\xa9"), "\xc3\xa9"},
            {key(char_key(U' '), Mod::ctrl), "Ctrl+Space"},
            {key(char_key(U' '), {}, KeyKind::press, " "), "Space"},
            {key(function_key(5), Mod::shift, KeyKind::release), "Shift+F5 release"},
            {key(function_key(12), Mod::ctrl, KeyKind::repeat), "Ctrl+F12 repeat"},
            {key(function_key(63)), "F63"},
            {key(Key::page_up), "PageUp"},
            {key(Key::page_down, Mod::shift), "Shift+PageDown"},
            {key(Key::scroll_lock), "ScrollLock"},
            {key(Key::caps_lock), "CapsLock"},
            {key(Key::num_lock), "NumLock"},
            {key(Key::kp_page_up), "KpPageUp"},
            {key(Key::kp_enter), "KpEnter"},
            {key(Key::media_play_pause), "MediaPlayPause"},
            {key(Key::left_shift, {}, KeyKind::release), "LeftShift release"},
            {key(Key::iso_level3_shift), "IsoLevel3Shift"},
            {key(Key::del), "Delete"},
            {key(Key::backspace, Mod::alt), "Alt+Backspace"},
            {key(Key::tab, Mod::shift), "Shift+Tab"},
            {key(Key::escape), "Escape"},
            {key(Key::none), "Unknown"},
            {key(char_key(U'a'), Mod::ctrl | Mod::alt | Mod::shift | Mod::super | Mod::hyper | Mod::meta),
             "Ctrl+Alt+Shift+Super+Hyper+Meta+a"},
            {key(char_key(U'a'), Mod::capslock, KeyKind::press, "A"), "a text \"A\" [capslock]"},
            {key(Key::kp_1, Mod::numlock), "Kp1 [numlock]"},
            {key(char_key(U'a'), Mod::shift, KeyKind::press, "A"), "Shift+a text \"A\""},
            {mouse(MouseAction::press, MouseButton::left, 10, 4), "Mouse press left at 10,4"},
            {mouse(MouseAction::release, MouseButton::none, 0, 0), "Mouse release at 0,0"},
            {mouse(MouseAction::move, MouseButton::none, 3, 7), "Mouse move at 3,7"},
            {mouse(MouseAction::drag, MouseButton::right, 3, 7, Mod::ctrl | Mod::shift),
             "Mouse drag right at 3,7 with Ctrl+Shift"},
            {mouse(MouseAction::scroll, MouseButton::wheel_down, 1, 2, Mod::alt),
             "Mouse scroll wheel_down at 1,2 with Alt"},
            {mouse(MouseAction::press, MouseButton::b11, 640, 480, {}, true), "Mouse press b11 at 640,480 px"},
            {PasteEvent{"hello", false}, "Paste 5 bytes \"hello\""},
            {PasteEvent{"a\nb", true}, "Paste (part) 3 bytes \"a\\nb\""},
            {PasteEvent{std::string(100, 'x'), false}, "Paste 100 bytes \"" + std::string(57, 'x') + "\"..."},
            {ClipboardEvent{"c", "hello", false}, "Clipboard c 5 bytes \"hello\""},
            {ClipboardEvent{"", "", false}, "Clipboard 0 bytes \"\""},
            {ClipboardEvent{"p", std::string(100, 'y'), true},
             "Clipboard (part) p 100 bytes \"" + std::string(57, 'y') + "\"..."},
            {FocusEvent{true}, "Focus in"},
            {FocusEvent{false}, "Focus out"},
            {ResizeEvent{80, 24, 0, 0}, "Resize 80x24"},
            {ResizeEvent{80, 24, 640, 480}, "Resize 80x24 (640x480 px)"},
            {CursorPositionEvent{12, 42}, "Cursor at row 12, col 42"},
            {report(ReportKind::da1, {62, 22}), "Report da1 62;22"},
            {report(ReportKind::decrpm, {2004, 1}, {}, true), "Report decrpm (private) 2004;1"},
            {report(ReportKind::decrpm, {4, 2}), "Report decrpm 4;2"},
            {report(ReportKind::osc, {}, "11;rgb:0/0/0"), "Report osc \"11;rgb:0/0/0\""},
            {UnknownEvent{"\x1b[5;25v"}, "Unknown \"\\u001b[5;25v\""},
            {RawEvent{"\x1b[A"}, "Bytes 1b 5b 41"},
            {RawEvent{""}, "Bytes"},
            {LaggedEvent{3}, "Lagged: missed 3 events"},
            {EofEvent{}, "End of input"},
            {ErrorEvent{std::make_error_code(std::errc::io_error), "read failed"}, "Error: read failed"},
        };
        for (const Row& r : rows) {
            CHECK(to_string(r.event) == r.want);
        }
    }

    TEST_CASE("append_human and append_json append to what is there")
    {
        std::string out = "> ";
        append_human(out, key(Key::up));
        CHECK(out == "> Up");
        out += ' ';
        append_json(out, FocusEvent{true});
        CHECK(out == R"(> Up {"type":"focus","gained":true})");
    }

    TEST_CASE("JSON of keys")
    {
        KeyEvent alternates = key(char_key(U'a'), Mod::shift);
        alternates.shifted = U'A';
        alternates.base = U'a';
        KeyEvent cyrillic = key(char_key(U'ф'), Mod::ctrl);
        cyrillic.base = U'a';
        const Row rows[] = {
            {key(char_key(U'a'), {}, KeyKind::press, "a"), R"({"type":"key","key":"a","mods":[],"text":"a"})"},
            {key(char_key(U'a')), R"({"type":"key","key":"a","mods":[]})"},
            {key(char_key(U'A'), Mod::shift), R"({"type":"key","key":"A","mods":["shift"]})"},
            {key(char_key(U'é')), R"({"type":"key","key":"é","mods":[]})"},
            {key(char_key(U'😀')), R"({"type":"key","key":"😀","mods":[]})"},
            {key(char_key(U' '), Mod::ctrl), R"({"type":"key","key":" ","mods":["ctrl"]})"},
            {key(char_key(U'"')), R"({"type":"key","key":"\"","mods":[]})"},
            {key(char_key(U'\\'), Mod::ctrl), R"({"type":"key","key":"\\","mods":["ctrl"]})"},
            {key(Key::up, Mod::ctrl | Mod::alt), R"({"type":"key","key":"up","mods":["alt","ctrl"]})"},
            {key(function_key(5), Mod::shift, KeyKind::release),
             R"({"type":"key","key":"f5","mods":["shift"],"kind":"release"})"},
            {key(function_key(35), {}, KeyKind::repeat), R"({"type":"key","key":"f35","mods":[],"kind":"repeat"})"},
            {key(Key::page_up), R"({"type":"key","key":"pageup","mods":[]})"},
            {key(Key::page_down), R"({"type":"key","key":"pagedown","mods":[]})"},
            {key(Key::del), R"({"type":"key","key":"delete","mods":[]})"},
            {key(Key::scroll_lock), R"({"type":"key","key":"scrolllock","mods":[]})"},
            {key(Key::kp_page_down), R"({"type":"key","key":"kp_pagedown","mods":[]})"},
            {key(Key::kp_separator), R"({"type":"key","key":"kp_separator","mods":[]})"},
            {key(Key::media_track_previous), R"({"type":"key","key":"media_track_previous","mods":[]})"},
            {key(Key::right_meta), R"({"type":"key","key":"right_meta","mods":[]})"},
            {key(Key::iso_level5_shift), R"({"type":"key","key":"iso_level5_shift","mods":[]})"},
            {key(char_key(U'a'), Mods::from_bits(255)),
             R"({"type":"key","key":"a","mods":["shift","alt","ctrl","super","hyper","meta","capslock","numlock"]})"},
            {alternates, R"({"type":"key","key":"a","mods":["shift"],"shifted":"A","base":"a"})"},
            {cyrillic, R"({"type":"key","key":"ф","mods":["ctrl"],"base":"a"})"},
            {key(char_key(U'a'), Mod::shift, KeyKind::press, "A"),
             R"({"type":"key","key":"a","mods":["shift"],"text":"A"})"},
        };
        for (const Row& r : rows) {
            CHECK(to_json(r.event) == r.want);
        }
    }

    TEST_CASE("JSON of mouse, paste, clipboard, focus, resize and cursor position")
    {
        const Row rows[] = {
            {mouse(MouseAction::press, MouseButton::left, 10, 4),
             R"({"type":"mouse","action":"press","button":"left","x":10,"y":4,"mods":[]})"},
            {mouse(MouseAction::release, MouseButton::middle, 0, 0),
             R"({"type":"mouse","action":"release","button":"middle","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::move, MouseButton::none, 1, 2),
             R"({"type":"mouse","action":"move","button":"none","x":1,"y":2,"mods":[]})"},
            {mouse(MouseAction::drag, MouseButton::right, 1, 2, Mod::shift | Mod::alt | Mod::ctrl),
             R"({"type":"mouse","action":"drag","button":"right","x":1,"y":2,"mods":["shift","alt","ctrl"]})"},
            {mouse(MouseAction::scroll, MouseButton::wheel_up, 0, 0),
             R"({"type":"mouse","action":"scroll","button":"wheel_up","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::scroll, MouseButton::wheel_down, 0, 0),
             R"({"type":"mouse","action":"scroll","button":"wheel_down","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::scroll, MouseButton::wheel_left, 0, 0),
             R"({"type":"mouse","action":"scroll","button":"wheel_left","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::scroll, MouseButton::wheel_right, 0, 0),
             R"({"type":"mouse","action":"scroll","button":"wheel_right","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::press, MouseButton::b8, 0, 0),
             R"({"type":"mouse","action":"press","button":"b8","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::press, MouseButton::b9, 0, 0),
             R"({"type":"mouse","action":"press","button":"b9","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::press, MouseButton::b10, 0, 0),
             R"({"type":"mouse","action":"press","button":"b10","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::press, MouseButton::b11, 0, 0),
             R"({"type":"mouse","action":"press","button":"b11","x":0,"y":0,"mods":[]})"},
            {mouse(MouseAction::press, MouseButton::left, 639, 479, {}, true),
             R"({"type":"mouse","action":"press","button":"left","x":639,"y":479,"mods":[],"pixels":true})"},
            {PasteEvent{"hello", false}, R"({"type":"paste","text":"hello"})"},
            {PasteEvent{"", false}, R"({"type":"paste","text":""})"},
            {PasteEvent{"part", true}, R"({"type":"paste","text":"part","continued":true})"},
            {ClipboardEvent{"c", "hello", false}, R"({"type":"clipboard","selection":"c","text":"hello"})"},
            {ClipboardEvent{"", "", false}, R"({"type":"clipboard","selection":"","text":""})"},
            {ClipboardEvent{"p", "a\xff", true},
             R"({"type":"clipboard","selection":"p","text":"a\ufffd","bytes":"61ff","continued":true})"},
            {PasteEvent{"a\r\nb\tc\"d\\e", false}, R"({"type":"paste","text":"a\r\nb\tc\"d\\e"})"},
            // Characters line splitters take for line ends are escaped: one event, one line.
            {PasteEvent{"a\u2028b\u2029c\u0085d\u2027e", false}, R"({"type":"paste","text":"a\u2028b\u2029c\u0085d)"
                                                                 "\u2027"
                                                                 R"(e"})"},
            {PasteEvent{"\x1b\x7f\x00\x01\x1f"s, false}, R"({"type":"paste","text":"\u001b\u007f\u0000\u0001\u001f"})"},
            {PasteEvent{"\xc3\xa9\xe2\x82\xac", false}, R"({"type":"paste","text":"é€"})"},
            // Not valid UTF-8: U+FFFD in "text", and the exact bytes in "bytes".
            {PasteEvent{"a\xff"
                        "b",
                        false},
             R"({"type":"paste","text":"a\ufffdb","bytes":"61ff62"})"},
            {PasteEvent{"\xc3", true}, R"({"type":"paste","text":"\ufffd","bytes":"c3","continued":true})"},
            {PasteEvent{"\xed\xa0\x80", false}, R"({"type":"paste","text":"\ufffd\ufffd\ufffd","bytes":"eda080"})"},
            {PasteEvent{"\xc0\xaf", false}, R"({"type":"paste","text":"\ufffd\ufffd","bytes":"c0af"})"},
            {PasteEvent{"\xf4\x90\x80\x80", false},
             R"({"type":"paste","text":"\ufffd\ufffd\ufffd\ufffd","bytes":"f4908080"})"},
            // One U+FFFD per byte of a broken character, whatever broke it: a cut-short
            // character (here, at the end), an overlong form, a lead byte that starts nothing.
            {PasteEvent{"\xe2\x82", false}, R"({"type":"paste","text":"\ufffd\ufffd","bytes":"e282"})"},
            {PasteEvent{"\xe2\x82x\xe2\x82\xac", false},
             R"({"type":"paste","text":"\ufffd\ufffdx€","bytes":"e28278e282ac"})"},
            {PasteEvent{"\xe0\x80\x80", false}, R"({"type":"paste","text":"\ufffd\ufffd\ufffd","bytes":"e08080"})"},
            {PasteEvent{"\xf5\x80\x80\x80", false},
             R"({"type":"paste","text":"\ufffd\ufffd\ufffd\ufffd","bytes":"f5808080"})"},
            {PasteEvent{"\x80\xf0\x9f\x98\x80", false}, R"({"type":"paste","text":"\ufffd😀","bytes":"80f09f9880"})"},
            {FocusEvent{true}, R"({"type":"focus","gained":true})"},
            {FocusEvent{false}, R"({"type":"focus","gained":false})"},
            {ResizeEvent{80, 24, 0, 0}, R"({"type":"resize","cols":80,"rows":24})"},
            {ResizeEvent{80, 24, 640, 480}, R"({"type":"resize","cols":80,"rows":24,"width_px":640,"height_px":480})"},
            {CursorPositionEvent{12, 42}, R"({"type":"cursor_position","row":12,"col":42})"},
        };
        for (const Row& r : rows) {
            CHECK(to_json(r.event) == r.want);
        }
    }

    TEST_CASE("JSON of reports")
    {
        const Row rows[] = {
            {report(ReportKind::da1, {62, 22}), R"({"type":"report","what":"da1","value":[62,22]})"},
            {report(ReportKind::da1, {}), R"({"type":"report","what":"da1","value":[]})"},
            {report(ReportKind::da2, {41, 380, 0}), R"({"type":"report","what":"da2","value":[41,380,0]})"},
            {report(ReportKind::decrpm, {2004, 1}, {}, true),
             R"({"type":"report","what":"decrpm","value":{"private":true,"mode":2004,"value":1}})"},
            {report(ReportKind::decrpm, {4, 2}),
             R"({"type":"report","what":"decrpm","value":{"private":false,"mode":4,"value":2}})"},
            {report(ReportKind::kitty_flags, {15}), R"({"type":"report","what":"kitty_flags","value":15})"},
            {report(ReportKind::kitty_flags, {}), R"({"type":"report","what":"kitty_flags","value":0})"},
            {report(ReportKind::color_scheme, {1}), R"({"type":"report","what":"color_scheme","value":"dark"})"},
            {report(ReportKind::color_scheme, {2}), R"({"type":"report","what":"color_scheme","value":"light"})"},
            {report(ReportKind::color_scheme, {7}), R"({"type":"report","what":"color_scheme","value":"unknown"})"},
            {report(ReportKind::status, {0}), R"({"type":"report","what":"status","value":[0]})"},
            {report(ReportKind::window, {8, 24, 80}), R"({"type":"report","what":"window","value":[8,24,80]})"},
            {report(ReportKind::xtversion, {}, "XTerm(388)"),
             R"j({"type":"report","what":"xtversion","value":"XTerm(388)"})j"},
            {report(ReportKind::xtgettcap, {}, "1+r544e=787465726d"),
             R"({"type":"report","what":"xtgettcap","value":"1+r544e=787465726d"})"},
            {report(ReportKind::decrqss, {}, "1$r0m"), R"({"type":"report","what":"decrqss","value":"1$r0m"})"},
            {report(ReportKind::da3, {}, "7E565445"), R"({"type":"report","what":"da3","value":"7E565445"})"},
            {report(ReportKind::osc, {}, "11;rgb:0000/0000/0000"),
             R"({"type":"report","what":"osc","value":"11;rgb:0000/0000/0000"})"},
            {report(ReportKind::osc, {}, "2;a \"title\"\\\x01"),
             R"({"type":"report","what":"osc","value":"2;a \"title\"\\\u0001"})"},
            {report(ReportKind::dcs, {}, "abc"), R"({"type":"report","what":"dcs","value":"abc"})"},
            {report(ReportKind::apc, {}, "Gi=31;OK"), R"({"type":"report","what":"apc","value":"Gi=31;OK"})"},
        };
        for (const Row& r : rows) {
            CHECK(to_json(r.event) == r.want);
        }
    }

    TEST_CASE("JSON of unknown bytes and stream events")
    {
        const Row rows[] = {
            {UnknownEvent{"\x1b[5;25v"}, R"({"type":"unknown","bytes":"1b5b353b323576"})"},
            {UnknownEvent{"\x00\xff"s}, R"({"type":"unknown","bytes":"00ff"})"},
            {UnknownEvent{""}, R"({"type":"unknown","bytes":""})"},
            {RawEvent{"\x1b[A\xff"}, R"({"type":"raw","bytes":"1b5b41ff"})"},
            {LaggedEvent{3}, R"({"type":"lagged","missed":3})"},
            {LaggedEvent{std::numeric_limits<std::uint64_t>::max()},
             R"({"type":"lagged","missed":18446744073709551615})"},
            {EofEvent{}, R"({"type":"eof"})"},
            {ErrorEvent{std::make_error_code(std::errc::io_error), "read: I/O error"},
             R"({"type":"error","message":"read: I/O error"})"},
            {ErrorEvent{{}, "bad \"tty\"\n"}, R"({"type":"error","message":"bad \"tty\"\n"})"},
        };
        for (const Row& r : rows) {
            CHECK(to_json(r.event) == r.want);
        }
    }

    TEST_CASE("names")
    {
        CHECK(key_name(Key::enter) == "enter");
        CHECK(key_name(Key::kp_0) == "kp_0");
        CHECK(key_name(Key::kp_begin) == "kp_begin");
        CHECK(key_name(Key::media_play) == "media_play");
        CHECK(key_name(Key::left_shift) == "left_shift");
        CHECK(key_name(function_key(1)) == "f1");
        CHECK(key_name(function_key(9)) == "f9");
        CHECK(key_name(function_key(10)) == "f10");
        CHECK(key_name(Key::f63) == "f63");
        CHECK(key_name(char_key(U'a')).empty());
        CHECK(key_name(Key::none).empty());
        CHECK(mod_name(Mod::shift) == "shift");
        CHECK(mod_name(Mod::numlock) == "numlock");
        CHECK(mod_name(Mod::none).empty());
        CHECK(to_string(MouseButton::wheel_right) == "wheel_right");
        CHECK(to_string(MouseAction::drag) == "drag");
        CHECK(to_string(ReportKind::color_scheme) == "color_scheme");
        CHECK(to_string(ReportKind::apc) == "apc");
        // Every named key between enter and iso_level5_shift has a name.
        for (auto k = static_cast<std::uint32_t>(Key::enter); k <= static_cast<std::uint32_t>(Key::iso_level5_shift);
             ++k) {
            INFO("key " << k);
            CHECK_FALSE(key_name(static_cast<Key>(k)).empty());
        }
    }

    TEST_CASE("keys, modifiers and characters")
    {
        CHECK(is_char(char_key(U'a')));
        CHECK(is_char(char_key(U'\U0010FFFF')));
        CHECK_FALSE(is_char(Key::none));
        CHECK_FALSE(is_char(Key::enter));
        CHECK(to_char(char_key(U'é')) == U'é');
        CHECK(to_char(Key::up) == 0);
        CHECK(function_key(13) == static_cast<Key>(static_cast<std::uint32_t>(Key::f1) + 12));
        Mods m = Mod::ctrl | Mod::shift;
        CHECK(m.has(Mod::ctrl));
        CHECK(m.has(Mod::shift));
        CHECK_FALSE(m.has(Mod::alt));
        CHECK(m.bits() == 5);
        CHECK(Mods().empty());
        CHECK(Mods::from_bits(5) == m);
        m |= Mod::alt;
        CHECK(m.bits() == 7);
    }

    TEST_CASE("append_utf8")
    {
        auto utf8 = [](char32_t cp) {
            std::string out;
            append_utf8(out, cp);
            return out;
        };
        CHECK(utf8(U'a') == "a");
        CHECK(utf8(0) == "\x00"s);
        CHECK(utf8(0x7f) == "\x7f");
        CHECK(utf8(0x80) == "\xc2\x80");
        CHECK(utf8(0x7ff) == "\xdf\xbf");
        CHECK(utf8(0x800) == "\xe0\xa0\x80");
        CHECK(utf8(0xffff) == "\xef\xbf\xbf");
        CHECK(utf8(0x10000) == "\xf0\x90\x80\x80");
        CHECK(utf8(0x10ffff) == "\xf4\x8f\xbf\xbf");
        // Not scalar values: U+FFFD.
        CHECK(utf8(0xd800) == "\xef\xbf\xbd");
        CHECK(utf8(0xdfff) == "\xef\xbf\xbd");
        CHECK(utf8(0x110000) == "\xef\xbf\xbd");
    }

    TEST_CASE("events compare by value")
    {
        CHECK(Event(key(Key::up, Mod::ctrl)) == Event(key(Key::up, Mod::ctrl)));
        CHECK_FALSE(Event(key(Key::up, Mod::ctrl)) == Event(key(Key::up)));
        CHECK(Event(PasteEvent{"a", false}) != Event(PasteEvent{"a", true}));
        CHECK(Event(UnknownEvent{"x"}) != Event(PasteEvent{"x", false}));
    }
}

TEST_CASE("KeyText keeps short text inline and long text whole")
{
    vtinput::KeyText t;
    CHECK(t.empty());
    t.push_back('a');
    CHECK(t == "a");
    std::string long_text;
    for (int i = 0; i < 40; ++i) {
        long_text += static_cast<char>('A' + i % 26);
    }
    for (char c : long_text) {
        t.push_back(c);
    }
    CHECK(t.size() == 41);
    CHECK(t == "a" + long_text);
    vtinput::KeyText copy = t;
    CHECK(copy == t);
    vtinput::KeyText moved = std::move(copy);
    CHECK(moved == "a" + long_text);
    CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from text is empty, not broken
    CHECK(copy.size() == 0);
    copy.push_back('q');
    CHECK(copy == "q");
    vtinput::KeyText short_text = "xyz";
    vtinput::KeyText from_short = std::move(short_text);
    CHECK(from_short == "xyz");
    CHECK(short_text.view().empty());  // NOLINT(bugprone-use-after-move)
    from_short = std::move(moved);
    CHECK(from_short == "a" + long_text);
    CHECK(moved.view().empty());  // NOLINT(bugprone-use-after-move)
    moved.clear();
    CHECK(moved.empty());
    moved.push_back('z');
    CHECK(moved == "z");
    t.assign("xy", 2);
    CHECK(t == "xy");
    CHECK(std::string(t) == "xy");
    vtinput::KeyText a = "é";
    vtinput::append_utf8(a, U'😀');
    CHECK(a == "é😀");
}
