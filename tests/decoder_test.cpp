// Decoder tests: the project's own vectors as one table, then properties over that table
// (split invariance, hand-over through take_pending), the timeout edges with explicit time
// points, the caps, resynchronisation after garbage, and the KeyMap fallbacks.
//
// Expectations are the SCHEMA.md JSON form (vtinput::to_json), one object per event joined by
// a single space, so a table row reads like the wire: {"\x1b[1;5A", R"({"type":"key",...})"}.
// Inputs are decoded as a whole at one time point and then finish()ed: every pending ESC or
// partial sequence is resolved as if its deadline had passed.
#include "vtinput/decoder.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vtinput/event.hpp"
#include "vtinput/keymap.hpp"

#include "test_util.hpp"

using namespace std::literals;
using namespace vtinput;

namespace {

using Clock = Decoder::clock;
// An arbitrary fixed time point; the decoder only ever compares times it was given.
const Clock::time_point t0 = Clock::time_point{} + 1h;

enum class Opt { none, pixels, utf8 };

DecoderOptions options_for(Opt o)
{
    DecoderOptions d;
    d.mouse_pixels = o == Opt::pixels;
    d.mouse_utf8 = o == Opt::utf8;
    return d;
}

using test::hex;
using test::json;

// Feeds `input` in the pieces given by the cut positions (ascending, inside the input), all
// at t0, then finish().
std::vector<Event> decode_cuts(std::string_view input, const std::vector<std::size_t>& cuts,
                               const DecoderOptions& o = {}, std::shared_ptr<const KeyMap> km = nullptr)
{
    Decoder d(o, std::move(km));
    std::vector<Event> out;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        d.feed(input.substr(from, cut - from), t0, out);
        from = cut;
    }
    d.feed(input.substr(from), t0, out);
    d.finish(out);
    return out;
}

std::vector<Event> decode(std::string_view input, const DecoderOptions& o = {},
                          std::shared_ptr<const KeyMap> km = nullptr)
{
    return decode_cuts(input, {}, o, std::move(km));
}

std::string decode_json(std::string_view input, const DecoderOptions& o = {},
                        std::shared_ptr<const KeyMap> km = nullptr)
{
    return json(decode(input, o, std::move(km)));
}

// What a poller generation hands to the next, cut at `cut`, as JSON.
std::string decode_handed_over_json(std::string_view input, std::size_t cut, const DecoderOptions& o)
{
    return json(test::decode_handed_over(input, cut, o, t0));
}

struct Row {
    std::string_view in;
    std::string_view want;
    Opt opt = Opt::none;
};

