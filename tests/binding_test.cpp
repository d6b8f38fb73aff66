// Binding tests: names parsed and formatted in every style (round trips over every key the
// decoder can produce), the canonical key of the same key sent by legacy, modifyOtherKeys and
// kitty terminals (decoded from their real bytes), matching, and SequenceMatcher's rules and
// timeouts.
#include "vtinput/binding.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "binding/case.hpp"
#include "vtinput/decoder.hpp"

using namespace std::literals;
using namespace vtinput;

namespace {

Binding bind(Key key, Mods mods = {}, Trigger trigger = Trigger::press_or_repeat)
{
    Binding b;
    b.key = key;
    b.mods = mods;
    b.trigger = trigger;
    return b;
}

KeyEvent key(Key k, Mods mods = {}, KeyKind kind = KeyKind::press)
{
    KeyEvent e;
    e.key = k;
    e.mods = mods;
    e.kind = kind;
    return e;
}

Key ch(char32_t c) { return char_key(c); }

// The one key event `bytes` decode to (whole, then finished).
KeyEvent decode(std::string_view bytes)
{
    Decoder decoder;
    std::vector<Event> events;
    decoder.feed(bytes, Decoder::clock::now(), events);
    decoder.finish(events);
    REQUIRE(events.size() == 1);
    const auto* k = std::get_if<KeyEvent>(&events[0]);
    REQUIRE(k != nullptr);
    return *k;
}

// The message parse_binding throws for `text`.
std::string parse_error(std::string_view text)
{
    try {
        parse_binding(text);
    } catch (const std::system_error& e) {
        CHECK(e.code() == std::errc::invalid_argument);
        return e.what();
    }
    FAIL("no error for '" << text << "'");
    return {};
}

// The modifier combinations the round trips run over (every subset of the chord modifiers
// would be 64 per key; these cover each alone, the common pairs, all of them and the locks).
const Mods k_mod_sets[] = {
    Mods(),
    Mods(Mod::shift),
    Mods(Mod::ctrl),
    Mods(Mod::alt),
    Mods(Mod::super),
    Mods(Mod::hyper),
    Mods(Mod::meta),
    Mod::ctrl | Mod::shift,
    Mod::ctrl | Mod::alt,
    Mod::alt | Mod::shift,
    Mod::ctrl | Mod::alt | Mod::shift,
    Mods::from_bits(0x3f),
    Mods(Mod::capslock),
    Mod::ctrl | Mod::numlock,
    Mods::from_bits(0xff),
};
const BindingStyle k_styles[] = {BindingStyle::plus, BindingStyle::emacs, BindingStyle::vim};

// Every named key: named_base up to the last one, then F1..F63.
std::vector<Key> named_keys()
{
    std::vector<Key> out;
    for (auto v = static_cast<std::uint32_t>(Key::named_base); v <= static_cast<std::uint32_t>(Key::iso_level5_shift);
         ++v) {
        out.push_back(static_cast<Key>(v));
    }
    for (int n = 1; n <= 63; ++n) {
        out.push_back(function_key(n));
    }
    return out;
}

// Checks parse(format(b)) == canonical(b) in every style, for `k` with every modifier set.
void check_round_trips(Key k)
{
    for (Mods mods : k_mod_sets) {
        Binding b = canonical(bind(k, mods));
        for (BindingStyle style : k_styles) {
            std::string name = to_string(b, style);
            CAPTURE(name);
            CHECK(parse_binding(name) == b);
        }
    }
}

using Time = SequenceMatcher::clock::time_point;
const Time t0{};

}  // namespace

