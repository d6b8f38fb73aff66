// Keys as real terminals send them (issue 12): the forms that terminals driven by a real
// keyboard were seen to send and the decoder got wrong, and the protocol forms it did not
// know, each row citing where the encoding comes from. Every row goes through the shared
// checker (tests/support/decoding.hpp): exact events, split at every boundary, byte by
// byte, handed over, fast paths on and off. Rows that need time or a terminal's key table
// are test cases of their own below the table.
//
// Sources:
//   [st]       st 0.9's config.def.h key table and the st-256color terminfo entry (ncurses-term)
//   [xterm]    xterm's manual (eightBitInput, modifyCursorKeys/modifyFunctionKeys/
//              modifyKeypadKeys) and "XTerm Control Sequences" (ctlseqs)
//   [kitty]    the kitty keyboard protocol (kovidgoyal/kitty docs/keyboard-protocol.rst)
//   [urxvt]    rxvt-unicode's mouse reports (MouseReport in src/command.C)
//   [mlterm]   mlterm pasting 64 KiB, seen pausing inside the paste
//   [win32]    microsoft/terminal doc/specs "#4999 - Improved keyboard handling in Conpty.md"
//              and Microsoft's "Virtual-Key Codes" and KEY_EVENT_RECORD pages
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decoder_test.hpp"
#include "support/doctest_checks.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/keymap.hpp"

using namespace std::literals;
using namespace vtinput;
using namespace vtinput::test;