// The project's own vectors. Where a row encodes a choice rather than a standard, the comment
// says whose convention it follows.
const Row k_rows[] = {
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
    {"\x1b" "a", R"({"type":"key","key":"a","mods":["alt"]})"},
    {"\x1b" "A", R"({"type":"key","key":"A","mods":["alt"]})"},
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
    {"\x1b\x1b" "a", R"({"type":"key","key":"escape","mods":[]} {"type":"key","key":"a","mods":["alt"]})"},
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
    {"\x1b[97;256u", R"({"type":"key","key":"a","mods":["shift","alt","ctrl","super","hyper","meta","capslock","numlock"]})"},
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
    {"\x1b[<0;640;480M", R"({"type":"mouse","action":"press","button":"left","x":639,"y":479,"mods":[],"pixels":true})", Opt::pixels},
    {"\x1b[<35;1;1M", R"({"type":"mouse","action":"move","button":"none","x":0,"y":0,"mods":[],"pixels":true})", Opt::pixels},

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
    {"\x1b[M \xc8\x80\xc4\xa0", R"({"type":"mouse","action":"press","button":"left","x":479,"y":255,"mods":[]})", Opt::utf8},
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
    {"\x1b]52;c;aGVsbG8=\x07", R"({"type":"report","what":"osc","value":"52;c;aGVsbG8="})"},
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
    {"\x9b" "A", R"({"type":"key","key":"up","mods":[]})"},
    {"\x9b" "1;5A", R"({"type":"key","key":"up","mods":["ctrl"]})"},
    {"\x9b" "<0;1;1M", R"({"type":"mouse","action":"press","button":"left","x":0,"y":0,"mods":[]})"},
    {"\x8f" "P", R"({"type":"key","key":"f1","mods":[]})"},
    {"\x8f" "A", R"({"type":"key","key":"up","mods":[]})"},
    {"\x90>|foot\x9c", R"({"type":"report","what":"xtversion","value":"foot"})"},
    {"\x90>|foot\x1b\\", R"({"type":"report","what":"xtversion","value":"foot"})"},
    {"\x9d" "11;rgb:1/2/3\x07", R"({"type":"report","what":"osc","value":"11;rgb:1/2/3"})"},
    {"\x9d" "0;t\x9c", R"({"type":"report","what":"osc","value":"0;t"})"},
    {"\x9b", R"({"type":"unknown","bytes":"9b"})"},
    {"\x9d", R"({"type":"unknown","bytes":"9d"})"},

    // ---- invalid UTF-8: each invalid sequence (its lead and the continuation bytes it
    // announces) is one unknown event; decoding goes on after it. Its continuation bytes are
    // never 8-bit C1 controls (0x90 DCS, 0x9b CSI) that would swallow the input after them. ----
    {"\x80" "x", R"({"type":"unknown","bytes":"80"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xbf", R"({"type":"unknown","bytes":"bf"})"},
    {"\xc0\xaf" "x", R"({"type":"unknown","bytes":"c0af"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xc1\xbf", R"({"type":"unknown","bytes":"c1bf"})"},
    {"\xe0\x80\xaf", R"({"type":"unknown","bytes":"e080af"})"},
    {"\xf0\x80\x80\xaf" "x", R"({"type":"unknown","bytes":"f08080af"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xed\xa0\x80" "x", R"({"type":"unknown","bytes":"eda080"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xf4\x90\x80\x80" "x", R"({"type":"unknown","bytes":"f4908080"} {"type":"key","key":"x","mods":[],"text":"x"})"},
    {"\xe0\x9b" "A", R"({"type":"unknown","bytes":"e09b"} {"type":"key","key":"A","mods":[],"text":"A"})"},
    {"\xf4\x90" "\x1b[A", R"({"type":"unknown","bytes":"f490"} {"type":"key","key":"up","mods":[]})"},
    {"\xf5\x80", R"({"type":"unknown","bytes":"f580"})"},
    {"\xf8\x88\x80\x80\x80", R"({"type":"unknown","bytes":"f8"} {"type":"unknown","bytes":"88"} {"type":"unknown","bytes":"80"} {"type":"unknown","bytes":"80"} {"type":"unknown","bytes":"80"})"},
    {"\xff", R"({"type":"unknown","bytes":"ff"})"},
    {"\xe2\x82" "x", R"({"type":"unknown","bytes":"e282"} {"type":"key","key":"x","mods":[],"text":"x"})"},
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
    {"\x1b[1;99999999999999999999A", R"({"type":"unknown","bytes":"1b5b313b393939393939393939393939393939393939393941"})"},
    {"\x1b[1;257A", R"({"type":"unknown","bytes":"1b5b313b32353741"})"},
    {"\x1b[27;999;97~", R"({"type":"unknown","bytes":"1b5b32373b3939393b39377e"})"},
    {"\x1b[1;300~", R"({"type":"unknown","bytes":"1b5b313b3330307e"})"},
    {"\x1b[<0;1M", R"({"type":"unknown","bytes":"1b5b3c303b314d"})"},
    // A byte that cannot be inside a CSI ends it; the byte is decoded on its own.
    {"\x1b[\x01", R"({"type":"key","key":"[","mods":["alt"]} {"type":"key","key":"a","mods":["ctrl"]})"},
    {"\x1b[1\x01", R"({"type":"unknown","bytes":"1b5b31"} {"type":"key","key":"a","mods":["ctrl"]})"},
    {"\x1b[1;5" "\x1b[B", R"({"type":"unknown","bytes":"1b5b313b35"} {"type":"key","key":"down","mods":[]})"},

    // ---- mixed streams ----
    {"a\x1b[Ab", R"({"type":"key","key":"a","mods":[],"text":"a"} {"type":"key","key":"up","mods":[]} {"type":"key","key":"b","mods":[],"text":"b"})"},
    {"\x1b[A\x1b[B", R"({"type":"key","key":"up","mods":[]} {"type":"key","key":"down","mods":[]})"},
    {"\x1b[I\x1b[<0;2;3M\x1b[O", R"({"type":"focus","gained":true} {"type":"mouse","action":"press","button":"left","x":1,"y":2,"mods":[]} {"type":"focus","gained":false})"},
};

std::string context(const Row& r) { return "input " + hex(r.in); }

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("the project's vectors, each input decoded whole")
    {
        CHECK(std::size(k_rows) >= 120);
        for (const Row& r : k_rows) {
            INFO(context(r));
            CHECK(decode_json(r.in, options_for(r.opt)) == r.want);
        }
    }

    TEST_CASE("every vector gives the same events however its input is split")
    {
        std::mt19937 rng(20240611);
        for (const Row& r : k_rows) {
            INFO(context(r));
            DecoderOptions o = options_for(r.opt);
            const std::string whole = json(decode(r.in, o));
            // One cut at every byte boundary.
            for (std::size_t cut = 1; cut < r.in.size(); ++cut) {
                INFO("cut at " << cut);
                CHECK(json(decode_cuts(r.in, {cut}, o)) == whole);
            }
            // Byte by byte.
            std::vector<std::size_t> all;
            for (std::size_t cut = 1; cut < r.in.size(); ++cut) {
                all.push_back(cut);
            }
            CHECK(json(decode_cuts(r.in, all, o)) == whole);
            // Random cuts, fixed seed.
            for (int round = 0; round < 8 && r.in.size() > 2; ++round) {
                std::vector<std::size_t> cuts;
                for (std::size_t cut = 1; cut < r.in.size(); ++cut) {
                    if (rng() % 3 == 0) {
                        cuts.push_back(cut);
                    }
                }
                CHECK(json(decode_cuts(r.in, cuts, o)) == whole);
            }
        }
    }

    TEST_CASE("take_pending hands every vector over to a fresh decoder at every byte boundary")
    {
        for (const Row& r : k_rows) {
            INFO(context(r));
            DecoderOptions o = options_for(r.opt);
            const std::string whole = json(decode(r.in, o));
            for (std::size_t cut = 1; cut < r.in.size(); ++cut) {
                INFO("hand over at " << cut);
                Decoder first(o);
                std::vector<Event> out;
                first.feed(r.in.substr(0, cut), t0, out);
                std::string rest = first.take_pending();
                CHECK(first.pending_bytes() == 0);
                CHECK_FALSE(first.deadline().has_value());
                rest += r.in.substr(cut);
                Decoder second(o);
                second.feed(rest, t0, out);
                second.finish(out);
                CHECK(json(out) == whole);
                // The emptied decoder has nothing left to say.
                std::vector<Event> after;
                first.finish(after);
                CHECK(after.empty());
            }
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

// ---- time: the ESC timeout and the stale timeout, with explicit time points ----

TEST_SUITE("decoder")
{
    TEST_CASE("a lone ESC waits exactly esc_timeout")
    {
        Decoder d;
        std::vector<Event> out;
        CHECK_FALSE(d.deadline().has_value());
        d.feed("\x1b", t0, out);
        CHECK(out.empty());
        REQUIRE(d.deadline().has_value());
        CHECK(*d.deadline() == t0 + d.options().esc_timeout);
        d.flush(t0 + d.options().esc_timeout - 1ns, out);
        CHECK(out.empty());
        CHECK(d.deadline().has_value());
        d.flush(t0 + d.options().esc_timeout, out);
        CHECK(json(out) == R"({"type":"key","key":"escape","mods":[]})");
        CHECK_FALSE(d.deadline().has_value());
        // Flushing again, later, has nothing to resolve.
        d.flush(t0 + 1h, out);
        CHECK(out.size() == 1);
    }

    TEST_CASE("a custom esc_timeout is honoured")
    {
        DecoderOptions o;
        o.esc_timeout = 5ms;
        Decoder d(o);
        std::vector<Event> out;
        d.feed("\x1b", t0, out);
        CHECK(*d.deadline() == t0 + 5ms);
        d.flush(t0 + 4ms, out);
        CHECK(out.empty());
        d.flush(t0 + 5ms, out);
        CHECK(out.size() == 1);
    }

    TEST_CASE("ESC [ that times out is Alt+[")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[", t0, out);
        CHECK(*d.deadline() == t0 + d.options().esc_timeout);
        d.flush(*d.deadline(), out);
        CHECK(json(out) == R"({"type":"key","key":"[","mods":["alt"]})");
        CHECK_FALSE(d.deadline().has_value());
    }

    TEST_CASE("ESC [ then A 10 ms later, with no flush in between, is Up")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[", t0, out);
        d.feed("A", t0 + 10ms, out);
        CHECK(json(out) == R"({"type":"key","key":"up","mods":[]})");
        CHECK_FALSE(d.deadline().has_value());
    }

    TEST_CASE("a flush before the deadline does not split a sequence")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b", t0, out);
        d.flush(t0 + 49ms, out);
        d.feed("[", t0 + 49ms, out);
        d.flush(t0 + 60ms, out);  // deadline moved to 49 + 50 ms
        d.feed("B", t0 + 70ms, out);
        CHECK(json(out) == R"({"type":"key","key":"down","mods":[]})");
    }

    TEST_CASE("a sequence with parameters waits stale_timeout and then comes out as unknown")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[1;5", t0, out);
        REQUIRE(d.deadline().has_value());
        CHECK(*d.deadline() == t0 + d.options().stale_timeout);
        d.flush(t0 + d.options().esc_timeout, out);
        CHECK(out.empty());
        d.flush(t0 + d.options().stale_timeout - 1ns, out);
        CHECK(out.empty());
        d.flush(t0 + d.options().stale_timeout, out);
        CHECK(json(out) == R"({"type":"unknown","bytes":"1b5b313b35"})");
        CHECK_FALSE(d.deadline().has_value());
        // A key typed afterwards is itself.
        d.feed("A", t0 + 2s, out);
        CHECK(json(out) == R"({"type":"unknown","bytes":"1b5b313b35"} {"type":"key","key":"A","mods":[],"text":"A"})");
    }

    TEST_CASE("the deadline counts from the last byte fed")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[1", t0, out);
        d.feed(";5", t0 + 900ms, out);
        CHECK(*d.deadline() == t0 + 900ms + d.options().stale_timeout);
        d.flush(t0 + 1s, out);
        CHECK(out.empty());
        d.feed("A", t0 + 1800ms, out);
        CHECK(json(out) == R"({"type":"key","key":"up","mods":["ctrl"]})");
    }

    TEST_CASE("partial UTF-8 and ESC ESC wait only the ESC timeout")
    {
        for (std::string_view in : {"\xc3"sv, "\xe2\x82"sv, "\x1b\x1b"sv, "\x1b\x1b["sv, "\x1bO"sv, "\x1bP"sv}) {
            INFO(hex(in));
            Decoder d;
            std::vector<Event> out;
            d.feed(in, t0, out);
            CHECK(out.empty());
            REQUIRE(d.deadline().has_value());
            CHECK(*d.deadline() == t0 + d.options().esc_timeout);
        }
    }

    TEST_CASE("strings, pastes and mouse reports wait the stale timeout")
    {
        for (std::string_view in : {"\x1b]11;"sv, "\x1bP>|"sv, "\x1b[200~abc"sv, "\x1b[200~abc\x1b[20"sv,
                                    "\x1b[M "sv, "\x1b[<0;1"sv}) {
            INFO(hex(in));
            Decoder d;
            std::vector<Event> out;
            d.feed(in, t0, out);
            CHECK(out.empty());
            REQUIRE(d.deadline().has_value());
            CHECK(*d.deadline() == t0 + d.options().stale_timeout);
            d.flush(t0 + d.options().esc_timeout, out);
            CHECK(out.empty());
        }
    }

    TEST_CASE("a paste that goes stale is delivered as it stands")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[200~abc", t0, out);
        d.flush(t0 + d.options().stale_timeout, out);
        CHECK(json(out) == R"({"type":"paste","text":"abc"})");
        CHECK_FALSE(d.deadline().has_value());
        d.feed("x", t0 + 2s, out);
        CHECK(json(out) == R"({"type":"paste","text":"abc"} {"type":"key","key":"x","mods":[],"text":"x"})");
    }

    TEST_CASE("no deadline when nothing is pending")
    {
        Decoder d;
        std::vector<Event> out;
        CHECK_FALSE(d.deadline().has_value());
        d.feed("abc\x1b[A\x1b]11;x\x07", t0, out);
        CHECK(out.size() == 5);
        CHECK_FALSE(d.deadline().has_value());
        CHECK(d.pending_bytes() == 0);
        d.feed("", t0, out);
        CHECK_FALSE(d.deadline().has_value());
    }
}

// ---- caps ----

namespace {

using test::repeat;

// Feeds `input` one byte at a time and returns the largest pending_bytes() seen.
std::size_t max_pending_byte_by_byte(Decoder& d, std::string_view input, std::vector<Event>& out)
{
    std::size_t most = 0;
    for (std::size_t i = 0; i < input.size(); ++i) {
        d.feed(input.substr(i, 1), t0, out);
        most = std::max(most, d.pending_bytes());
    }
    return most;
}

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("a CSI longer than csi_cap is unknown of csi_cap bytes and is not typed as keys")
    {
        DecoderOptions o;
        const std::string body = "\x1b[" + std::string(300, '1') + "A";
        const std::string input = body + "x";
        const std::string want = R"({"type":"unknown","bytes":")" + hex(body.substr(0, o.csi_cap)) +
                                 R"("} {"type":"key","key":"x","mods":[],"text":"x"})";
        CHECK(decode_json(input, o) == want);
        // The same however it arrives.
        CHECK(json(decode_cuts(input, {1, 2, 100, 255, 256, 257, 300}, o)) == want);
        Decoder d(o);
        std::vector<Event> out;
        CHECK(max_pending_byte_by_byte(d, input, out) <= o.csi_cap);
        d.finish(out);
        CHECK(json(out) == want);
    }

    TEST_CASE("10,000 parameters")
    {
        DecoderOptions o;
        const std::string body = "\x1b[" + repeat("1;", 10000) + "5A";
        const std::string input = body + "x\x1b[B";
        const std::string want = R"({"type":"unknown","bytes":")" + hex(body.substr(0, o.csi_cap)) +
                                 R"("} {"type":"key","key":"x","mods":[],"text":"x"} {"type":"key","key":"down","mods":[]})";
        CHECK(decode_json(input, o) == want);
        Decoder d(o);
        std::vector<Event> out;
        CHECK(max_pending_byte_by_byte(d, input, out) <= o.csi_cap);
        d.finish(out);
        CHECK(json(out) == want);
    }

    TEST_CASE("more parameters than the parser holds, within csi_cap, is unknown")
    {
        const std::string body = "\x1b[" + repeat("1;", 40) + "1A";
        CHECK(decode_json(body + "x") ==
              R"({"type":"unknown","bytes":")" + hex(body) + R"("} {"type":"key","key":"x","mods":[],"text":"x"})");
        const std::string subs = "\x1b[97" + repeat(":1", 70) + "u";
        CHECK(decode_json(subs) == R"({"type":"unknown","bytes":")" + hex(subs) + R"("})");
    }

    TEST_CASE("an overlong CSI cut off by a byte that cannot be in a CSI")
    {
        DecoderOptions o;
        o.csi_cap = 16;
        const std::string body = "\x1b[" + std::string(40, '2');
        const std::string input = body + "\x1b[A";
        const std::string want = R"({"type":"unknown","bytes":")" + hex(body.substr(0, 16)) +
                                 R"("} {"type":"key","key":"up","mods":[]})";
        CHECK(decode_json(input, o) == want);
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            INFO("cut at " << cut);
            CHECK(json(decode_cuts(input, {cut}, o)) == want);
        }
    }

    TEST_CASE("an overlong CSI that goes stale is unknown of csi_cap bytes")
    {
        DecoderOptions o;
        o.csi_cap = 16;
        Decoder d(o);
        std::vector<Event> out;
        const std::string body = "\x1b[" + std::string(40, '3');
        d.feed(body, t0, out);
        CHECK(out.empty());
        CHECK(d.pending_bytes() <= 16);
        REQUIRE(d.deadline().has_value());
        d.flush(*d.deadline(), out);
        CHECK(json(out) == R"({"type":"unknown","bytes":")" + hex(body.substr(0, 16)) + R"("})");
        d.feed("3", t0 + 2s, out);
        CHECK(to_json(out.back()) == R"({"type":"key","key":"3","mods":[],"text":"3"})");
    }

    TEST_CASE("an overlong SS3 is unknown of csi_cap bytes")
    {
        DecoderOptions o;
        o.csi_cap = 16;
        const std::string body = "\x1bO" + std::string(40, '5') + "A";
        CHECK(decode_json(body + "x", o) == R"({"type":"unknown","bytes":")" + hex(body.substr(0, 16)) +
                                                R"("} {"type":"key","key":"x","mods":[],"text":"x"})");
    }

    TEST_CASE("an unterminated OSC past string_cap is unknown and decoding resumes")
    {
        DecoderOptions o;
        o.string_cap = 100;
        const std::string body = "\x1b]52;c;" + std::string(300, 'Q');
        const std::string first = hex(body.substr(0, 100));
        SUBCASE("ended by another sequence")
        {
            const std::string input = body + "\x1b[Ay";
            const std::string want = R"({"type":"unknown","bytes":")" + first +
                                     R"("} {"type":"key","key":"up","mods":[]} {"type":"key","key":"y","mods":[],"text":"y"})";
            CHECK(decode_json(input, o) == want);
            Decoder d(o);
            std::vector<Event> out;
            CHECK(max_pending_byte_by_byte(d, input, out) <= o.string_cap + 2);
            d.finish(out);
            CHECK(json(out) == want);
        }
        SUBCASE("ended by its terminator")
        {
            CHECK(decode_json(body + "\x07y", o) ==
                  R"({"type":"unknown","bytes":")" + first + R"("} {"type":"key","key":"y","mods":[],"text":"y"})");
            CHECK(decode_json(body + "\x1b\\y", o) ==
                  R"({"type":"unknown","bytes":")" + first + R"("} {"type":"key","key":"y","mods":[],"text":"y"})");
        }
        SUBCASE("gone stale")
        {
            Decoder d(o);
            std::vector<Event> out;
            d.feed(body, t0, out);
            CHECK(out.empty());
            CHECK(d.pending_bytes() <= o.string_cap);
            d.flush(*d.deadline(), out);
            CHECK(json(out) == R"({"type":"unknown","bytes":")" + first + R"("})");
            d.feed("y", t0 + 2s, out);
            CHECK(to_json(out.back()) == R"({"type":"key","key":"y","mods":[],"text":"y"})");
        }
        SUBCASE("split anywhere")
        {
            const std::string input = body + "\x07y";
            const std::string want = json(decode(input, o));
            for (std::size_t cut = 1; cut < input.size(); cut += 7) {
                INFO("cut at " << cut);
                CHECK(json(decode_cuts(input, {cut}, o)) == want);
            }
        }
        SUBCASE("handed over")
        {
            const std::string input = body + "\x07y";
            const std::string want = json(decode(input, o));
            for (std::size_t cut = 1; cut < input.size(); cut += 7) {
                INFO("hand over at " << cut);
                CHECK(decode_handed_over_json(input, cut, o) == want);
            }
        }
    }

    TEST_CASE("a string of string_cap bytes, terminator included, is still a report")
    {
        DecoderOptions o;
        o.string_cap = 16;
        // ESC ] + 13 bytes + BEL = 16 bytes: a report.
        CHECK(decode_json("\x1b]11;abcdefghij\x07", o) == R"({"type":"report","what":"osc","value":"11;abcdefghij"})");
        CHECK(decode_json("\x1b]11;abcdefgh\x1b\\", o) == R"({"type":"report","what":"osc","value":"11;abcdefgh"})");
        // One byte more: unknown of its first 16 bytes.
        CHECK(decode_json("\x1b]11;abcdefghijk\x07", o) == R"({"type":"unknown","bytes":")" + hex("\x1b]11;abcdefghijk") + R"("})");
    }

    TEST_CASE("a paste longer than paste_cap comes out in parts whose concatenation is the body")
    {
        DecoderOptions o;
        o.paste_cap = 16;
        std::string body;
        for (int i = 0; i < 100; ++i) {
            body += static_cast<char>("ab\x1b[\r\n\x00\xff"[i % 8]);
        }
        const std::string input = "\x1b[200~" + body + "\x1b[201~x";
        auto check = [&](const std::vector<Event>& events) {
            REQUIRE(events.size() >= 2);
            std::string joined;
            for (std::size_t i = 0; i + 1 < events.size(); ++i) {
                const auto* p = std::get_if<PasteEvent>(&events[i]);
                REQUIRE(p != nullptr);
                CHECK(p->text.size() <= o.paste_cap);
                CHECK(p->continued == (i + 2 < events.size()));
                joined += p->text;
            }
            CHECK(joined == body);
            CHECK(to_json(events.back()) == R"({"type":"key","key":"x","mods":[],"text":"x"})");
        };
        const auto whole = decode(input, o);
        check(whole);
        CHECK(whole.size() == 100 / 16 + 2);
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            INFO("cut at " << cut);
            CHECK(json(decode_cuts(input, {cut}, o)) == json(whole));
        }
        Decoder d(o);
        std::vector<Event> out;
        CHECK(max_pending_byte_by_byte(d, input, out) <= o.paste_cap + 6);
        d.finish(out);
        check(out);
    }

    TEST_CASE("a paste cut off by the end of input keeps every part within paste_cap")
    {
        DecoderOptions o;
        o.paste_cap = 8;
        // 7 bytes of body, then 5 bytes of a possible end marker, then nothing.
        const std::string input = "\x1b[200~abcdefg\x1b[201";
        for (std::size_t cut = 0; cut < input.size(); ++cut) {
            INFO("cut at " << cut);
            auto events = cut == 0 ? decode(input, o) : decode_cuts(input, {cut}, o);
            std::string joined;
            for (std::size_t i = 0; i < events.size(); ++i) {
                const auto* part = std::get_if<PasteEvent>(&events[i]);
                REQUIRE(part != nullptr);
                CHECK(part->text.size() <= o.paste_cap);
                CHECK(part->continued == (i + 1 < events.size()));
                joined += part->text;
            }
            CHECK(joined == "abcdefg\x1b[201");
        }
    }

    TEST_CASE("caps of zero neither hang nor lose the paste")
    {
        DecoderOptions no_csi;
        no_csi.csi_cap = 0;
        CHECK(decode_json("a\x1b[1;5A\x1bOPb", no_csi) ==
              R"({"type":"key","key":"a","mods":[],"text":"a"} {"type":"unknown","bytes":"1b5b"} )"
              R"({"type":"unknown","bytes":"1b4f"} {"type":"key","key":"b","mods":[],"text":"b"})");
        DecoderOptions o;
        o.string_cap = 0;
        o.paste_cap = 0;
        const std::string input = "a\x1b[1;5A\x1bOP\x1b]11;x\x07\x1b[200~xyz\x1b[201~b";
        std::vector<Event> events;
        CHECK_NOTHROW(events = decode(input, o));
        std::string pasted;
        for (const Event& e : events) {
            if (const auto* part = std::get_if<PasteEvent>(&e)) {
                CHECK(part->text.size() <= 1);
                pasted += part->text;
            }
        }
        CHECK(pasted == "xyz");
        REQUIRE(events.size() >= 2);
        CHECK(to_json(events.front()) == R"({"type":"key","key":"a","mods":[],"text":"a"})");
        CHECK(to_json(events.back()) == R"({"type":"key","key":"b","mods":[],"text":"b"})");
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            INFO("cut at " << cut);
            CHECK(json(decode_cuts(input, {cut}, o)) == json(events));
        }
    }

    TEST_CASE("a paste end marker split across feeds")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[200~abc\x1b[2", t0, out);
        CHECK(out.empty());
        d.feed("01", t0, out);
        CHECK(out.empty());
        d.feed("~x", t0, out);
        CHECK(json(out) == R"({"type":"paste","text":"abc"} {"type":"key","key":"x","mods":[],"text":"x"})");
        // A near-miss stays text.
        out.clear();
        d.feed("\x1b[200~abc\x1b[20", t0, out);
        d.feed("2~def\x1b[201~", t0, out);
        CHECK(json(out) == R"({"type":"paste","text":"abc\u001b[202~def"})");
    }

    TEST_CASE("a large paste with the default cap is one event")
    {
        std::string body(1 << 20, 'p');
        auto events = decode("\x1b[200~" + body + "\x1b[201~");
        REQUIRE(events.size() == 1);
        CHECK(std::get<PasteEvent>(events[0]) == PasteEvent{body, false});
    }
}

// ---- garbage, hand-over, cursor position requests ----

TEST_SUITE("decoder")
{
    TEST_CASE("after random garbage, Up and x still decode")
    {
        for (std::uint32_t seed : {1u, 2u, 3u, 42u, 4242u}) {
            INFO("seed " << seed);
            std::mt19937 rng(seed);
            std::string garbage(6000, '\0');
            for (char& c : garbage) {
                c = static_cast<char>(rng() & 0xff);
            }
            // A trailing ESC would make the Up below Alt+Up, which is right but not the point.
            garbage.back() = 'g';
            const std::string input = garbage + "\x1b[A" + "x";
            std::vector<Event> whole;
            CHECK_NOTHROW(whole = decode(input));
            REQUIRE(whole.size() >= 2);
            CHECK(to_json(whole[whole.size() - 2]) == R"({"type":"key","key":"up","mods":[]})");
            CHECK(to_json(whole.back()) == R"({"type":"key","key":"x","mods":[],"text":"x"})");
            // Split invariance holds on garbage too.
            std::vector<std::size_t> cuts;
            for (std::size_t cut = 1; cut < input.size(); cut += 1 + rng() % 13) {
                cuts.push_back(cut);
            }
            CHECK(json(decode_cuts(input, cuts)) == json(whole));
            // And with small caps and the mouse options.
            DecoderOptions o;
            o.csi_cap = 8;
            o.string_cap = 32;
            o.paste_cap = 8;
            o.mouse_utf8 = true;
            std::vector<Event> capped;
            CHECK_NOTHROW(capped = decode(input, o));
            CHECK(json(decode_cuts(input, cuts, o)) == json(capped));
        }
    }

    TEST_CASE("garbage made of sequence fragments never wedges the decoder")
    {
        static constexpr std::string_view pieces[] = {
            "\x1b", "[", "O", "P", "]", "_", "\\", "\x07", "1", ";", ":", "<", "?", ">", "$", "~", "M",
            "u", "A", "200~", "201~", "\x9b", "\x9c", "\x90", "\xc3", "\xe2\x82", " ", "\x7f", "\x00"sv,
        };
        std::mt19937 rng(7);
        std::string input;
        while (input.size() < 20000) {
            input += pieces[rng() % std::size(pieces)];
        }
        // End any paste the fragments may have opened, then a known tail.
        input += "\x1b[201~\x1b[A" "x";
        std::vector<Event> whole;
        CHECK_NOTHROW(whole = decode(input));
        REQUIRE(whole.size() >= 2);
        CHECK(to_json(whole.back()) == R"({"type":"key","key":"x","mods":[],"text":"x"})");
        std::vector<std::size_t> cuts;
        for (std::size_t cut = 1; cut < input.size(); cut += 1 + rng() % 5) {
            cuts.push_back(cut);
        }
        CHECK(json(decode_cuts(input, cuts)) == json(whole));
    }

    TEST_CASE("take_pending on garbage, at random points, gives the events of one decoder")
    {
        DecoderOptions small;
        small.csi_cap = 8;
        small.string_cap = 16;
        small.paste_cap = 8;
        for (const DecoderOptions& o : {DecoderOptions{}, small}) {
            std::mt19937 rng(99);
            std::string input;
            static constexpr std::string_view pieces[] = {
                "\x1b", "[", "O", "]", "P", "\\", "\x07", "12", ";", ":", "?", "~", "A", "u", "200~",
                "201~", "\x90", "\x9c", "\xe2\x82", "\xac", "\xf4\x90", "x", "<0;1;1M", "\x00"sv,
            };
            while (input.size() < 4000) {
                input += pieces[rng() % std::size(pieces)];
            }
            const std::string whole = json(decode(input, o));
            for (int round = 0; round < 200; ++round) {
                std::size_t at = 1 + rng() % (input.size() - 1);
                INFO("hand over at " << at);
                CHECK(decode_handed_over_json(input, at, o) == whole);
            }
        }
    }

    TEST_CASE("take_pending mid-paste, mid-CSI and mid-OSC")
    {
        struct Case {
            std::string_view before, after;
        };
        static constexpr Case cases[] = {
            {"x\x1b[200~hello wo", "rld\x1b[201~y"},
            {"\x1b[200~hello\x1b[20", "1~y"},
            {"\x1b[1;", "5Ay"},
            {"\x1b]11;rgb:00", "00/0000/0000\x1b\\y"},
            {"\x1b]11;rgb:0\x1b", "\\y"},
            {"\x1bP>|XTe", "rm(1)\x1b\\y"},
            {"\xe2\x82", "\xac"},
            {"\x1b", "y"},
            {"\x1b[M ", "!!"},
        };
        for (const Case& c : cases) {
            const std::string whole = std::string(c.before) + std::string(c.after);
            INFO(hex(whole));
            Decoder a;
            std::vector<Event> out;
            a.feed(c.before, t0, out);
            CHECK(a.pending_bytes() > 0);
            std::string handed = a.take_pending();
            CHECK_FALSE(handed.empty());
            CHECK(a.pending_bytes() == 0);
            CHECK_FALSE(a.deadline().has_value());
            Decoder b;
            b.feed(handed, t0, out);
            b.feed(c.after, t0 + 1ms, out);
            b.finish(out);
            CHECK(json(out) == decode_json(whole));
        }
    }

    TEST_CASE("take_pending after a paste part was delivered")
    {
        DecoderOptions o;
        o.paste_cap = 4;
        const std::string input = "\x1b[200~abcdefghij\x1b[201~";
        const std::string want = decode_json(input, o);
        for (std::size_t cut = 1; cut < input.size(); ++cut) {
            INFO("hand over at " << cut);
            CHECK(decode_handed_over_json(input, cut, o) == want);
        }
    }

    TEST_CASE("CSI 1;5R is Ctrl+F3 unless a cursor position was requested")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[1;5R", t0, out);
        CHECK(json(out) == R"({"type":"key","key":"f3","mods":["ctrl"]})");
        out.clear();
        d.expect_cursor_position();
        d.feed("\x1b[1;5R", t0, out);
        CHECK(json(out) == R"({"type":"cursor_position","row":1,"col":5})");
        // One request, one report: the next one is a key again.
        out.clear();
        d.feed("\x1b[1;5R", t0, out);
        CHECK(json(out) == R"({"type":"key","key":"f3","mods":["ctrl"]})");
        // Two requests: an unambiguous report uses one up too.
        out.clear();
        d.expect_cursor_position();
        d.expect_cursor_position();
        d.feed("\x1b[12;42R\x1b[1;2R\x1b[1;2R", t0, out);
        CHECK(json(out) == R"({"type":"cursor_position","row":12,"col":42} )"
                           R"({"type":"cursor_position","row":1,"col":2} )"
                           R"({"type":"key","key":"f3","mods":["shift"]})");
    }

    TEST_CASE("the mouse options can be changed between feeds")
    {
        Decoder d;
        std::vector<Event> out;
        d.feed("\x1b[<0;10;10M", t0, out);
        DecoderOptions o = d.options();
        o.mouse_pixels = true;
        d.set_options(o);
        CHECK(d.options().mouse_pixels);
        d.feed("\x1b[<0;10;10M", t0, out);
        CHECK(json(out) == R"({"type":"mouse","action":"press","button":"left","x":9,"y":9,"mods":[]} )"
                           R"({"type":"mouse","action":"press","button":"left","x":9,"y":9,"mods":[],"pixels":true})");
    }

    TEST_CASE("a moved-from decoder's successor keeps its pending input")
    {
        Decoder a;
        std::vector<Event> out;
        a.feed("\x1b[1;", t0, out);
        Decoder b(std::move(a));
        b.feed("5A", t0, out);
        CHECK(json(out) == R"({"type":"key","key":"up","mods":["ctrl"]})");
    }
}

// ---- KeyMap fallbacks ----

namespace {

std::shared_ptr<const KeyMap> keymap(std::vector<KeyMap::Entry> entries)
{
    return std::make_shared<const KeyMap>(std::move(entries));
}

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("a KeyMap gives meaning only where the built-in grammar has none")
    {
        auto km = keymap({
            {"\x1b[[A", function_key(13), {}},       // built-in F1 wins
            {"\x1b[[Z", function_key(14), {}},       // unknown to the grammar
            {"\x1b[[25~", function_key(15), {}},     // longer than the grammar's unit
            {"\x1b[G", Key::kp_begin, {}},   // TERM=linux kb2
            {"\x1bOz", function_key(16), Mod::shift},
            {"\x08", Key::backspace, {}},    // kbs=^H
            {"\x1b[1;2P", function_key(13), {}},     // built-in Shift+F1 wins
        });
        const Row rows[] = {
            {"\x1b[[A", R"({"type":"key","key":"f1","mods":[]})"},
            {"\x1b[[Z", R"({"type":"key","key":"f14","mods":[]})"},
            {"\x1b[[25~", R"({"type":"key","key":"f15","mods":[]})"},
            {"\x1b[G", R"({"type":"key","key":"kp_begin","mods":[]})"},
            {"\x1bOz", R"({"type":"key","key":"f16","mods":["shift"]})"},
            {"\x08", R"({"type":"key","key":"backspace","mods":[]})"},
            {"\x1b\x08", R"({"type":"key","key":"backspace","mods":["alt"]})"},
            {"\x1b[1;2P", R"({"type":"key","key":"f1","mods":["shift"]})"},
            {"\x7f", R"({"type":"key","key":"backspace","mods":[]})"},
            {"\x01", R"({"type":"key","key":"a","mods":["ctrl"]})"},
            // A strict prefix of an entry waits for the rest; at the end of input it is not
            // the entry.
            {"\x1b[[2", R"({"type":"unknown","bytes":"1b5b5b"} {"type":"key","key":"2","mods":[],"text":"2"})"},
            {"\x1b[[25~x", R"({"type":"key","key":"f15","mods":[]} {"type":"key","key":"x","mods":[],"text":"x"})"},
            {"\x1b[[2x", R"({"type":"unknown","bytes":"1b5b5b"} {"type":"key","key":"2","mods":[],"text":"2"} {"type":"key","key":"x","mods":[],"text":"x"})"},
            {"\x1b[Gx", R"({"type":"key","key":"kp_begin","mods":[]} {"type":"key","key":"x","mods":[],"text":"x"})"},
        };
        for (const Row& r : rows) {
            INFO(context(r));
            const std::string whole = decode_json(r.in, {}, km);
            CHECK(whole == r.want);
            for (std::size_t cut = 1; cut < r.in.size(); ++cut) {
                INFO("cut at " << cut);
                CHECK(json(decode_cuts(r.in, {cut}, {}, km)) == whole);
            }
        }
    }

    TEST_CASE("a KeyMap entry that is a strict prefix of another waits for the longer one")
    {
        auto km = keymap({
            {"\x1b[[1", function_key(13), {}},
            {"\x1b[[12", function_key(14), {}},
        });
        CHECK(decode_json("\x1b[[1", {}, km) == R"({"type":"key","key":"f13","mods":[]})");
        CHECK(decode_json("\x1b[[12", {}, km) == R"({"type":"key","key":"f14","mods":[]})");
        CHECK(decode_json("\x1b[[1x", {}, km) ==
              R"({"type":"key","key":"f13","mods":[]} {"type":"key","key":"x","mods":[],"text":"x"})");
        Decoder d({}, km);
        std::vector<Event> out;
        d.feed("\x1b[[1", t0, out);
        CHECK(out.empty());  // could still grow into F14
        REQUIRE(d.deadline().has_value());
        d.flush(*d.deadline(), out);
        CHECK(json(out) == R"({"type":"key","key":"f13","mods":[]})");
        out.clear();
        d.feed("\x1b[[1", t0, out);
        d.feed("2", t0 + 1ms, out);
        CHECK(json(out) == R"({"type":"key","key":"f14","mods":[]})");
    }

    TEST_CASE("KeyMap::from_terminfo: the built-in grammar wins over terminfo")
    {
        KeyMap xterm = KeyMap::from_terminfo("xterm-256color");  // ncurses-base ships it
        auto km = std::make_shared<const KeyMap>(std::move(xterm));
        // terminfo says kf13 = CSI 1;2P; the built-in reading is Shift+F1.
        CHECK(decode_json("\x1b[1;2P", {}, km) == R"({"type":"key","key":"f1","mods":["shift"]})");
        CHECK(decode_json("\x1bOP", {}, km) == R"({"type":"key","key":"f1","mods":[]})");
        CHECK(decode_json("\x1b[1;5A", {}, km) == R"({"type":"key","key":"up","mods":["ctrl"]})");
        CHECK(decode_json("\x7f", {}, km) == R"({"type":"key","key":"backspace","mods":[]})");
    }

    TEST_CASE("KeyMap::from_terminfo(\"linux\") adds what only the console sends")
    {
        KeyMap linux_map = KeyMap::from_terminfo("linux");  // ncurses-base ships it
        auto km = std::make_shared<const KeyMap>(std::move(linux_map));
        CHECK(decode_json("\x1b[[A", {}, km) == R"({"type":"key","key":"f1","mods":[]})");
        CHECK(decode_json("\x1b[[E", {}, km) == R"({"type":"key","key":"f5","mods":[]})");
        // kb2 = CSI G, the keypad centre: no built-in meaning.
        CHECK(decode_json("\x1b[G", {}, km) == R"({"type":"key","key":"kp_begin","mods":[]})");
        CHECK(decode_json("\x1b[G") == R"({"type":"unknown","bytes":"1b5b47"})");
        // kf16 = CSI 29 ~; the built-in Menu wins.
        CHECK(decode_json("\x1b[29~", {}, km) == R"({"type":"key","key":"menu","mods":[]})");
    }

    TEST_CASE("an empty KeyMap changes nothing")
    {
        auto empty = std::make_shared<const KeyMap>();
        CHECK(decode_json("\x08\x1b[G", {}, empty) ==
              R"({"type":"key","key":"h","mods":["ctrl"]} {"type":"unknown","bytes":"1b5b47"})");
    }
}

TEST_CASE("a run of ESC bytes keeps pending memory bounded and decodes in linear time")
{
    // Found by the fuzzer: ESC ESC ESC ... used to recurse once per ESC and stash the whole run.
    vtinput::Decoder d;
    std::vector<vtinput::Event> out;
    const auto t0 = vtinput::Decoder::clock::time_point{};
    for (int i = 0; i < 1000; ++i) {
        d.feed("\x1b", t0, out);
        CHECK(d.pending_bytes() <= 2);
    }
    CHECK(out.size() == 998);  // every ESC but the last two is already an Escape
    out.clear();
    d.feed(std::string(200000, '\x1b') + "a", t0, out);
    d.finish(out);
    // 200002 ESC bytes (two were still pending) and 'a': 200001 Escapes and Alt+a.
    REQUIRE(out.size() == 200002);
    CHECK(vtinput::to_string(out.back()) == "Alt+a");
    CHECK(vtinput::to_string(out.front()) == "Escape");
}
