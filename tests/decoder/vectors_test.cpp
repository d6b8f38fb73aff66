// The project's own decoder vectors as one table, each row checked for its exact events and,
// through the shared checker (tests/support/decoding.hpp), for every property the decoder
// promises: split invariance, hand-over through take_pending, bounded pending bytes,
// resumption, and the same events with the fast paths on and off. Where a row encodes a
// choice rather than a standard, its comment says whose convention it follows.
#include <doctest/doctest.h>

#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "decoder_test.hpp"
#include "support/doctest_checks.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"

using namespace std::literals;
using namespace vtinput;
using namespace vtinput::test;

namespace {

// The project's own vectors. Where a row encodes a choice rather than a standard, the comment
// says whose convention it follows.
const Row k_vector_rows[] = {
    // ---- printable ASCII and UTF-8: one key each, text filled ----
    {"a", R"({"type":"key","key":"a","mods":[],"text":"a"})"},
    {"Z", R"({"type":"key","key":"Z","mods":[],"text":"Z"})"},
    {" ", R"({"type":"key","key":" ","mods":[],"text":" "})"},
    {"~", R"({"type":"key","key":"~","mods":[],"text":"~"})"},
    {"\"", R"({"type":"key","key":"\"","mods":[],"text":"\""})"},
    {"\\", R"({"type":"key","key":"\\","mods":[],"text":"\\"})"},
    {"ab", R"({"type":"key","key":"a","mods":[],"text":"a"} {"type":"key","key":"b","mods":[],"text":"b"})"},
    {"\xc3\xa9", R"({"type":"key","key":"é","mods":[],"text":"é"})"},
    {"\xd0\xb6", R"({"type":"key","key":"ж","mods":[],"text":"ж"})"},
    {"\xe2\x82\xac", R"({"type":"key","key":"€","mods":[],"text":"€"})"},
    {"\xf0\x9f\x98\x80", R"({"type":"key","key":"😀","mods":[],"text":"😀"})"},
    {"\xf4\x8f\xbf\xbf", "{\"type\":\"key\",\"key\":\"\xf4\x8f\xbf\xbf\",\"mods\":[],\"text\":\"\xf4\x8f\xbf\xbf\"}"},