namespace {

const Row k_terminal_rows[] = {
    // ---- 1. st's Ctrl+Delete, a bare CSI M [st]: `{ XK_Delete, ControlMask, "\033[M", -1, 0 }`
    // (keypad-transmit off). A report's first byte follows CSI M at once and is never below 32;
    // CSI M followed by a control byte, or by nothing, is the key. ----
    {"\x1b[M", R"({"type":"key","key":"delete","mods":["ctrl"]})"},
    {"\x1b[M\x1b[M", R"({"type":"key","key":"delete","mods":["ctrl"]} {"type":"key","key":"delete","mods":["ctrl"]})"},
    {"\x1b[M\x1b[A", R"({"type":"key","key":"delete","mods":["ctrl"]} {"type":"key","key":"up","mods":[]})"},
    {"\x1b[M\r", R"({"type":"key","key":"delete","mods":["ctrl"]} {"type":"key","key":"enter","mods":[]})"},
    {"\x1b\x1b[M", R"({"type":"key","key":"delete","mods":["alt","ctrl"]})"},
    {"\x9bM", R"({"type":"key","key":"delete","mods":["ctrl"]})"},
    // A report is still a report, whole or cut short once its first byte has arrived.
    {"\x1b[M !!", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":[]})"},
    {"\x1b[M !\x1b[A", R"({"type":"unknown","bytes":"1b5b4d2021"} {"type":"key","key":"up","mods":[]})"},

    // ---- 2. xterm's eightBitInput Alt on a control key, UTF-8 mode: U+0080 + the C0 byte
    // [xterm]. ----
    {"\xc2\x81", R"({"type":"key","key":"a","mods":["alt","ctrl"]})"},
    {"\xc2\x9a", R"({"type":"key","key":"z","mods":["alt","ctrl"]})"},
    {"\xc2\x80", R"({"type":"key","key":" ","mods":["alt","ctrl"]})"},
    {"\xc2\x89", R"({"type":"key","key":"tab","mods":["alt"]})"},
    {"\xc2\x8d", R"({"type":"key","key":"enter","mods":["alt"]})"},
    {"\xc2\x88", R"({"type":"key","key":"h","mods":["alt","ctrl"]})"},  // ^H is Ctrl+H (kbs aside)
    {"\xc2\x9b", R"({"type":"key","key":"escape","mods":["alt"]})"},
    {"\xc2\x9c", R"({"type":"key","key":"\\","mods":["alt","ctrl"]})"},
    {"\xc2\x9f", R"({"type":"key","key":"_","mods":["alt","ctrl"]})"},
    {"a\xc2\x81"
     "b",
     R"({"type":"key","key":"a","mods":[],"text":"a"} {"type":"key","key":"a","mods":["alt","ctrl"]} {"type":"key","key":"b","mods":[],"text":"b"})"},
    // U+00A0 and up are text; raw 8-bit C1 bytes keep their meaning (hostile_test's C1 rows).
    {"\xc2\xa0", "{\"type\":\"key\",\"key\":\"\xc2\xa0\",\"mods\":[],\"text\":\"\xc2\xa0\"}"},
    {"\xc2\xbf", R"({"type":"key","key":"¿","mods":[],"text":"¿"})"},
    {"\x81", R"({"type":"unknown","bytes":"81"})"},
    // ESC before it: Alt cannot be added twice, so the ESC is an Escape of its own.
    {"\x1b\xc2\x81", R"({"type":"key","key":"escape","mods":[]} {"type":"key","key":"a","mods":["alt","ctrl"]})"},

    // ---- 3. CPR vs F3 with the lock bits [kitty]: 193 = 1 + capslock 64 + numlock 128 ----
    {"\x1b[1;193R", R"({"type":"key","key":"f3","mods":["capslock","numlock"]})"},
    {"\x1b[1;65R", R"({"type":"key","key":"f3","mods":["capslock"]})"},
    {"\x1b[1;129R", R"({"type":"key","key":"f3","mods":["numlock"]})"},
    {"\x1b[1;197R", R"({"type":"key","key":"f3","mods":["ctrl","capslock","numlock"]})"},
    {"\x1b[1;208R", R"({"type":"key","key":"f3","mods":["shift","alt","ctrl","super","capslock","numlock"]})"},
    // Bits outside xterm's range and the locks still make a report.
    {"\x1b[1;17R", R"({"type":"cursor_position","row":1,"col":17})"},
    {"\x1b[1;81R", R"({"type":"cursor_position","row":1,"col":81})"},
    {"\x1b[1;209R", R"({"type":"cursor_position","row":1,"col":209})"},
    {"\x1b[2;193R", R"({"type":"cursor_position","row":2,"col":193})"},

    // ---- 4. urxvt motion with the last wheel button [urxvt]: 99 = wheel 64 + motion 32 + 3 ----
    {"\x1b[<99;6;4M", R"({"type":"mouse","action":"move","button":"none","x":5,"y":3,"mods":[]})"},
    {"\x1b[<96;6;4M", R"({"type":"mouse","action":"move","button":"none","x":5,"y":3,"mods":[]})"},
    {"\x1b[<97;1;1M", R"({"type":"mouse","action":"move","button":"none","x":0,"y":0,"mods":[]})"},
    {"\x1b[<116;1;1M", R"({"type":"mouse","action":"move","button":"none","x":0,"y":0,"mods":["shift","ctrl"]})"},
    {"\x1b[131;6;4M", R"({"type":"mouse","action":"move","button":"none","x":5,"y":3,"mods":[]})"},  // urxvt 1015
    {"\x1b[M\x83&%", R"({"type":"mouse","action":"move","button":"none","x":5,"y":4,"mods":[]})"},   // X10
    // The wheel itself is still a scroll.
    {"\x1b[<67;6;4M", R"({"type":"mouse","action":"scroll","button":"wheel_right","x":5,"y":3,"mods":[]})"},

    // ---- 5. C0 key codes in modifyOtherKeys and CSI u [xterm, kitty]: BackSpace as 8 ----
    {"\x1b[27;6;8~", R"({"type":"key","key":"backspace","mods":["shift","ctrl"]})"},
    {"\x1b[8;6u", R"({"type":"key","key":"backspace","mods":["shift","ctrl"]})"},
    {"\x1b[8u", R"({"type":"key","key":"backspace","mods":[]})"},
    {"\x1b[27;5;127~", R"({"type":"key","key":"backspace","mods":["ctrl"]})"},
    {"\x1b[27;2;9~", R"({"type":"key","key":"tab","mods":["shift"]})"},
    {"\x1b[13;5u", R"({"type":"key","key":"enter","mods":["ctrl"]})"},
    {"\x1b[27;3;27~", R"({"type":"key","key":"escape","mods":["alt"]})"},
    {"\x1b[127;3u", R"({"type":"key","key":"backspace","mods":["alt"]})"},

    // ---- 8. xterm's keys marked private: modifyCursorKeys / modifyFunctionKeys /
    // modifyKeypadKeys = 3 [xterm: "mark the sequence with a > to hint that it is private"] ----
    {"\x1b[>1;5A", R"({"type":"key","key":"up","mods":["ctrl"]})"},
    {"\x1b[>1;2D", R"({"type":"key","key":"left","mods":["shift"]})"},
    {"\x1b[>1;3H", R"({"type":"key","key":"home","mods":["alt"]})"},
    {"\x1b[>1;6F", R"({"type":"key","key":"end","mods":["shift","ctrl"]})"},
    {"\x1b[>1;2P", R"({"type":"key","key":"f1","mods":["shift"]})"},
    {"\x1b[>1;5R", R"({"type":"key","key":"f3","mods":["ctrl"]})"},
    {"\x1b[>1;1R", R"({"type":"key","key":"f3","mods":[]})"},  // never a position report
    {"\x1b[>15;3~", R"({"type":"key","key":"f5","mods":["alt"]})"},
    {"\x1b[>24;5~", R"({"type":"key","key":"f12","mods":["ctrl"]})"},
    {"\x1b[>3;5~", R"({"type":"key","key":"delete","mods":["ctrl"]})"},
    {"\x1b[>5;2~", R"({"type":"key","key":"pageup","mods":["shift"]})"},
    {"\x1b[>1;5j", R"({"type":"key","key":"kp_multiply","mods":["ctrl"]})"},
    {"\x1b[>1;2p", R"({"type":"key","key":"kp_0","mods":["shift"]})"},
    {"\x1b[>1;3M", R"({"type":"key","key":"kp_enter","mods":["alt"]})"},
    {"\x1b[>1;5X", R"({"type":"key","key":"kp_equal","mods":["ctrl"]})"},
    // DA2 keeps its final; the paste start and modifyOtherKeys have no private form.
    {"\x1b[>41;380;0c", R"({"type":"report","what":"da2","value":[41,380,0]})"},
    {"\x1b[>200~", R"({"type":"unknown","bytes":"1b5b3e3230307e"})"},
    {"\x1b[>27;5;97~", R"({"type":"unknown","bytes":"1b5b3e32373b353b39377e"})"},
    {"\x1b[>1;5z", R"({"type":"unknown","bytes":"1b5b3e313b357a"})"},
    {"\x1b[>2;5j", R"({"type":"unknown","bytes":"1b5b3e323b356a"})"},

    // ---- 7. kitty's text with no key, `CSI 0 ; mods ; text u` [kitty "Text as code points":
    // "If no known key is associated with the text the key number 0 must be used"]: one
    // character key per code point, as the same text typed without the protocol. ----
    {"\x1b[0;;233u", R"({"type":"key","key":"é","mods":[],"text":"é"})"},
    {"\x1b[0;1;26085:26412u",
     R"({"type":"key","key":"日","mods":[],"text":"日"} {"type":"key","key":"本","mods":[],"text":"本"})"},
    {"\x1b[0;2;192u", R"({"type":"key","key":"À","mods":["shift"],"text":"À"})"},
    {"\x1b[0;;101:769u", "{\"type\":\"key\",\"key\":\"e\",\"mods\":[],\"text\":\"e\"} "
                         "{\"type\":\"key\",\"key\":\"\xcc\x81\",\"mods\":[],\"text\":\"\xcc\x81\"}"},
    {"\x1b[0;1:2;97u", R"({"type":"key","key":"a","mods":[],"kind":"repeat","text":"a"})"},
    {"a\x1b[0;;98:99ud",
     R"({"type":"key","key":"a","mods":[],"text":"a"} {"type":"key","key":"b","mods":[],"text":"b"} {"type":"key","key":"c","mods":[],"text":"c"} {"type":"key","key":"d","mods":[],"text":"d"})"},
    // ESC before it is an Escape of its own (the text carries its modifiers).
    {"\x1b\x1b[0;;98:99u",
     R"({"type":"key","key":"escape","mods":[]} {"type":"key","key":"b","mods":[],"text":"b"} {"type":"key","key":"c","mods":[],"text":"c"})"},
    // No text, or a code point that is not a Unicode scalar: no meaning.
    {"\x1b[0u", R"({"type":"unknown","bytes":"1b5b3075"})"},
    {"\x1b[0;5u", R"({"type":"unknown","bytes":"1b5b303b3575"})"},
    {"\x1b[0;;55296u", R"({"type":"unknown","bytes":"1b5b303b3b353532393675"})"},

    // ---- 9. win32-input-mode, `CSI Vk ; Sc ; Uc ; Kd ; Cs ; Rc _` [win32]: the spec's
    // examples, then the key tables. ----
    // Ctrl+F1: Ctrl down, F1 down, F1 up, Ctrl up (NumLock on: 0x20).
    {"\x1b[17;29;0;1;40;1_", R"({"type":"key","key":"left_ctrl","mods":["ctrl","numlock"]})"},
    {"\x1b[112;59;0;1;40;1_", R"({"type":"key","key":"f1","mods":["ctrl","numlock"]})"},
    {"\x1b[112;59;0;0;40;1_", R"({"type":"key","key":"f1","mods":["ctrl","numlock"],"kind":"release"})"},
    {"\x1b[17;29;0;0;32;1_", R"({"type":"key","key":"left_ctrl","mods":["numlock"],"kind":"release"})"},
    // The short forms: missing parameters take the spec's defaults (Kd 0, Cs 0, Rc 1).
    {"\x1b[17;29;;1;8_", R"({"type":"key","key":"left_ctrl","mods":["ctrl"]})"},
    {"\x1b[112;59;;;8_", R"({"type":"key","key":"f1","mods":["ctrl"],"kind":"release"})"},
    {"\x1b[17;29_", R"({"type":"key","key":"left_ctrl","mods":[],"kind":"release"})"},
    // Ctrl+Alt+A: Uc 0, the key from Vk.
    {"\x1b[65;30;0;1;10;1_", R"({"type":"key","key":"a","mods":["alt","ctrl"]})"},
    // Shift+A and a: the character from Uc, text on the press.
    {"\x1b[16;42;;1;16_", R"({"type":"key","key":"left_shift","mods":["shift"]})"},
    {"\x1b[65;30;65;1;16_", R"({"type":"key","key":"A","mods":["shift"],"text":"A"})"},
    {"\x1b[65;30;97_", R"({"type":"key","key":"a","mods":[],"kind":"release"})"},
    {"\x1b[65;30;97;1_", R"({"type":"key","key":"a","mods":[],"text":"a"})"},
    {"\x1b[65;30;1;1;8_", R"({"type":"key","key":"a","mods":["ctrl"]})"},  // Ctrl+A: Uc ^A
    {"\x1b[32;57;0;1;8_", R"({"type":"key","key":" ","mods":["ctrl"]})"},  // Ctrl+Space
    {"\x1b[65;30;97;1;2_", R"({"type":"key","key":"a","mods":["alt"]})"},  // Alt+a: no text
    // AltGr (right Alt + left Ctrl) producing a character: the character alone.
    {"\x1b[81;16;64;1;9_", R"({"type":"key","key":"@","mods":[],"text":"@"})"},
    {"\x1b[18;56;0;1;265_", R"({"type":"key","key":"right_alt","mods":["alt","ctrl"]})"},
    // Named keys, left and right modifier keys, the keypad.
    {"\x1b[13;28;13;1_", R"({"type":"key","key":"enter","mods":[]})"},
    {"\x1b[13;28;13;1;256_", R"({"type":"key","key":"kp_enter","mods":[]})"},
    {"\x1b[13;28;13;1;16_", R"({"type":"key","key":"enter","mods":["shift"]})"},  // Shift+Enter
    {"\x1b[8;14;8;1_", R"({"type":"key","key":"backspace","mods":[]})"},
    {"\x1b[9;15;9;1;16_", R"({"type":"key","key":"tab","mods":["shift"]})"},
    {"\x1b[27;1;27;1_", R"({"type":"key","key":"escape","mods":[]})"},
    {"\x1b[38;72;0;1;256_", R"({"type":"key","key":"up","mods":[]})"},
    {"\x1b[37;75;0;1;264_", R"({"type":"key","key":"left","mods":["ctrl"]})"},
    {"\x1b[36;71;0;1;256_", R"({"type":"key","key":"home","mods":[]})"},
    {"\x1b[46;83;0;1;256_", R"({"type":"key","key":"delete","mods":[]})"},
    {"\x1b[34;81;0;1;256_", R"({"type":"key","key":"pagedown","mods":[]})"},
    {"\x1b[135;0;0;1_", R"({"type":"key","key":"f24","mods":[]})"},
    {"\x1b[16;54;;1;16_", R"({"type":"key","key":"right_shift","mods":["shift"]})"},
    {"\x1b[17;29;;1;260_", R"({"type":"key","key":"right_ctrl","mods":["ctrl"]})"},
    {"\x1b[18;56;;1;2_", R"({"type":"key","key":"left_alt","mods":["alt"]})"},
    {"\x1b[91;91;;1;256_", R"({"type":"key","key":"left_super","mods":[]})"},
    {"\x1b[97;79;49;1;32_", R"({"type":"key","key":"kp_1","mods":["numlock"],"text":"1"})"},
    {"\x1b[107;78;43;1;32_", R"({"type":"key","key":"kp_plus","mods":["numlock"],"text":"+"})"},
    {"\x1b[12;76;0;1_", R"({"type":"key","key":"kp_begin","mods":[]})"},
    {"\x1b[20;58;0;1;128_", R"({"type":"key","key":"capslock","mods":["capslock"]})"},
    {"\x1b[179;0;0;1_", R"({"type":"key","key":"media_play_pause","mods":[]})"},
    {"\x1b[186;39;59;1_", R"({"type":"key","key":";","mods":[],"text":";"})"},
    {"\x1b[186;39;0;1;8_", R"({"type":"key","key":";","mods":["ctrl"]})"},
    // A character with no key (an input method's text): Vk 0.
    {"\x1b[0;0;233;1_", R"({"type":"key","key":"é","mods":[],"text":"é"})"},
    {"\x1b[0;0;13;1_", R"({"type":"key","key":"enter","mods":[]})"},
    // The repeat count: a press, then repeats; a release is one event.
    {"\x1b[65;30;97;1;0;3_",
     R"({"type":"key","key":"a","mods":[],"text":"a"} {"type":"key","key":"a","mods":[],"kind":"repeat","text":"a"} {"type":"key","key":"a","mods":[],"kind":"repeat","text":"a"})"},
    {"\x1b[65;30;97;0;0;3_", R"({"type":"key","key":"a","mods":[],"kind":"release"})"},
    {"\x1b[65;30;97;1;0;0_", R"({"type":"key","key":"a","mods":[],"text":"a"})"},
    // No key: the SCO Ctrl+Shift+F10 form (a bare CSI _), an unnamed Vk with no character, a
    // surrogate half, a value out of range.
    {"\x1b[_", R"({"type":"unknown","bytes":"1b5b5f"})"},
    {"\x1b[180;0;0;1_", R"({"type":"unknown","bytes":"1b5b3138303b303b303b315f"})"},
    {"\x1b[0;0;55357;1_", R"({"type":"unknown","bytes":"1b5b303b303b35353335373b315f"})"},
    {"\x1b[65;30;97;2_", R"({"type":"unknown","bytes":"1b5b36353b33303b39373b325f"})"},
};

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("keys as real terminals send them: exact events, split, handed over, fast paths on and off")
    {
        for (const Row& r : k_terminal_rows) {
            INFO(context(r));
            CHECK(json(check_decoding(r.in, options_for(r.opt))) == r.want);
        }
    }