TEST_SUITE("binding")
{
    TEST_CASE("parse: the forms people write")
    {
        struct Row {
            std::string_view text;
            Binding want;
        };
        const Row rows[] = {
            {"ctrl+shift+p", bind(ch(U'P'), Mod::ctrl)},
            {"Ctrl+Shift+P", bind(ch(U'P'), Mod::ctrl)},
            {"CTRL+P", bind(ch(U'P'), Mod::ctrl)},
            {"ctrl+p", bind(ch(U'p'), Mod::ctrl)},
            {"C-x", bind(ch(U'x'), Mod::ctrl)},
            {"c-x", bind(ch(U'x'), Mod::ctrl)},
            {"<C-x>", bind(ch(U'x'), Mod::ctrl)},
            {"<C-S-p>", bind(ch(U'P'), Mod::ctrl)},
            {"C-S-p", bind(ch(U'P'), Mod::ctrl)},
            {"M-<Up>", bind(Key::up, Mod::alt)},
            {"<M-Up>", bind(Key::up, Mod::alt)},
            {"A-x", bind(ch(U'x'), Mod::alt)},
            {"alt+enter", bind(Key::enter, Mod::alt)},
            {"Option+Return", bind(Key::enter, Mod::alt)},
            {"f5", bind(function_key(5))},
            {"F12", bind(function_key(12))},
            {"<f5>", bind(function_key(5))},
            {"<", bind(ch(U'<'))},
            {">", bind(ch(U'>'))},
            {"+", bind(ch(U'+'))},
            {"-", bind(ch(U'-'))},
            {"ctrl++", bind(ch(U'+'), Mod::ctrl)},
            {"C--", bind(ch(U'-'), Mod::ctrl)},
            {"ctrl+-", bind(ch(U'-'), Mod::ctrl)},
            {"C-+", bind(ch(U'+'), Mod::ctrl)},
            {"C-<", bind(ch(U'<'), Mod::ctrl)},
            {"<C-lt>", bind(ch(U'<'), Mod::ctrl)},
            {"<C->>", bind(ch(U'>'), Mod::ctrl)},
            {"<C-->", bind(ch(U'-'), Mod::ctrl)},
            {"<lt>", bind(ch(U'<'))},
            {"shift+tab", bind(Key::tab, Mod::shift)},
            {"S-<tab>", bind(Key::tab, Mod::shift)},
            {"backtab", bind(Key::tab, Mod::shift)},
            {"<backtab>", bind(Key::tab, Mod::shift)},
            {"space", bind(ch(U' '))},
            {"<Space>", bind(ch(U' '))},
            {"SPC", bind(ch(U' '))},
            {"C-SPC", bind(ch(U' '), Mod::ctrl)},
            {" ", bind(ch(U' '))},
            {"  ctrl+x  ", bind(ch(U'x'), Mod::ctrl)},
            {"kp_enter", bind(Key::kp_enter)},
            {"KpEnter", bind(Key::kp_enter)},
            {"<kEnter>", bind(Key::kp_enter)},
            {"<k5>", bind(Key::kp_5)},
            {"kpoint", bind(Key::kp_decimal)},
            {"esc", bind(Key::escape)},
            {"ESC", bind(Key::escape)},
            {"<Esc>", bind(Key::escape)},
            {"return", bind(Key::enter)},
            {"RET", bind(Key::enter)},
            {"<CR>", bind(Key::enter)},
            {"TAB", bind(Key::tab)},
            {"del", bind(Key::del)},
            {"Delete", bind(Key::del)},
            {"ins", bind(Key::insert)},
            {"BS", bind(Key::backspace)},
            {"pgup", bind(Key::page_up)},
            {"pgdn", bind(Key::page_down)},
            {"PageUp", bind(Key::page_up)},
            {"page_up", bind(Key::page_up)},
            {"<prior>", bind(Key::page_up)},
            {"<next>", bind(Key::page_down)},
            {"left_ctrl", bind(Key::left_ctrl)},
            {"media_play_pause", bind(Key::media_play_pause)},
            {"IsoLevel3Shift", bind(Key::iso_level3_shift)},
            {"super+a", bind(ch(U'a'), Mod::super)},
            {"cmd+a", bind(ch(U'a'), Mod::super)},
            {"D-a", bind(ch(U'a'), Mod::super)},
            {"win+a", bind(ch(U'a'), Mod::super)},
            {"hyper+a", bind(ch(U'a'), Mod::hyper)},
            {"H-a", bind(ch(U'a'), Mod::hyper)},
            {"meta+a", bind(ch(U'a'), Mod::meta)},
            {"T-a", bind(ch(U'a'), Mod::meta)},
            {"M-a", bind(ch(U'a'), Mod::alt)},
            {"capslock+a", bind(ch(U'a'), Mod::capslock)},
            {"ctrl+capslock", bind(Key::caps_lock, Mod::ctrl)},
            {"shift+a", bind(ch(U'A'))},
            {"shift+A", bind(ch(U'A'))},
            {"A", bind(ch(U'A'))},
            {"a", bind(ch(U'a'))},
            {"shift+1", bind(ch(U'1'), Mod::shift)},
            {"!", bind(ch(U'!'))},
            {"shift+space", bind(ch(U' '), Mod::shift)},
            {"ctrl+shift+up", bind(Key::up, Mod::ctrl | Mod::shift)},
            {"ctrl-alt-delete", bind(Key::del, Mod::ctrl | Mod::alt)},
            {"C-M-x", bind(ch(U'x'), Mod::ctrl | Mod::alt)},
            {"ctrl+M-x", bind(ch(U'x'), Mod::ctrl | Mod::alt)},
            {"ctrl+с", bind(ch(U'с'), Mod::ctrl)},
            {"shift+с", bind(ch(U'С'))},
            {"é", bind(ch(U'é'))},
            {"€", bind(ch(U'€'))},
            {"U+20AC", bind(ch(U'€'))},
            {"ctrl+U+0008", bind(ch(U'\b'), Mod::ctrl)},
            {"<U+001B>", bind(ch(U'\x1b'))},
            {"ctrl+U", bind(ch(U'U'), Mod::ctrl)},
            {"u", bind(ch(U'u'))},
        };
        for (const auto& row : rows) {
            CAPTURE(row.text);
            CHECK(parse_binding(row.text) == row.want);
        }
    }

    TEST_CASE("parse: errors name the offending part")
    {
        CHECK(parse_error("ctl+x") == "vtinput: unknown modifier 'ctl' in 'ctl+x': Invalid argument");
        CHECK(parse_error("ctrl+foo") == "vtinput: unknown key 'foo' in 'ctrl+foo': Invalid argument");
        CHECK(parse_error("ctrl+") == "vtinput: missing key after 'ctrl+' in 'ctrl+': Invalid argument");
        CHECK(parse_error("ctrl+shift") ==
              "vtinput: missing key after modifier 'shift' in 'ctrl+shift': Invalid argument");
        CHECK(parse_error("ctrl+ctrl+x") == "vtinput: modifier given twice: 'ctrl' in 'ctrl+ctrl+x': Invalid argument");
        CHECK(parse_error("s-x").find("ambiguous modifier") != std::string::npos);
        CHECK(parse_error("s-x").find("'s' in 's-x'") != std::string::npos);
        CHECK(parse_error("") == "vtinput: empty key name: Invalid argument");
        CHECK(parse_error("  ") == "vtinput: empty key name: Invalid argument");
        CHECK(parse_error("<Up>x") == "vtinput: unexpected text after '<Up>' in '<Up>x': Invalid argument");
        CHECK(parse_error("M-<Up>x") == "vtinput: unexpected text after '<Up>' in 'M-<Up>x': Invalid argument");
        CHECK(parse_error("U+D800") == "vtinput: not a character 'U+D800' in 'U+D800': Invalid argument");
        CHECK(parse_error("pageupp") == "vtinput: unknown key 'pageupp' in 'pageupp': Invalid argument");
        CHECK_THROWS_AS(parse_sequence("  "), std::system_error);
        CHECK_THROWS_AS(parse_sequence("C-x C-q+"), std::system_error);
        SequenceMatcher m;
        CHECK_THROWS_AS(m.add(std::vector<Binding>{}), std::system_error);
        CHECK_THROWS_AS(m.add("C-x ctl+s"), std::system_error);
        CHECK(m.sequences().empty());
    }

    TEST_CASE("format: each style")
    {
        struct Row {
            Binding b;
            std::string_view plus, emacs, vim;
        };
        const Row rows[] = {
            {bind(ch(U'p'), Mod::ctrl | Mod::shift), "Ctrl+Shift+P", "C-S-p", "<C-S-p>"},
            {bind(ch(U'P'), Mod::ctrl), "Ctrl+Shift+P", "C-S-p", "<C-S-p>"},
            {bind(ch(U'p'), Mod::ctrl), "Ctrl+p", "C-p", "<C-p>"},
            {bind(ch(U'x'), Mod::ctrl | Mod::alt), "Ctrl+Alt+x", "C-M-x", "<C-M-x>"},
            {bind(ch(U'A')), "Shift+A", "A", "A"},
            {bind(ch(U'a')), "a", "a", "a"},
            {bind(Key::up, Mod::alt), "Alt+Up", "M-<up>", "<M-Up>"},
            {bind(Key::enter, Mod::alt), "Alt+Enter", "M-RET", "<M-Enter>"},
            {bind(Key::enter), "Enter", "RET", "<Enter>"},
            {bind(Key::tab, Mod::shift), "Shift+Tab", "S-TAB", "<S-Tab>"},
            {bind(Key::escape), "Escape", "ESC", "<Esc>"},
            {bind(Key::backspace), "Backspace", "<backspace>", "<BS>"},
            {bind(Key::del, Mod::ctrl), "Ctrl+Delete", "C-<delete>", "<C-Del>"},
            {bind(Key::page_up), "PageUp", "<pageup>", "<PageUp>"},
            {bind(Key::kp_enter), "KpEnter", "<kp_enter>", "<KpEnter>"},
            {bind(function_key(5)), "F5", "<f5>", "<F5>"},
            {bind(ch(U' ')), "Space", "SPC", "<Space>"},
            {bind(ch(U' '), Mod::ctrl), "Ctrl+Space", "C-SPC", "<C-Space>"},
            {bind(ch(U'<')), "<", "<", "<lt>"},
            {bind(ch(U'<'), Mod::ctrl), "Ctrl+<", "C-<", "<C-lt>"},
            {bind(ch(U'+'), Mod::ctrl), "Ctrl++", "C-+", "<C-+>"},
            {bind(ch(U'-'), Mod::ctrl), "Ctrl+-", "C--", "<C-->"},
            {bind(ch(U'+')), "+", "+", "+"},
            {bind(ch(U'1'), Mod::shift), "Shift+1", "S-1", "<S-1>"},
            {bind(ch(U'a'), Mod::super | Mod::hyper | Mod::meta), "Super+Hyper+Meta+a", "D-H-T-a", "<D-H-T-a>"},
            {bind(ch(U'a'), Mod::capslock), "CapsLock+a", "CapsLock-a", "<CapsLock-a>"},
            {bind(ch(U'\b'), Mod::ctrl), "Ctrl+U+0008", "C-U+0008", "<C-U+0008>"},
            {bind(ch(U'с'), Mod::ctrl | Mod::shift), "Ctrl+Shift+С", "C-S-с", "<C-S-с>"},
        };
        for (const auto& row : rows) {
            CHECK(to_string(row.b) == row.plus);
            CHECK(to_string(row.b, BindingStyle::emacs) == row.emacs);
            CHECK(to_string(row.b, BindingStyle::vim) == row.vim);
        }
        // The plus style is the human form of the same key event, locks and capitals aside.
        KeyEvent e = key(Key::page_down, Mod::ctrl | Mod::alt | Mod::super);
        CHECK(to_string(to_binding(e)) == to_string(Event(e)));
        CHECK(to_string(parse_sequence("C-x  C-s")) == "Ctrl+x Ctrl+s");
        CHECK(to_string(parse_sequence("<Space> f f"), BindingStyle::vim) == "<Space> f f");
        CHECK(to_string(parse_sequence("g g"), BindingStyle::emacs) == "g g");
    }

    TEST_CASE("round trips: every named key, every printable ASCII character")
    {
        for (Key k : named_keys()) {
            REQUIRE(!key_name(k).empty());
            CAPTURE(key_name(k));
            check_round_trips(k);
        }
        for (char32_t c = 0x20; c < 0x7f; ++c) {
            CAPTURE(static_cast<std::uint32_t>(c));
            check_round_trips(ch(c));
        }
    }

    TEST_CASE("round trips: control characters and other scripts")
    {
        for (char32_t c :
             {0x01u, 0x08u, 0x09u,  0x0du,  0x1bu,  0x1fu,  0x7fu,  0x80u,   0x9fu,   0xa0u,    0xe9u,
              0xc9u, 0xffu, 0x178u, 0x3c2u, 0x441u, 0x421u, 0x5d0u, 0x20acu, 0x4e2du, 0x1f600u, 0x10fffdu}) {
            CAPTURE(static_cast<std::uint32_t>(c));
            check_round_trips(ch(static_cast<char32_t>(c)));
        }
    }

    TEST_CASE("letter case: upper and lower are inverse pairs")
    {
        int letters = 0;
        for (char32_t c = 1; c < 0x600; ++c) {
            char32_t up = detail::upper_case(c);
            if (up != c) {
                ++letters;
                CAPTURE(static_cast<std::uint32_t>(c));
                CHECK(detail::upper_case(up) == up);
                if (c != 0x3c2) {  // final sigma: its capital is sigma's
                    CHECK(detail::lower_case(up) == c);
                }
            }
            char32_t low = detail::lower_case(c);
            if (low != c) {
                CAPTURE(static_cast<std::uint32_t>(c));
                CHECK(detail::upper_case(low) == c);
            }
        }
        CHECK(letters > 250);
        CHECK(detail::upper_case(U'1') == U'1');
        CHECK(detail::upper_case(U'ß') == U'ß');
    }

    TEST_CASE("canonical: Shift+A is one key in every protocol")
    {
        const KeyEvent legacy = decode("A");
        const KeyEvent other_keys = decode("\x1b[27;2;65~");  // modifyOtherKeys: 'A' with Shift
        const KeyEvent kitty = decode("\x1b[97:65;2u");       // kitty: 'a', shifted 'A', Shift
        const KeyEvent kitty_plain = decode("\x1b[97;2u");    // kitty without alternate keys
        const KeyEvent kitty_text = decode("\x1b[97:65;2;65u");
        // Today's decoded events differ...
        CHECK(legacy.key == ch(U'A'));
        CHECK(other_keys.mods == Mods(Mod::shift));
        CHECK(kitty.key == ch(U'a'));
        CHECK(kitty.shifted == U'A');
        // ...their canonical forms do not.
        KeyEvent want = key(ch(U'A'));
        want.text = "A";
        for (const KeyEvent& e : {legacy, other_keys, kitty, kitty_plain, kitty_text}) {
            CAPTURE(to_string(Event(e)));
            CHECK(canonical(e) == want);
            CHECK(matches(e, parse_binding("shift+a")));
            CHECK(matches(e, parse_binding("A")));
            CHECK(matches(e, parse_binding("S-a")));
            CHECK(!matches(e, parse_binding("a")));
            CHECK(to_binding(e) == bind(ch(U'A')));
        }
    }

    TEST_CASE("canonical: Ctrl+Shift+C, Shift+1, named keys")
    {
        // xterm's modifyOtherKeys, kitty with and without alternate keys.
        for (std::string_view bytes : {"\x1b[27;6;67~"sv, "\x1b[67;6u"sv, "\x1b[99:67;6u"sv}) {
            KeyEvent e = decode(bytes);
            CAPTURE(to_string(Event(e)));
            CHECK(canonical(e).key == ch(U'C'));
            CHECK(canonical(e).mods == Mods(Mod::ctrl));
            CHECK(canonical(e).text.empty());
            CHECK(matches(e, parse_binding("ctrl+shift+c")));
            CHECK(matches(e, parse_binding("C-C")));
            CHECK(!matches(e, parse_binding("ctrl+c")));
        }
        // Legacy Ctrl+C is 0x03 with or without Shift: it is Ctrl+c.
        CHECK(matches(decode("\x03"), parse_binding("ctrl+c")));
        CHECK(!matches(decode("\x03"), parse_binding("ctrl+shift+c")));
        // Shift+1: the character is known only when the terminal reports it.
        CHECK(canonical(decode("!")).key == ch(U'!'));
        KeyEvent shift1 = decode("\x1b[49:33;2u");  // kitty with alternate keys
        CHECK(canonical(shift1).key == ch(U'!'));
        CHECK(canonical(shift1).mods.empty());
        CHECK(canonical(shift1).text == "!");
        CHECK(matches(shift1, parse_binding("!")));
        KeyEvent shift1_bare = decode("\x1b[49;2u");  // kitty without: the layout decides
        CHECK(canonical(shift1_bare).key == ch(U'1'));
        CHECK(canonical(shift1_bare).mods == Mods(Mod::shift));
        CHECK(canonical(shift1_bare).text.empty());
        CHECK(matches(shift1_bare, parse_binding("shift+1")));
        CHECK(!matches(shift1_bare, parse_binding("1")));
        KeyEvent shift1_text = decode("\x1b[49;2;33u");  // kitty with text: what it typed says
        CHECK(canonical(shift1_text).key == ch(U'!'));
        CHECK(canonical(shift1_text).mods.empty());
        CHECK(matches(shift1_text, parse_binding("!")));
        // ...unless CapsLock may have changed the text's case: then the letter's own case rule.
        KeyEvent caps_shift_text = decode("\x1b[97;66;97u");
        CHECK(canonical(caps_shift_text).key == ch(U'A'));
        CHECK(canonical(caps_shift_text).text == "a");
        // Named keys keep Shift in every form: legacy CSI Z, xterm CSI 1;2 A, kitty.
        CHECK(matches(decode("\x1b[Z"), parse_binding("shift+tab")));
        CHECK(matches(decode("\x1b[9;2u"), parse_binding("backtab")));
        CHECK(matches(decode("\x1b[1;2A"), parse_binding("S-<up>")));
        CHECK(matches(decode("\x1b[1;2A"), parse_binding("<S-Up>")));
        CHECK(!matches(decode("\x1b[1;2A"), parse_binding("up")));
        // Shift+Space keeps its Shift and types a space.
        KeyEvent shift_space = decode("\x1b[32;2u");
        CHECK(canonical(shift_space).mods == Mods(Mod::shift));
        CHECK(canonical(shift_space).text == " ");
        CHECK(matches(shift_space, parse_binding("shift+space")));
        CHECK(canonical(decode("\x1b[32;2;32u")) == canonical(shift_space));
    }

    TEST_CASE("canonical: text filled in where the protocol left it out")
    {
        KeyEvent a = decode("\x1b[97u");  // kitty flag 8, no flag 16: no text
        CHECK(a.text.empty());
        CHECK(canonical(a).text == "a");
        CHECK(canonical(decode("a")) == canonical(a));
        CHECK(canonical(decode("\x1b[97;;97u")) == canonical(a));
        // Modified keys type nothing; neither do releases and named keys.
        CHECK(canonical(decode("\x1b[97;5u")).text.empty());
        CHECK(canonical(decode("\x1b[97;3u")).text.empty());
        CHECK(canonical(decode("\x1b[97;1:3u")).text.empty());
        CHECK(canonical(decode("\x1b[13u")).text.empty());
        CHECK(canonical(decode("\x1b[57399u")).text.empty());  // kp_0
        // CapsLock: the key stays, the text is the capital; with Shift too, the small letter.
        KeyEvent caps = decode("\x1b[97;65u");
        CHECK(caps.mods == Mods(Mod::capslock));
        CHECK(canonical(caps).key == ch(U'a'));
        CHECK(canonical(caps).mods.empty());
        CHECK(canonical(caps).text == "A");
        KeyEvent caps_shift = decode("\x1b[97:65;66u");
        CHECK(canonical(caps_shift).key == ch(U'A'));
        CHECK(canonical(caps_shift).text == "a");
        // Text the terminal sent is kept as it is.
        CHECK(canonical(decode("\x1b[97;65;65u")).text == "A");
        // Not a character: nothing filled in.
        CHECK(canonical(key(ch(U'\x1b'))).text.empty());
    }

    TEST_CASE("canonical: the lock modifiers")
    {
        // Ctrl+C with NumLock and CapsLock on (kitty reports the locks).
        KeyEvent e = decode("\x1b[99;197u");
        CHECK(e.mods == (Mod::ctrl | Mod::capslock | Mod::numlock));
        CHECK(canonical(e).mods == Mods(Mod::ctrl));
        CHECK(matches(e, parse_binding("ctrl+c")));
        CHECK(to_binding(e) == bind(ch(U'c'), Mod::ctrl));
        // A binding that names a lock asks for it: it must be on, the other one is ignored.
        CHECK(matches(e, parse_binding("numlock+ctrl+c")));
        CHECK(matches(e, parse_binding("capslock+numlock+ctrl+c")));
        KeyEvent num_only = decode("\x1b[99;133u");
        CHECK(matches(num_only, parse_binding("numlock+ctrl+c")));
        CHECK(!matches(num_only, parse_binding("capslock+ctrl+c")));
        CHECK(!matches(decode("\x03"), parse_binding("numlock+ctrl+c")));
        // The lock bits never turn F3 into anything else either.
        CHECK(matches(key(function_key(3), Mods::from_bits(0xc0)), parse_binding("f3")));
    }

    TEST_CASE("matches: the base-layout key (crossterm#968)")
    {
        // Russian layout under kitty with alternate keys: the C key types Cyrillic 'с', base 'c'.
        KeyEvent ctrl_c = decode("\x1b[1089::99;5u");
        CHECK(ctrl_c.key == ch(U'с'));
        CHECK(ctrl_c.base == U'c');
        CHECK(matches(ctrl_c, parse_binding("ctrl+c")));
        CHECK(matches(ctrl_c, parse_binding("ctrl+с")));  // and by what it types
        CHECK(!matches(ctrl_c, parse_binding("ctrl+shift+c")));
        CHECK(!matches(ctrl_c, parse_binding("c")));
        CHECK(matches(decode("\x1b[1074::100;5u"), parse_binding("C-d")));  // codex: Ctrl+D, 'в'
        // Ctrl+Shift+C on the same layout: shifted 'С', base 'c'.
        KeyEvent ctrl_shift_c = decode("\x1b[1089:1057:99;6u");
        CHECK(matches(ctrl_shift_c, parse_binding("ctrl+shift+c")));
        CHECK(!matches(ctrl_shift_c, parse_binding("ctrl+c")));
        CHECK(canonical(ctrl_shift_c).key == ch(U'С'));
        CHECK(canonical(ctrl_shift_c).base == U'C');
        // A non-letter base key keeps Shift beside it: Russian Ctrl+Shift+ж is base ';' with Shift.
        KeyEvent zh = decode("\x1b[1078:1046:59;6u");
        CHECK(matches(zh, parse_binding("ctrl+shift+;")));
        CHECK(!matches(zh, parse_binding("ctrl+;")));
        CHECK(canonical(zh).base == 0);
        // A Latin layout matches by what it types only: AZERTY's A key (base 'q') is 'a'.
        KeyEvent azerty_a = decode("\x1b[97::113;5u");
        CHECK(matches(azerty_a, parse_binding("ctrl+a")));
        CHECK(!matches(azerty_a, parse_binding("ctrl+q")));
        // No base key reported: nothing to fall back on.
        CHECK(!matches(key(ch(U'с'), Mod::ctrl), parse_binding("ctrl+c")));
    }

    TEST_CASE("matches: press, repeat and release")
    {
        KeyEvent press = decode("\x1b[120;5u");
        KeyEvent repeat = decode("\x1b[120;5:2u");
        KeyEvent release = decode("\x1b[120;5:3u");
        REQUIRE(repeat.kind == KeyKind::repeat);
        REQUIRE(release.kind == KeyKind::release);
        Binding b = parse_binding("C-x");
        CHECK(matches(press, b));
        CHECK(matches(repeat, b));
        CHECK(!matches(release, b));
        b.trigger = Trigger::press;
        CHECK(matches(press, b));
        CHECK(!matches(repeat, b));
        CHECK(!matches(release, b));
        b.trigger = Trigger::release;
        CHECK(!matches(press, b));
        CHECK(!matches(repeat, b));
        CHECK(matches(release, b));
        b.trigger = Trigger::any;
        CHECK(matches(press, b));
        CHECK(matches(repeat, b));
        CHECK(matches(release, b));
        // Exact modifiers: one more or one fewer does not match.
        CHECK(!matches(decode("\x1b[120;7u"), parse_binding("C-x")));
        CHECK(!matches(decode("x"), parse_binding("C-x")));
        CHECK(matches(decode("\x18"), parse_binding("C-x")));
        CHECK(matches(decode("\x1bx"), parse_binding("M-x")));
        CHECK(matches(decode("\x1b[120;3u"), parse_binding("alt+x")));
        CHECK(matches(decode("\x1b[27;3;120~"), parse_binding("<M-x>")));
        // A binding built by hand is canonicalised: Shift+a is A.
        CHECK(matches(decode("A"), bind(ch(U'a'), Mod::shift)));
        CHECK(!matches(decode("a"), Binding{}));
    }

    TEST_CASE("matches: legacy, modifyOtherKeys and kitty forms of one binding")
    {
        struct Row {
            std::string_view binding;
            std::vector<std::string_view> forms;
        };
        const Row rows[] = {
            {"ctrl+shift+p", {"\x1b[27;6;80~", "\x1b[80;6u", "\x1b[112:80;6u", "\x1b[112;6u"}},
            {"alt+enter", {"\x1b\r", "\x1b[13;3u"}},
            {"ctrl+space", {"\x00"sv, "\x1b[32;5u", "\x1b[27;5;32~"}},
            {"shift+tab", {"\x1b[Z", "\x1b[9;2u"}},
            {"esc", {"\x1b[27u"}},
            {"f5", {"\x1b[15~"}},
            {"<C-Up>", {"\x1b[1;5A", "\x1bO5A"}},
            {"kp_enter", {"\x1bOM", "\x1b[57414u"}},
            {"M-<", {"\x1b<", "\x1b[60;3u"}},
            {"ctrl++", {"\x1b[43;5u", "\x1b[27;5;43~"}},
            {"<", {"<", "\x1b[60u"}},
            {"space", {" ", "\x1b[32u"}},
        };
        for (const auto& row : rows) {
            Binding b = parse_binding(row.binding);
            for (std::string_view bytes : row.forms) {
                KeyEvent e = decode(bytes);
                CAPTURE(row.binding);
                CAPTURE(to_string(Event(e)));
                CHECK(matches(e, b));
            }
        }
    }

    TEST_CASE("sequences: match, prefix and no match")
    {
        SequenceMatcher m;
        CHECK(m.timeout() == std::chrono::milliseconds(1000));
        CHECK(m.add("C-x C-s") == 0);
        CHECK(m.add("C-x C-c") == 1);
        CHECK(m.add("<Space> f f") == 2);
        CHECK(m.sequences()[2].size() == 3);
        std::vector<SequenceResult> out;

        CHECK(m.feed(decode("\x18"), t0, out) == SequenceStatus::prefix);
        REQUIRE(out.size() == 1);
        CHECK(out[0].status == SequenceStatus::prefix);
        CHECK(out[0].keys.size() == 1);
        CHECK(m.deadline() == t0 + 1s);
        CHECK(m.pending().size() == 1);
        out.clear();
        CHECK(m.feed(decode("\x13"), t0 + 100ms, out) == SequenceStatus::match);
        REQUIRE(out.size() == 1);
        CHECK(out[0].status == SequenceStatus::match);
        CHECK(out[0].index == 0);
        CHECK(out[0].keys.size() == 2);
        CHECK(!m.deadline());
        CHECK(m.pending().empty());

        // A key that begins nothing is given back at once.
        out.clear();
        CHECK(m.feed(decode("q"), t0, out) == SequenceStatus::none);
        REQUIRE(out.size() == 1);
        CHECK(out[0].status == SequenceStatus::none);
        CHECK(out[0].keys == std::vector<KeyEvent>{decode("q")});

        // A prefix that cannot go on: each key is given back, in order, and the breaking key
        // is matched afresh (here it begins a sequence itself).
        out.clear();
        m.feed(decode(" "), t0, out);
        m.feed(decode("f"), t0 + 10ms, out);
        CHECK(m.feed(decode("\x18"), t0 + 20ms, out) == SequenceStatus::prefix);
        REQUIRE(out.size() == 5);
        CHECK(out[2].status == SequenceStatus::none);
        CHECK(out[2].keys[0].key == ch(U' '));
        CHECK(out[3].status == SequenceStatus::none);
        CHECK(out[3].keys[0].key == ch(U'f'));
        CHECK(out[4].status == SequenceStatus::prefix);
        CHECK(m.deadline() == t0 + 20ms + 1s);
        out.clear();
        CHECK(m.feed(decode("\x03"), t0 + 30ms, out) == SequenceStatus::match);
        CHECK(out.back().index == 1);
    }

    TEST_CASE("sequences: the timeout, in the decoder's style")
    {
        SequenceMatcher m(std::chrono::milliseconds(500));
        m.add("g g");
        std::vector<SequenceResult> out;
        CHECK(!m.deadline());
        m.feed(decode("g"), t0, out);
        CHECK(m.deadline() == t0 + 500ms);
        out.clear();
        m.flush(t0 + 499ms, out);  // not yet
        CHECK(out.empty());
        CHECK(m.pending().size() == 1);
        m.flush(t0 + 500ms, out);  // expired: "g" alone is no sequence
        REQUIRE(out.size() == 1);
        CHECK(out[0].status == SequenceStatus::none);
        CHECK(!m.deadline());

        // The timeout counts from the last key.
        out.clear();
        m.add("g c c");
        m.feed(decode("g"), t0, out);
        m.feed(decode("c"), t0 + 400ms, out);
        CHECK(m.deadline() == t0 + 900ms);
        out.clear();
        CHECK(m.feed(decode("c"), t0 + 800ms, out) == SequenceStatus::match);
        CHECK(out.back().index == 1);

        // A key fed after the deadline without a flush: the held keys expire first.
        out.clear();
        m.feed(decode("g"), t0, out);
        out.clear();
        CHECK(m.feed(decode("g"), t0 + 2s, out) == SequenceStatus::prefix);
        REQUIRE(out.size() == 2);
        CHECK(out[0].status == SequenceStatus::none);
        CHECK(out[1].status == SequenceStatus::prefix);

        // finish() resolves whatever is held.
        out.clear();
        m.finish(out);
        REQUIRE(out.size() == 1);
        CHECK(out[0].status == SequenceStatus::none);
        CHECK(m.pending().empty());
    }

    TEST_CASE("sequences: a shorter sequence inside a longer one (Vim's rule)")
    {
        SequenceMatcher m(std::chrono::milliseconds(1000));
        CHECK(m.add("g") == 0);
        CHECK(m.add("g g") == 1);
        CHECK(m.add("g c c") == 2);
        std::vector<SequenceResult> out;

        // "g g" in time: the longer one.
        CHECK(m.feed(decode("g"), t0, out) == SequenceStatus::prefix);
        CHECK(m.feed(decode("g"), t0 + 10ms, out) == SequenceStatus::match);
        CHECK(out.back().index == 1);

        // "g" then the timeout: the shorter one.
        out.clear();
        m.feed(decode("g"), t0, out);
        m.flush(*m.deadline(), out);
        REQUIRE(out.size() == 2);
        CHECK(out[1].status == SequenceStatus::match);
        CHECK(out[1].index == 0);

        // "g" then a key that continues nothing: "g", then that key afresh.
        out.clear();
        m.feed(decode("g"), t0, out);
        out.clear();
        CHECK(m.feed(decode("x"), t0 + 10ms, out) == SequenceStatus::none);
        REQUIRE(out.size() == 2);
        CHECK(out[0].status == SequenceStatus::match);
        CHECK(out[0].index == 0);
        CHECK(out[1].status == SequenceStatus::none);
        CHECK(out[1].keys[0].key == ch(U'x'));

        // "g c x": the longest complete head ("g"), then "c" and "x" given back.
        out.clear();
        m.feed(decode("g"), t0, out);
        m.feed(decode("c"), t0, out);
        out.clear();
        m.feed(decode("x"), t0, out);
        REQUIRE(out.size() == 3);
        CHECK(out[0].status == SequenceStatus::match);
        CHECK(out[0].keys.size() == 1);
        CHECK(out[1].keys[0].key == ch(U'c'));
        CHECK(out[2].keys[0].key == ch(U'x'));

        // "g c" then the timeout: "g" matches, "c" is given back.
        out.clear();
        m.feed(decode("g"), t0, out);
        m.feed(decode("c"), t0, out);
        out.clear();
        m.flush(t0 + 1s, out);
        REQUIRE(out.size() == 2);
        CHECK(out[0].status == SequenceStatus::match);
        CHECK(out[1].status == SequenceStatus::none);

        // "g" followed by a "g" that breaks "g c c" later: "g g" matched first.
        out.clear();
        m.feed(decode("g"), t0, out);
        CHECK(m.feed(decode("g"), t0, out) == SequenceStatus::match);
    }

    TEST_CASE("sequences: without a timeout, as in Emacs")
    {
        SequenceMatcher m(std::nullopt);
        m.add("C-x C-s");
        std::vector<SequenceResult> out;
        m.feed(decode("\x18"), t0, out);
        CHECK(!m.deadline());
        m.flush(t0 + 24h, out);
        CHECK(m.pending().size() == 1);
        out.clear();
        CHECK(m.feed(decode("\x13"), t0 + 24h, out) == SequenceStatus::match);
    }

    TEST_CASE("sequences: kitty's modifier keys and releases are transparent")
    {
        SequenceMatcher m;
        m.add("C-x C-s");
        m.add("a b");
        std::vector<SequenceResult> out;
        // Ctrl down, x down and up, s down: what kitty sends with flags 1+2+8.
        CHECK(m.feed(decode("\x1b[57442u"), t0, out) == SequenceStatus::none);  // left_ctrl
        CHECK(m.feed(decode("\x1b[120;5u"), t0, out) == SequenceStatus::prefix);
        CHECK(m.feed(decode("\x1b[57442;5:2u"), t0, out) == SequenceStatus::none);  // left_ctrl repeat
        CHECK(m.feed(decode("\x1b[120;5:3u"), t0, out) == SequenceStatus::none);    // x up
        CHECK(m.pending().size() == 1);
        CHECK(m.feed(decode("\x1b[115;5u"), t0, out) == SequenceStatus::match);
        CHECK(out.back().index == 0);
        CHECK(out.back().keys.size() == 2);
        // Repeats are presses for the default trigger: holding 'a' then 'b'.
        out.clear();
        CHECK(m.feed(decode("\x1b[97u"), t0, out) == SequenceStatus::prefix);
        CHECK(m.feed(decode("\x1b[97;1:3u"), t0, out) == SequenceStatus::none);
        CHECK(m.feed(decode("\x1b[98u"), t0, out) == SequenceStatus::match);
        // A sequence may ask for a release: then the release is part of it.
        SequenceMatcher r;
        Binding up = parse_binding("space");
        up.trigger = Trigger::release;
        r.add({parse_binding("space"), up});
        out.clear();
        CHECK(r.feed(decode("\x1b[32u"), t0, out) == SequenceStatus::prefix);
        CHECK(r.feed(decode("\x1b[32;1:3u"), t0, out) == SequenceStatus::match);
    }

    TEST_CASE("sequences: the first of two equal sequences wins; a Russian layout")
    {
        SequenceMatcher m;
        m.add("C-c");
        m.add("ctrl+c");
        m.add("C-x C-c");
        std::vector<SequenceResult> out;
        CHECK(m.feed(decode("\x1b[1089::99;5u"), t0, out) == SequenceStatus::match);
        CHECK(out.back().index == 0);
        CHECK(m.feed(decode("\x1b[1095::120;5u"), t0, out) == SequenceStatus::prefix);  // 'ч', base 'x'
        CHECK(m.feed(decode("\x1b[1089::99;5u"), t0, out) == SequenceStatus::match);
        CHECK(out.back().index == 2);
    }
}