    // ---- C0 controls and DEL ----
    {"\x00"sv, R"({"type":"key","key":" ","mods":["ctrl"]})"},
    {"\x01", R"({"type":"key","key":"a","mods":["ctrl"]})"},
    {"\x03", R"({"type":"key","key":"c","mods":["ctrl"]})"},
    {"\x08", R"({"type":"key","key":"h","mods":["ctrl"]})"},  // documented choice: not backspace
    {"\x09", R"({"type":"key","key":"tab","mods":[]})"},
    {"\x0a", R"({"type":"key","key":"j","mods":["ctrl"]})"},  // documented choice: not enter
    {"\x0d", R"({"type":"key","key":"enter","mods":[]})"},
    {"\x1a", R"({"type":"key","key":"z","mods":["ctrl"]})"},
    {"\x1c", R"({"type":"key","key":"\\","mods":["ctrl"]})"},
    {"\x1d", R"({"type":"key","key":"]","mods":["ctrl"]})"},
    {"\x1e", R"({"type":"key","key":"^","mods":["ctrl"]})"},
    {"\x1f", R"({"type":"key","key":"_","mods":["ctrl"]})"},
    {"\x7f", R"({"type":"key","key":"backspace","mods":[]})"},

    // ---- Alt by ESC prefix ----
    {"\x1b", R"({"type":"key","key":"escape","mods":[]})"},
    {"\x1b"
     "a",
     R"({"type":"key","key":"a","mods":["alt"]})"},
    {"\x1b"
     "A",
     R"({"type":"key","key":"A","mods":["alt"]})"},
    {"\x1b ", R"({"type":"key","key":" ","mods":["alt"]})"},
    {"\x1b\xc3\xa9", R"({"type":"key","key":"é","mods":["alt"]})"},
    {"\x1b\x01", R"({"type":"key","key":"a","mods":["alt","ctrl"]})"},
    {"\x1b\x00"sv, R"({"type":"key","key":" ","mods":["alt","ctrl"]})"},
    {"\x1b\x0d", R"({"type":"key","key":"enter","mods":["alt"]})"},
    {"\x1b\x7f", R"({"type":"key","key":"backspace","mods":["alt"]})"},
    {"\x1b\x1b", R"({"type":"key","key":"escape","mods":["alt"]})"},
    {"\x1b\x1b[A", R"({"type":"key","key":"up","mods":["alt"]})"},
    {"\x1b\x1bOP", R"({"type":"key","key":"f1","mods":["alt"]})"},
    // An introducer that timed out is Alt + that character.
    {"\x1b[", R"({"type":"key","key":"[","mods":["alt"]})"},
    {"\x1bO", R"({"type":"key","key":"O","mods":["alt"]})"},
    {"\x1bP", R"({"type":"key","key":"P","mods":["alt"]})"},
    {"\x1b]", R"({"type":"key","key":"]","mods":["alt"]})"},
    {"\x1b_", R"({"type":"key","key":"_","mods":["alt"]})"},
    // ESC before a unit that already carries Alt is an Escape key of its own: no byte is lost.
    {"\x1b\x1b"
     "a",
     R"({"type":"key","key":"escape","mods":[]} {"type":"key","key":"a","mods":["alt"]})"},
    {"\x1b\x1b[", R"({"type":"key","key":"escape","mods":[]} {"type":"key","key":"[","mods":["alt"]})"},
    {"\x1b\x1b\x1b", R"({"type":"key","key":"escape","mods":[]} {"type":"key","key":"escape","mods":["alt"]})"},
    {"\x1b\x1b[1;3A", R"({"type":"key","key":"escape","mods":[]} {"type":"key","key":"up","mods":["alt"]})"},
    // ESC before something that is not a key: Escape, then that event.
    {"\x1b\x1b[I", R"({"type":"key","key":"escape","mods":[]} {"type":"focus","gained":true})"},
    {"\x1b\xff", R"({"type":"key","key":"escape","mods":[]} {"type":"unknown","bytes":"ff"})"},

    // ---- cursor keys, CSI and SS3, xterm modifiers ----
    {"\x1b[A", R"({"type":"key","key":"up","mods":[]})"},
    {"\x1b[B", R"({"type":"key","key":"down","mods":[]})"},
    {"\x1b[C", R"({"type":"key","key":"right","mods":[]})"},
    {"\x1b[D", R"({"type":"key","key":"left","mods":[]})"},
    {"\x1b[E", R"({"type":"key","key":"begin","mods":[]})"},
    {"\x1b[F", R"({"type":"key","key":"end","mods":[]})"},
    {"\x1b[H", R"({"type":"key","key":"home","mods":[]})"},
    {"\x1b[1;2A", R"({"type":"key","key":"up","mods":["shift"]})"},
    {"\x1b[1;3B", R"({"type":"key","key":"down","mods":["alt"]})"},
    {"\x1b[1;5A", R"({"type":"key","key":"up","mods":["ctrl"]})"},
    {"\x1b[1;5C", R"({"type":"key","key":"right","mods":["ctrl"]})"},
    {"\x1b[1;6D", R"({"type":"key","key":"left","mods":["shift","ctrl"]})"},
    {"\x1b[1;7H", R"({"type":"key","key":"home","mods":["alt","ctrl"]})"},
    {"\x1b[1;8F", R"({"type":"key","key":"end","mods":["shift","alt","ctrl"]})"},
    {"\x1b[1;9A", R"({"type":"key","key":"up","mods":["super"]})"},  // xterm's "meta" bit
    {"\x1bOA", R"({"type":"key","key":"up","mods":[]})"},
    {"\x1bOB", R"({"type":"key","key":"down","mods":[]})"},
    {"\x1bOC", R"({"type":"key","key":"right","mods":[]})"},
    {"\x1bOD", R"({"type":"key","key":"left","mods":[]})"},
    {"\x1bOE", R"({"type":"key","key":"begin","mods":[]})"},
    {"\x1bOF", R"({"type":"key","key":"end","mods":[]})"},
    {"\x1bOH", R"({"type":"key","key":"home","mods":[]})"},
    {"\x1bO5A", R"({"type":"key","key":"up","mods":["ctrl"]})"},  // old xterm
    {"\x1bO1;3B", R"({"type":"key","key":"down","mods":["alt"]})"},

    // ---- function keys ----
    {"\x1bOP", R"({"type":"key","key":"f1","mods":[]})"},
    {"\x1bOQ", R"({"type":"key","key":"f2","mods":[]})"},
    {"\x1bOR", R"({"type":"key","key":"f3","mods":[]})"},
    {"\x1bOS", R"({"type":"key","key":"f4","mods":[]})"},
    {"\x1b[1;2P", R"({"type":"key","key":"f1","mods":["shift"]})"},
    {"\x1b[1;5Q", R"({"type":"key","key":"f2","mods":["ctrl"]})"},
    {"\x1b[1;2R", R"({"type":"key","key":"f3","mods":["shift"]})"},
    {"\x1b[1;3S", R"({"type":"key","key":"f4","mods":["alt"]})"},
    {"\x1b[11~", R"({"type":"key","key":"f1","mods":[]})"},
    {"\x1b[14~", R"({"type":"key","key":"f4","mods":[]})"},
    {"\x1b[15~", R"({"type":"key","key":"f5","mods":[]})"},
    {"\x1b[17~", R"({"type":"key","key":"f6","mods":[]})"},
    {"\x1b[18~", R"({"type":"key","key":"f7","mods":[]})"},
    {"\x1b[19~", R"({"type":"key","key":"f8","mods":[]})"},
    {"\x1b[20~", R"({"type":"key","key":"f9","mods":[]})"},
    {"\x1b[21~", R"({"type":"key","key":"f10","mods":[]})"},
    {"\x1b[23~", R"({"type":"key","key":"f11","mods":[]})"},
    {"\x1b[24~", R"({"type":"key","key":"f12","mods":[]})"},
    {"\x1b[15;3~", R"({"type":"key","key":"f5","mods":["alt"]})"},
    {"\x1b[24;5~", R"({"type":"key","key":"f12","mods":["ctrl"]})"},
    {"\x1b[25~", R"({"type":"key","key":"f13","mods":[]})"},
    {"\x1b[26~", R"({"type":"key","key":"f14","mods":[]})"},
    {"\x1b[28~", R"({"type":"key","key":"f15","mods":[]})"},
    {"\x1b[29~", R"({"type":"key","key":"menu","mods":[]})"},  // kitty/urxvt Menu, VT220 "Do"
    {"\x1b[31~", R"({"type":"key","key":"f17","mods":[]})"},
    {"\x1b[32~", R"({"type":"key","key":"f18","mods":[]})"},
    {"\x1b[33~", R"({"type":"key","key":"f19","mods":[]})"},
    {"\x1b[34~", R"({"type":"key","key":"f20","mods":[]})"},

    // ---- editing keys ----
    {"\x1b[1~", R"({"type":"key","key":"home","mods":[]})"},
    {"\x1b[2~", R"({"type":"key","key":"insert","mods":[]})"},
    {"\x1b[3~", R"({"type":"key","key":"delete","mods":[]})"},
    {"\x1b[4~", R"({"type":"key","key":"end","mods":[]})"},
    {"\x1b[5~", R"({"type":"key","key":"pageup","mods":[]})"},
    {"\x1b[6~", R"({"type":"key","key":"pagedown","mods":[]})"},
    {"\x1b[7~", R"({"type":"key","key":"home","mods":[]})"},  // rxvt
    {"\x1b[8~", R"({"type":"key","key":"end","mods":[]})"},   // rxvt
    {"\x1b[3;5~", R"({"type":"key","key":"delete","mods":["ctrl"]})"},
    {"\x1b[5;2~", R"({"type":"key","key":"pageup","mods":["shift"]})"},

    // ---- DEC application keypad ----
    {"\x1bOj", R"({"type":"key","key":"kp_multiply","mods":[]})"},
    {"\x1bOk", R"({"type":"key","key":"kp_plus","mods":[]})"},
    {"\x1bOl", R"({"type":"key","key":"kp_separator","mods":[]})"},
    {"\x1bOm", R"({"type":"key","key":"kp_minus","mods":[]})"},
    {"\x1bOn", R"({"type":"key","key":"kp_decimal","mods":[]})"},
    {"\x1bOo", R"({"type":"key","key":"kp_divide","mods":[]})"},
    {"\x1bOp", R"({"type":"key","key":"kp_0","mods":[]})"},
    {"\x1bOq", R"({"type":"key","key":"kp_1","mods":[]})"},
    {"\x1bOu", R"({"type":"key","key":"kp_5","mods":[]})"},
    {"\x1bOy", R"({"type":"key","key":"kp_9","mods":[]})"},
    {"\x1bOM", R"({"type":"key","key":"kp_enter","mods":[]})"},
    {"\x1bOX", R"({"type":"key","key":"kp_equal","mods":[]})"},

    // ---- rxvt ----
    {"\x1b[2$", R"({"type":"key","key":"insert","mods":["shift"]})"},
    {"\x1b[2^", R"({"type":"key","key":"insert","mods":["ctrl"]})"},
    {"\x1b[2@", R"({"type":"key","key":"insert","mods":["shift","ctrl"]})"},
    {"\x1b[3$", R"({"type":"key","key":"delete","mods":["shift"]})"},
    {"\x1b[5^", R"({"type":"key","key":"pageup","mods":["ctrl"]})"},
    {"\x1b[7$", R"({"type":"key","key":"home","mods":["shift"]})"},
    {"\x1b[8^", R"({"type":"key","key":"end","mods":["ctrl"]})"},
    {"\x1b[11^", R"({"type":"key","key":"f1","mods":["ctrl"]})"},
    {"\x1b[23$", R"({"type":"key","key":"f11","mods":["shift"]})"},
    {"\x1b[a", R"({"type":"key","key":"up","mods":["shift"]})"},
    {"\x1b[b", R"({"type":"key","key":"down","mods":["shift"]})"},
    {"\x1b[c", R"({"type":"key","key":"right","mods":["shift"]})"},
    {"\x1b[d", R"({"type":"key","key":"left","mods":["shift"]})"},
    {"\x1bOa", R"({"type":"key","key":"up","mods":["ctrl"]})"},
    {"\x1bOb", R"({"type":"key","key":"down","mods":["ctrl"]})"},
    {"\x1bOc", R"({"type":"key","key":"right","mods":["ctrl"]})"},
    {"\x1bOd", R"({"type":"key","key":"left","mods":["ctrl"]})"},

    // ---- back-tab, linux console ----
    {"\x1b[Z", R"({"type":"key","key":"tab","mods":["shift"]})"},
    {"\x1b[1;5Z", R"({"type":"key","key":"tab","mods":["shift","ctrl"]})"},
    {"\x1b[[A", R"({"type":"key","key":"f1","mods":[]})"},
    {"\x1b[[B", R"({"type":"key","key":"f2","mods":[]})"},
    {"\x1b[[C", R"({"type":"key","key":"f3","mods":[]})"},
    {"\x1b[[D", R"({"type":"key","key":"f4","mods":[]})"},
    {"\x1b[[E", R"({"type":"key","key":"f5","mods":[]})"},

    // ---- xterm modifyOtherKeys ----
    {"\x1b[27;5;97~", R"({"type":"key","key":"a","mods":["ctrl"]})"},
    {"\x1b[27;2;13~", R"({"type":"key","key":"enter","mods":["shift"]})"},
    {"\x1b[27;5;9~", R"({"type":"key","key":"tab","mods":["ctrl"]})"},
    {"\x1b[27;3;27~", R"({"type":"key","key":"escape","mods":["alt"]})"},
    {"\x1b[27;6;65~", R"({"type":"key","key":"A","mods":["shift","ctrl"]})"},

    // ---- kitty keyboard protocol ----
    {"\x1b[97u", R"({"type":"key","key":"a","mods":[]})"},
    {"\x1b[97;5u", R"({"type":"key","key":"a","mods":["ctrl"]})"},
    {"\x1b[97:65;2u", R"({"type":"key","key":"a","mods":["shift"],"shifted":"A"})"},
    {"\x1b[1092::97;5u", R"({"type":"key","key":"ф","mods":["ctrl"],"base":"a"})"},
    {"\x1b[1092:1060:97;2u", R"({"type":"key","key":"ф","mods":["shift"],"shifted":"Ф","base":"a"})"},
    {"\x1b[97;1:1u", R"({"type":"key","key":"a","mods":[]})"},
    {"\x1b[97;1:2u", R"({"type":"key","key":"a","mods":[],"kind":"repeat"})"},
    {"\x1b[97;1:3u", R"({"type":"key","key":"a","mods":[],"kind":"release"})"},
    {"\x1b[97;5:3u", R"({"type":"key","key":"a","mods":["ctrl"],"kind":"release"})"},
    {"\x1b[97;2;65u", R"({"type":"key","key":"a","mods":["shift"],"text":"A"})"},
    {"\x1b[97;;97u", R"({"type":"key","key":"a","mods":[],"text":"a"})"},
    {"\x1b[97;1;104:105u", R"({"type":"key","key":"a","mods":[],"text":"hi"})"},
    {"\x1b[97;9u", R"({"type":"key","key":"a","mods":["super"]})"},
    {"\x1b[97;17u", R"({"type":"key","key":"a","mods":["hyper"]})"},
    {"\x1b[97;33u", R"({"type":"key","key":"a","mods":["meta"]})"},
    {"\x1b[97;65u", R"({"type":"key","key":"a","mods":["capslock"]})"},
    {"\x1b[97;129u", R"({"type":"key","key":"a","mods":["numlock"]})"},
    {"\x1b[97;256u",
     R"({"type":"key","key":"a","mods":["shift","alt","ctrl","super","hyper","meta","capslock","numlock"]})"},
    {"\x1b[13u", R"({"type":"key","key":"enter","mods":[]})"},
    {"\x1b[9;2u", R"({"type":"key","key":"tab","mods":["shift"]})"},
    {"\x1b[27u", R"({"type":"key","key":"escape","mods":[]})"},
    {"\x1b[127;5u", R"({"type":"key","key":"backspace","mods":["ctrl"]})"},
    {"\x1b[57358u", R"({"type":"key","key":"capslock","mods":[]})"},
    {"\x1b[57359u", R"({"type":"key","key":"scrolllock","mods":[]})"},
    {"\x1b[57360u", R"({"type":"key","key":"numlock","mods":[]})"},
    {"\x1b[57361u", R"({"type":"key","key":"print","mods":[]})"},
    {"\x1b[57362u", R"({"type":"key","key":"pause","mods":[]})"},
    {"\x1b[57363u", R"({"type":"key","key":"menu","mods":[]})"},
    {"\x1b[57376u", R"({"type":"key","key":"f13","mods":[]})"},
    {"\x1b[57398u", R"({"type":"key","key":"f35","mods":[]})"},
    {"\x1b[57399u", R"({"type":"key","key":"kp_0","mods":[]})"},
    {"\x1b[57408u", R"({"type":"key","key":"kp_9","mods":[]})"},
    {"\x1b[57414u", R"({"type":"key","key":"kp_enter","mods":[]})"},
    {"\x1b[57427u", R"({"type":"key","key":"kp_begin","mods":[]})"},
    {"\x1b[57428u", R"({"type":"key","key":"media_play","mods":[]})"},
    {"\x1b[57440u", R"({"type":"key","key":"mute_volume","mods":[]})"},
    {"\x1b[57441u", R"({"type":"key","key":"left_shift","mods":[]})"},
    {"\x1b[57441;2:3u", R"({"type":"key","key":"left_shift","mods":["shift"],"kind":"release"})"},
    {"\x1b[57448u", R"({"type":"key","key":"right_ctrl","mods":[]})"},
    {"\x1b[57453u", R"({"type":"key","key":"iso_level3_shift","mods":[]})"},
    {"\x1b[57454u", R"({"type":"key","key":"iso_level5_shift","mods":[]})"},
    {"\x1b[1;5:3A", R"({"type":"key","key":"up","mods":["ctrl"],"kind":"release"})"},
    {"\x1b[1;1:2B", R"({"type":"key","key":"down","mods":[],"kind":"repeat"})"},
    {"\x1b[13;2~", R"({"type":"key","key":"f3","mods":["shift"]})"},
    {"\x1b[3;1:3~", R"({"type":"key","key":"delete","mods":[],"kind":"release"})"},

    // ---- SGR mouse (1006): x/y zero-based ----
    {"\x1b[<0;10;5M", R"({"type":"mouse","action":"press","button":"left","x":9,"y":4,"mods":[]})"},
    {"\x1b[<0;10;5m", R"({"type":"mouse","action":"release","button":"left","x":9,"y":4,"mods":[]})"},
    {"\x1b[<1;1;1M", R"({"type":"mouse","action":"press","button":"middle","x":0,"y":0,"mods":[]})"},
    {"\x1b[<2;80;24M", R"({"type":"mouse","action":"press","button":"right","x":79,"y":23,"mods":[]})"},
    {"\x1b[<2;80;24m", R"({"type":"mouse","action":"release","button":"right","x":79,"y":23,"mods":[]})"},
    {"\x1b[<32;11;5M", R"({"type":"mouse","action":"drag","button":"left","x":10,"y":4,"mods":[]})"},
    {"\x1b[<34;11;5M", R"({"type":"mouse","action":"drag","button":"right","x":10,"y":4,"mods":[]})"},
    {"\x1b[<35;11;5M", R"({"type":"mouse","action":"move","button":"none","x":10,"y":4,"mods":[]})"},
    {"\x1b[<64;3;4M", R"({"type":"mouse","action":"scroll","button":"wheel_up","x":2,"y":3,"mods":[]})"},
    {"\x1b[<65;3;4M", R"({"type":"mouse","action":"scroll","button":"wheel_down","x":2,"y":3,"mods":[]})"},
    {"\x1b[<66;3;4M", R"({"type":"mouse","action":"scroll","button":"wheel_left","x":2,"y":3,"mods":[]})"},
    {"\x1b[<67;3;4M", R"({"type":"mouse","action":"scroll","button":"wheel_right","x":2,"y":3,"mods":[]})"},
    {"\x1b[<128;1;1M", R"({"type":"mouse","action":"press","button":"b8","x":0,"y":0,"mods":[]})"},
    {"\x1b[<129;1;1M", R"({"type":"mouse","action":"press","button":"b9","x":0,"y":0,"mods":[]})"},
    {"\x1b[<130;1;1M", R"({"type":"mouse","action":"press","button":"b10","x":0,"y":0,"mods":[]})"},
    {"\x1b[<131;1;1M", R"({"type":"mouse","action":"press","button":"b11","x":0,"y":0,"mods":[]})"},
    {"\x1b[<128;1;1m", R"({"type":"mouse","action":"release","button":"b8","x":0,"y":0,"mods":[]})"},
    {"\x1b[<4;1;1M", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":["shift"]})"},
    {"\x1b[<8;1;1M", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":["alt"]})"},
    {"\x1b[<16;1;1M", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":["ctrl"]})"},
    {"\x1b[<28;1;1M", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":["shift","alt","ctrl"]})"},
    {"\x1b[<80;1;1M", R"({"type":"mouse","action":"scroll","button":"wheel_up","x":0,"y":0,"mods":["ctrl"]})"},
    {"\x1b[<0;0;0M", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":[]})"},
    {"\x1b[<0;1000;2000M", R"({"type":"mouse","action":"press","button":"left","x":999,"y":1999,"mods":[]})"},
    {"\x1b[<0;640;480M", R"({"type":"mouse","action":"press","button":"left","x":639,"y":479,"mods":[],"pixels":true})",
     Opt::pixels},
    {"\x1b[<35;1;1M", R"({"type":"mouse","action":"move","button":"none","x":0,"y":0,"mods":[],"pixels":true})",
     Opt::pixels},

    // ---- X10 / normal mouse (CSI M Cb Cx Cy, each + 32), mode 1005, urxvt 1015 ----
    {"\x1b[M !!", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":[]})"},
    {"\x1b[M!+5", R"({"type":"mouse","action":"press","button":"middle","x":10,"y":20,"mods":[]})"},
    {"\x1b[M#!!", R"({"type":"mouse","action":"release","button":"none","x":0,"y":0,"mods":[]})"},
    {"\x1b[M`!!", R"({"type":"mouse","action":"scroll","button":"wheel_up","x":0,"y":0,"mods":[]})"},
    {"\x1b[Ma!!", R"({"type":"mouse","action":"scroll","button":"wheel_down","x":0,"y":0,"mods":[]})"},
    {"\x1b[M@!!", R"({"type":"mouse","action":"drag","button":"left","x":0,"y":0,"mods":[]})"},
    {"\x1b[MC!!", R"({"type":"mouse","action":"move","button":"none","x":0,"y":0,"mods":[]})"},
    {"\x1b[M0!!", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":["ctrl"]})"},
    {"\x1b[M\xa0!!", R"({"type":"mouse","action":"press","button":"b8","x":0,"y":0,"mods":[]})"},
    {"\x1b[M \xff\xff", R"({"type":"mouse","action":"press","button":"left","x":222,"y":222,"mods":[]})"},
    {"\x1b[M !!", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":[]})", Opt::utf8},
    {"\x1b[M \xc4\x80!", R"({"type":"mouse","action":"press","button":"left","x":223,"y":0,"mods":[]})", Opt::utf8},
    {"\x1b[M \xc8\x80\xc4\xa0", R"({"type":"mouse","action":"press","button":"left","x":479,"y":255,"mods":[]})",
     Opt::utf8},
    {"\x1b[32;10;20M", R"({"type":"mouse","action":"press","button":"left","x":9,"y":19,"mods":[]})"},
    {"\x1b[35;1;1M", R"({"type":"mouse","action":"release","button":"none","x":0,"y":0,"mods":[]})"},
    {"\x1b[96;5;6M", R"({"type":"mouse","action":"scroll","button":"wheel_up","x":4,"y":5,"mods":[]})"},

    // ---- bracketed paste: byte for byte ----
    {"\x1b[200~hello\x1b[201~", R"({"type":"paste","text":"hello"})"},
    {"\x1b[200~\x1b[201~", R"({"type":"paste","text":""})"},
    {"\x1b[200~a\r\nb\x1b[201~", R"({"type":"paste","text":"a\r\nb"})"},
    {"\x1b[200~\x1b\x7f\x00\xff\xc3\x1b[201~"sv,
     R"({"type":"paste","text":"\u001b\u007f\u0000\ufffd\ufffd","bytes":"1b7f00ffc3"})"},
    {"\x1b[200~a\x1b[200~b\x1b[201~", R"({"type":"paste","text":"a\u001b[200~b"})"},
    {"\x1b[200~\x1b[20x\x1b[201~", R"({"type":"paste","text":"\u001b[20x"})"},
    {"\x1b[200~\xc3\xa9\x1b[201~", R"({"type":"paste","text":"é"})"},
    {"x\x1b[200~p\x1b[201~y",
     R"({"type":"key","key":"x","mods":[],"text":"x"} {"type":"paste","text":"p"} {"type":"key","key":"y","mods":[],"text":"y"})"},
    // A paste cut by the end of input is the paste so far, its partial end marker included.
    {"\x1b[200~abc\x1b[20", R"({"type":"paste","text":"abc\u001b[20"})"},

    // ---- focus, in-band resize ----
    {"\x1b[I", R"({"type":"focus","gained":true})"},
    {"\x1b[O", R"({"type":"focus","gained":false})"},
    {"\x1b[48;24;80;480;640t", R"({"type":"resize","cols":80,"rows":24,"width_px":640,"height_px":480})"},
    {"\x1b[48;24;80t", R"({"type":"resize","cols":80,"rows":24})"},

    // ---- cursor position reports (CSI 1;m R without a request is modified F3) ----
    {"\x1b[12;42R", R"({"type":"cursor_position","row":12,"col":42})"},
    {"\x1b[?5;7R", R"({"type":"cursor_position","row":5,"col":7})"},
    {"\x1b[?5;7;1R", R"({"type":"cursor_position","row":5,"col":7})"},
    {"\x1b[1;5R", R"({"type":"key","key":"f3","mods":["ctrl"]})"},
    {"\x1b[1;1R", R"({"type":"cursor_position","row":1,"col":1})"},
    {"\x1b[1;17R", R"({"type":"cursor_position","row":1,"col":17})"},
    {"\x1b[R", R"({"type":"key","key":"f3","mods":[]})"},

    // ---- terminal replies ----
    {"\x1b[?62;22c", R"({"type":"report","what":"da1","value":[62,22]})"},
    {"\x1b[?1;2c", R"({"type":"report","what":"da1","value":[1,2]})"},
    {"\x1b[>41;380;0c", R"({"type":"report","what":"da2","value":[41,380,0]})"},
    {"\x1b[?2004;1$y", R"({"type":"report","what":"decrpm","value":{"private":true,"mode":2004,"value":1}})"},
    {"\x1b[?2026;0$y", R"({"type":"report","what":"decrpm","value":{"private":true,"mode":2026,"value":0}})"},
    {"\x1b[4;2$y", R"({"type":"report","what":"decrpm","value":{"private":false,"mode":4,"value":2}})"},
    {"\x1b[?15u", R"({"type":"report","what":"kitty_flags","value":15})"},
    {"\x1b[?0u", R"({"type":"report","what":"kitty_flags","value":0})"},
    {"\x1b[?997;1n", R"({"type":"report","what":"color_scheme","value":"dark"})"},
    {"\x1b[?997;2n", R"({"type":"report","what":"color_scheme","value":"light"})"},
    {"\x1b[0n", R"({"type":"report","what":"status","value":[0]})"},
    {"\x1b[8;24;80t", R"({"type":"report","what":"window","value":[8,24,80]})"},
    {"\x1b]11;rgb:0000/0000/0000\x07", R"({"type":"report","what":"osc","value":"11;rgb:0000/0000/0000"})"},
    {"\x1b]11;rgb:ffff/ffff/ffff\x1b\\", R"({"type":"report","what":"osc","value":"11;rgb:ffff/ffff/ffff"})"},
    {"\x1b]52;c;aGVsbG8=\x07", R"({"type":"clipboard","selection":"c","text":"hello"})"},
    {"\x1b]\x07", R"({"type":"report","what":"osc","value":""})"},
    {"\x1bP>|XTerm(388)\x1b\\", R"j({"type":"report","what":"xtversion","value":"XTerm(388)"})j"},
    {"\x1bP1+r544e=787465726d\x1b\\", R"({"type":"report","what":"xtgettcap","value":"1+r544e=787465726d"})"},
    {"\x1bP0+r\x1b\\", R"({"type":"report","what":"xtgettcap","value":"0+r"})"},
    {"\x1bP1$r0m\x1b\\", R"({"type":"report","what":"decrqss","value":"1$r0m"})"},
    {"\x1bP!|7E565445\x1b\\", R"({"type":"report","what":"da3","value":"7E565445"})"},
    {"\x1bPabc\x1b\\", R"({"type":"report","what":"dcs","value":"abc"})"},
    {"\x1b_Gi=31;OK\x1b\\", R"({"type":"report","what":"apc","value":"Gi=31;OK"})"},
    // A string aborted by ESC + anything but `\` is unknown; the ESC starts the next unit.
    {"\x1b]11;rgb:0\x1b[A", R"({"type":"unknown","bytes":"1b5d31313b7267623a30"} {"type":"key","key":"up","mods":[]})"},

    // ---- 8-bit C1 forms ----
    {"\x9b"
     "A",
     R"({"type":"key","key":"up","mods":[]})"},
    {"\x9b"
     "1;5A",
     R"({"type":"key","key":"up","mods":["ctrl"]})"},
    {"\x9b"
     "<0;1;1M",
     R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":[]})"},
    {"\x8f"
     "P",
     R"({"type":"key","key":"f1","mods":[]})"},
    {"\x8f"
     "A",
     R"({"type":"key","key":"up","mods":[]})"},
    {"\x90>|foot\x9c", R"({"type":"report","what":"xtversion","value":"foot"})"},
    {"\x90>|foot\x1b\\", R"({"type":"report","what":"xtversion","value":"foot"})"},
    {"\x9d"
     "11;rgb:1/2/3\x07",
     R"({"type":"report","what":"osc","value":"11;rgb:1/2/3"})"},
    {"\x9d"
     "0;t\x9c",
     R"({"type":"report","what":"osc","value":"0;t"})"},
    {"\x9b", R"({"type":"unknown","bytes":"9b"})"},
    {"\x9d", R"({"type":"unknown","bytes":"9d"})"},

    // ---- invalid UTF-8: each invalid sequence (its lead and the continuation bytes it
    // announces) is one unknown event; decoding goes on after it. Its continuation bytes are
    // never 8-bit C1 controls (0x90 DCS, 0x9b CSI) that would swallow the input after them. ----
    {"\x80"
     "x",
     R"({"type":"unknown","bytes":"80"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xbf", R"({"type":"unknown","bytes":"bf"})"},
    {"\xc0\xaf"
     "x",
     R"({"type":"unknown","bytes":"c0af"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xc1\xbf", R"({"type":"unknown","bytes":"c1bf"})"},
    {"\xe0\x80\xaf", R"({"type":"unknown","bytes":"e080af"})"},
    {"\xf0\x80\x80\xaf"
     "x",
     R"({"type":"unknown","bytes":"f08080af"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xed\xa0\x80"
     "x",
     R"({"type":"unknown","bytes":"eda080"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xf4\x90\x80\x80"
     "x",
     R"({"type":"unknown","bytes":"f4908080"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xe0\x9b"
     "A",
     R"({"type":"unknown","bytes":"e09b"} {"type":"key","key":"A","mods":[],"text":"A"})"},
    {"\xf4\x90"
     "\x1b[A",
     R"({"type":"unknown","bytes":"f490"} {"type":"key","key":"up","mods":[]})"},
    {"\xf5\x80", R"({"type":"unknown","bytes":"f580"})"},
    {"\xf8\x88\x80\x80\x80",
     R"({"type":"unknown","bytes":"f8"} {"type":"unknown","bytes":"88"} {"type":"unknown","bytes":"80"} {"type":"unknown","bytes":"80"} {"type":"unknown","bytes":"80"})"},
    {"\xff", R"({"type":"unknown","bytes":"ff"})"},
    {"\xe2\x82"
     "x",
     R"({"type":"unknown","bytes":"e282"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xe2\x82\x1b[A", R"({"type":"unknown","bytes":"e282"} {"type":"key","key":"up","mods":[]})"},
    {"\xe2\x82", R"({"type":"unknown","bytes":"e282"})"},
    {"\xf0\x9f\x98", R"({"type":"unknown","bytes":"f09f98"})"},
    {"\xc3", R"({"type":"unknown","bytes":"c3"})"},
    {"\xc3\xc3\xa9", R"({"type":"unknown","bytes":"c3"} {"type":"key","key":"é","mods":[],"text":"é"})"},

    // ---- sequences with no meaning ----
    {"\x1b[5;25v", R"({"type":"unknown","bytes":"1b5b353b323576"})"},
    {"\x1b[1;5X", R"({"type":"unknown","bytes":"1b5b313b3558"})"},
    {"\x1bOz", R"({"type":"unknown","bytes":"1b4f7a"})"},
    {"\x1b[99999999999999999999A", R"({"type":"unknown","bytes":"1b5b393939393939393939393939393939393939393941"})"},
    // A modifier parameter out of any protocol's range is not a key.
    {"\x1b[1;99999999999999999999A",
     R"({"type":"unknown","bytes":"1b5b313b393939393939393939393939393939393939393941"})"},
    {"\x1b[1;257A", R"({"type":"unknown","bytes":"1b5b313b32353741"})"},
    {"\x1b[27;999;97~", R"({"type":"unknown","bytes":"1b5b32373b3939393b39377e"})"},
    {"\x1b[1;300~", R"({"type":"unknown","bytes":"1b5b313b3330307e"})"},
    {"\x1b[<0;1M", R"({"type":"unknown","bytes":"1b5b3c303b314d"})"},
    // A byte that cannot be inside a CSI ends it; the byte is decoded on its own.
    {"\x1b[\x01", R"({"type":"key","key":"[","mods":["alt"]} {"type":"key","key":"a","mods":["ctrl"]})"},
    {"\x1b[1\x01", R"({"type":"unknown","bytes":"1b5b31"} {"type":"key","key":"a","mods":["ctrl"]})"},
    {"\x1b[1;5"
     "\x1b[B",
     R"({"type":"unknown","bytes":"1b5b313b35"} {"type":"key","key":"down","mods":[]})"},

    // ---- mixed streams ----
    {"a\x1b[Ab",
     R"({"type":"key","key":"a","mods":[],"text":"a"} {"type":"key","key":"up","mods":[]} {"type":"key","key":"b","mods":[],"text":"b"})"},
    {"\x1b[A\x1b[B", R"({"type":"key","key":"up","mods":[]} {"type":"key","key":"down","mods":[]})"},
    {"\x1b[I\x1b[<0;2;3M\x1b[O",
     R"({"type":"focus","gained":true} {"type":"mouse","action":"press","button":"left","x":1,"y":2,"mods":[]} {"type":"focus","gained":false})"},
};

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("the project's vectors: exact events, split, handed over, fast paths on and off")
    {
        CHECK(std::size(k_vector_rows) >= 120);
        for (const Row& r : k_vector_rows) {
            INFO(context(r));
            CHECK(json(check_decoding(r.in, options_for(r.opt))) == r.want);
        }
    }

    TEST_CASE("the sink form and the vector form deliver the same events")
    {
        struct Collect final : EventSink {
            std::vector<Event> events;
            void on_event(Event&& e) override { events.push_back(std::move(e)); }
        } sink;
        Decoder d;
        d.feed("a\x1b[1;5A\x1b", t0, sink);
        d.finish(sink);
        CHECK(json(sink.events) == json(decode("a\x1b[1;5A\x1b")));
        CHECK(sink.events.size() == 3);
    }
}