    TEST_CASE("a bare CSI M waits only the ESC timeout, then is st's Ctrl+Delete")
    {
        for (std::string_view in : {"\x1b[M"sv, "\x1b\x1b[M"sv, "\x9bM"sv}) {
            INFO(hex(in));
            Decoder d;
            std::vector<Event> out;
            d.feed(in, t0, out);
            CHECK(out.empty());
            REQUIRE(d.deadline().has_value());
            CHECK(*d.deadline() == t0 + d.options().esc_timeout);
            d.flush(*d.deadline(), out);
            REQUIRE(out.size() == 1);
            CHECK(std::get<KeyEvent>(out[0]).key == Key::del);
            CHECK(std::get<KeyEvent>(out[0]).mods.has(Mod::ctrl));
            CHECK_FALSE(d.deadline().has_value());
        }
        // Once a report's first byte has arrived it waits the stale timeout, as before.
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[M ", t0, out);
        CHECK(*d.deadline() == t0 + d.options().stale_timeout);
        // A report split right after CSI M and completed within the ESC timeout is a report.
        Decoder split;
        split.feed("\x1b[M", t0, out);
        split.flush(t0 + 49ms, out);
        split.feed(" !!", t0 + 49ms, out);
        CHECK(json(out) == R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":[]})");
    }

    TEST_CASE("a bare CSI M is the key the terminal's KeyMap gives it, if it gives one")
    {
        // TERM=scoansi: kf1=\E[M.
        auto sco = std::make_shared<const KeyMap>(std::vector<KeyMap::Entry>{{"\x1b[M", function_key(1), {}}});
        CHECK(json(check_decoding("\x1b[M", Setup({}, sco))) == R"({"type":"key","key":"f1","mods":[]})");
        CHECK(json(check_decoding("\x1b[M !!", Setup({}, sco))) ==
              R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":[]})");
        // A longer entry that starts with CSI M is not the bare key.
        auto longer = std::make_shared<const KeyMap>(std::vector<KeyMap::Entry>{{"\x1b[M!", function_key(2), {}}});
        CHECK(json(check_decoding("\x1b[M", Setup({}, longer))) == R"({"type":"key","key":"delete","mods":["ctrl"]})");
    }

    TEST_CASE("U+0080 + a C0 byte takes the terminal's meaning of that byte")
    {
        // kbs=^H: Alt+BackSpace under eightBitInput is U+0088.
        auto kbs = std::make_shared<const KeyMap>(std::vector<KeyMap::Entry>{{"\x08", Key::backspace, {}}});
        CHECK(json(check_decoding("\xc2\x88", Setup({}, kbs))) == R"({"type":"key","key":"backspace","mods":["alt"]})");
    }

    TEST_CASE("a CPR after a request is a report even with the lock bits' values")
    {
        Decoder d;
        std::vector<Event> out;
        d.expect_cursor_position();
        d.feed("\x1b[1;193R\x1b[1;193R", t0, out);
        CHECK(
            json(out) ==
            R"({"type":"cursor_position","row":1,"col":193} {"type":"key","key":"f3","mods":["capslock","numlock"]})");
    }

    TEST_CASE("a win32-input-mode repeat count is capped")
    {
        const std::vector<Event> events = check_decoding("\x1b[65;30;97;1;0;65535_");
        CHECK(events.size() == 64);
    }

    TEST_CASE("time never ends a paste: a pause delivers what arrived as a continued part")
    {
        // [mlterm] a long paste that pauses for longer than the stale timeout.
        Decoder d;
        std::vector<Event> out;
        const auto stale = d.options().stale_timeout;
        d.feed("\x1b[200~first half", t0, out);
        REQUIRE(d.deadline().has_value());
        CHECK(*d.deadline() == t0 + stale);
        d.flush(t0 + stale, out);
        CHECK(json(out) == R"({"type":"paste","text":"first half","continued":true})");
        // Nothing more to deliver, so no deadline and nothing held; still inside the paste.
        CHECK_FALSE(d.deadline().has_value());
        CHECK(d.pending_bytes() == 0);
        d.flush(t0 + 10 * stale, out);
        CHECK(out.size() == 1);
        // The tail is paste, never keys, and the end marker ends it.
        d.feed(" and \x1b[A tail\x1b[201~x", t0 + 3 * stale, out);
        CHECK(
            json(out) ==
            R"({"type":"paste","text":"first half","continued":true} {"type":"paste","text":" and \u001b[A tail"} {"type":"key","key":"x","mods":[],"text":"x"})");
        CHECK_FALSE(d.deadline().has_value());
    }

    TEST_CASE("a paste paused in its end marker still ends at the marker")
    {
        for (std::size_t cut = 1; cut < 6; ++cut) {
            INFO("marker bytes before the pause: " << cut);
            const std::string marker = "\x1b[201~";
            Decoder d;
            std::vector<Event> out;
            d.feed("\x1b[200~abc" + marker.substr(0, cut), t0, out);
            CHECK(*d.deadline() == t0 + d.options().stale_timeout);
            d.flush(t0 + d.options().stale_timeout, out);
            CHECK(json(out) == R"({"type":"paste","text":"abc","continued":true})");
            CHECK_FALSE(d.deadline().has_value());
            CHECK(d.pending_bytes() == 0);
            // Handed over at this point, a fresh decoder continues the same paste.
            Decoder next;
            next.feed(d.take_pending(), t0 + 2s, out);
            next.feed(marker.substr(cut) + "z", t0 + 2s, out);
            CHECK(
                json(out) ==
                R"({"type":"paste","text":"abc","continued":true} {"type":"paste","text":""} {"type":"key","key":"z","mods":[],"text":"z"})");
        }
        // Not a marker after all: its bytes are paste text.
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[200~abc\x1b[20", t0, out);
        d.flush(t0 + d.options().stale_timeout, out);
        d.feed("x\x1b[201~", t0 + 2s, out);
        CHECK(json(out) == R"({"type":"paste","text":"abc","continued":true} {"type":"paste","text":"\u001b[20x"})");
        // The end of the input ends the paste, a partial marker included as text.
        Decoder e;
        out.clear();
        e.feed("\x1b[200~abc\x1b[201", t0, out);
        e.flush(t0 + e.options().stale_timeout, out);
        e.finish(out);
        CHECK(json(out) == R"({"type":"paste","text":"abc","continued":true} {"type":"paste","text":"\u001b[201"})");
    }
}
