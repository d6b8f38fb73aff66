// Wire → key tables of the decoder (internal): what a parameter or final byte means as a key.
//
// Pure constexpr functions and tables, no grammar: the grammar files (csi.cpp, keyboard.cpp,
// kitty.cpp, mouse.cpp) decide which of these a sequence reaches. Each row says where the
// encoding comes from, so that a reader can check it against the source:
//   [ctlseqs]  xterm's "XTerm Control Sequences" (PC-Style Function Keys, VT220-Style, Mouse)
//   [vt220]    the DEC VT220 programmer reference (the `CSI n ~` editing keypad)
//   [rxvt]     rxvt-unicode's doc/rxvt.7 "Key Codes"
//   [kitty]    the kitty keyboard protocol ("Functional key definitions")
//   [linux]    the Linux console's terminfo entry `linux` (also FTXUI's quirk table)
//   [win32]    Microsoft's "Virtual-Key Codes" page (winuser.h), for win32-input-mode
#pragma once

#include <array>
#include <cstdint>

#include "vtinput/event.hpp"

namespace vtinput::detail {

using u8 = unsigned char;

// A modifier parameter beyond what any protocol sends (xterm: 2..16, kitty: up to 256) makes
// the sequence meaningless rather than a key with arbitrary modifiers.
constexpr bool valid_mod_param(int m) { return m <= 256; }

// `1 + bits` [ctlseqs, kitty]: shift 1, alt 2, ctrl 4, super 8, hyper 16, meta 32, caps 64,
// num 128. Missing or 1: no modifier.
inline Mods mods_from_param(int m) { return m <= 1 ? Mods() : Mods::from_bits(static_cast<unsigned>(m - 1) & 0xffu); }

// The lock modifiers' bits (capslock 64, numlock 128) in `m - 1` [kitty].
inline constexpr int k_lock_bits = 64 | 128;

// kitty's event type sub-parameter [kitty]: 1 press, 2 repeat, 3 release.
constexpr KeyKind kind_from_param(int e)
{
    // 2 repeat, 3 release, anything else press; without branches, as it runs for every key.
    static_assert(static_cast<int>(KeyKind::repeat) == 1 && static_cast<int>(KeyKind::release) == 2);
    return static_cast<unsigned>(e - 2) <= 1 ? static_cast<KeyKind>(e - 1) : KeyKind::press;
}

constexpr bool valid_scalar(long v) { return v > 0 && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff); }

// A key code of the kitty protocol / modifyOtherKeys to a Key; Key::none when invalid.
inline Key kitty_key(int code)
{
    switch (code) {
    // [kitty] legacy C0 codes keep their keys; [ctlseqs] xterm's modifyOtherKeys and
    // formatOtherKeys=1 report BackSpace as 8 when backarrowKey sends ^H (Ctrl+Shift+BackSpace
    // is `CSI 27;6;8~` or `CSI 8;6u`), and kitty as 127: both are Backspace.
    case 8: return Key::backspace;
    case 9: return Key::tab;
    case 13: return Key::enter;
    case 27: return Key::escape;
    case 127: return Key::backspace;
    default: break;
    }
    if (code >= 57358 && code <= 57363) {
        // [kitty] CAPS_LOCK 57358, SCROLL_LOCK, NUM_LOCK, PRINT_SCREEN, PAUSE, MENU 57363
        static constexpr Key k[] = {Key::caps_lock, Key::scroll_lock, Key::num_lock, Key::print, Key::pause, Key::menu};
        return k[code - 57358];
    }
    if (code >= 57376 && code <= 57398) {
        return function_key(13 + code - 57376);  // [kitty] F13 57376 .. F35 57398
    }
    if (code >= 57399 && code <= 57454) {
        // [kitty] KP_0 57399 .. ISO_LEVEL5_SHIFT 57454; Key declares them in the same order.
        return static_cast<Key>(static_cast<std::uint32_t>(Key::kp_0) + static_cast<std::uint32_t>(code - 57399));
    }
    return valid_scalar(code) ? char_key(static_cast<char32_t>(code)) : Key::none;
}

// `CSI n ~` keys (VT220/xterm/rxvt numbering).
constexpr Key tilde_key_of(int n)
{
    // One row a key, with its source: kept as a table.
    // clang-format off
    switch (n) {
    case 1: return Key::home;  // [vt220] Find; [ctlseqs] Home with tmux and xterm's vt220 keys
    case 2: return Key::insert;     // [vt220] Insert
    case 3: return Key::del;        // [vt220] Remove
    case 4: return Key::end;        // [vt220] Select; [ctlseqs] End likewise
    case 5: return Key::page_up;    // [vt220] Prev Screen
    case 6: return Key::page_down;  // [vt220] Next Screen
    case 7: return Key::home;       // [rxvt]
    case 8: return Key::end;        // [rxvt]
    case 11: case 12: case 13: case 14: case 15: return function_key(n - 10);  // [rxvt] F1..F5, old xterm
    case 17: case 18: case 19: case 20: case 21: return function_key(n - 11);  // [ctlseqs] F6..F10
    case 23: case 24: case 25: case 26: return function_key(n - 12);  // [ctlseqs] F11..F14
    case 28: return function_key(15);   // [vt220] Help, F15
    case 29: return Key::menu;          // [vt220] Do; kitty and urxvt send Menu so [kitty]
    case 31: case 32: case 33: case 34: return function_key(n - 14);  // [vt220] F17..F20
    default: return Key::none;
    }
    // clang-format on
}

// tilde_key_of as a table: it is looked up for every `CSI n ~` key press.
inline constexpr int k_tilde_keys = 35;
inline constexpr auto k_tilde_table = [] {
    std::array<Key, k_tilde_keys> t{};
    for (int n = 0; n < k_tilde_keys; ++n) {
        t[static_cast<std::size_t>(n)] = tilde_key_of(n);
    }
    return t;
}();

inline Key tilde_key(int n)
{
    return n >= 0 && n < k_tilde_keys ? k_tilde_table[static_cast<std::size_t>(n)] : Key::none;
}

// Final byte of `CSI [1;m] X` and `SS3 X` cursor/function keys [ctlseqs, PC-Style Function Keys].
inline Key letter_key(u8 f)
{
    switch (f) {
    case 'A': return Key::up;
    case 'B': return Key::down;
    case 'C': return Key::right;
    case 'D': return Key::left;
    case 'E': return Key::begin;  // the keypad's 5 without NumLock
    case 'F': return Key::end;
    case 'H': return Key::home;
    case 'P': return function_key(1);
    case 'Q': return function_key(2);
    case 'R': return function_key(3);  // in CSI form, see keyboard.cpp's cpr_or_f3
    case 'S': return function_key(4);
    default: return Key::none;
    }
}

// SS3 keypad keys in DEC application keypad mode [ctlseqs, VT220-Style Function Keys].
inline Key keypad_key(u8 f)
{
    if (f >= 'p' && f <= 'y') {
        return static_cast<Key>(static_cast<std::uint32_t>(Key::kp_0) + static_cast<std::uint32_t>(f - 'p'));
    }
    switch (f) {
    case 'M': return Key::kp_enter;
    case 'X': return Key::kp_equal;
    case 'j': return Key::kp_multiply;
    case 'k': return Key::kp_plus;
    case 'l': return Key::kp_separator;
    case 'm': return Key::kp_minus;
    case 'n': return Key::kp_decimal;
    case 'o': return Key::kp_divide;
    case 'I': return Key::tab;
    case ' ': return char_key(U' ');
    default: return Key::none;
    }
}

// rxvt's Shift+arrows (`CSI a..d`) and Ctrl+arrows (`SS3 a..d`) [rxvt].
inline Key rxvt_arrow(u8 f)
{
    static constexpr Key arrows[] = {Key::up, Key::down, Key::right, Key::left};
    return arrows[f - 'a'];
}

// win32-input-mode [win32]: a Virtual-Key code that names a key, as a Key; Key::none for the
// others (letters, digits, space and the OEM punctuation keys are characters, win32.cpp).
// `enhanced` is the ENHANCED_KEY bit of the control key state (0x100): it tells right Ctrl
// and Alt from left, and keypad Enter from Enter. `scan` tells right Shift (scan code 0x36)
// from left. The navigation keys are the same keys with or without it (the keypad's, with
// NumLock off, are what xterm sends Home, Up, ... for too).
inline Key win32_named_key(int vk, bool enhanced, int scan)
{
    if (vk >= 0x70 && vk <= 0x87) {
        return function_key(vk - 0x6f);  // VK_F1 .. VK_F24
    }
    if (vk >= 0x60 && vk <= 0x69) {
        // VK_NUMPAD0 .. VK_NUMPAD9
        return static_cast<Key>(static_cast<std::uint32_t>(Key::kp_0) + static_cast<std::uint32_t>(vk - 0x60));
    }
    // One row a key, as the Virtual-Key Codes page names them: kept as a table.
    // clang-format off
    switch (vk) {
    case 0x08: return Key::backspace;     // VK_BACK
    case 0x09: return Key::tab;           // VK_TAB
    case 0x0c: return Key::kp_begin;      // VK_CLEAR: keypad 5 with NumLock off
    case 0x0d: return enhanced ? Key::kp_enter : Key::enter;  // VK_RETURN
    case 0x10: return scan == 0x36 ? Key::right_shift : Key::left_shift;  // VK_SHIFT
    case 0x11: return enhanced ? Key::right_ctrl : Key::left_ctrl;  // VK_CONTROL
    case 0x12: return enhanced ? Key::right_alt : Key::left_alt;    // VK_MENU
    case 0x13: return Key::pause;         // VK_PAUSE
    case 0x14: return Key::caps_lock;     // VK_CAPITAL
    case 0x1b: return Key::escape;        // VK_ESCAPE
    case 0x21: return Key::page_up;       // VK_PRIOR
    case 0x22: return Key::page_down;     // VK_NEXT
    case 0x23: return Key::end;           // VK_END
    case 0x24: return Key::home;          // VK_HOME
    case 0x25: return Key::left;          // VK_LEFT
    case 0x26: return Key::up;            // VK_UP
    case 0x27: return Key::right;         // VK_RIGHT
    case 0x28: return Key::down;          // VK_DOWN
    case 0x2c: return Key::print;         // VK_SNAPSHOT
    case 0x2d: return Key::insert;        // VK_INSERT
    case 0x2e: return Key::del;           // VK_DELETE
    case 0x5b: return Key::left_super;    // VK_LWIN
    case 0x5c: return Key::right_super;   // VK_RWIN
    case 0x5d: return Key::menu;          // VK_APPS
    case 0x6a: return Key::kp_multiply;   // VK_MULTIPLY
    case 0x6b: return Key::kp_plus;       // VK_ADD
    case 0x6c: return Key::kp_separator;  // VK_SEPARATOR
    case 0x6d: return Key::kp_minus;      // VK_SUBTRACT
    case 0x6e: return Key::kp_decimal;    // VK_DECIMAL
    case 0x6f: return Key::kp_divide;     // VK_DIVIDE
    case 0x90: return Key::num_lock;      // VK_NUMLOCK
    case 0x91: return Key::scroll_lock;   // VK_SCROLL
    case 0xa0: return Key::left_shift;    // VK_LSHIFT
    case 0xa1: return Key::right_shift;   // VK_RSHIFT
    case 0xa2: return Key::left_ctrl;     // VK_LCONTROL
    case 0xa3: return Key::right_ctrl;    // VK_RCONTROL
    case 0xa4: return Key::left_alt;      // VK_LMENU
    case 0xa5: return Key::right_alt;     // VK_RMENU
    case 0xad: return Key::mute_volume;   // VK_VOLUME_MUTE
    case 0xae: return Key::lower_volume;  // VK_VOLUME_DOWN
    case 0xaf: return Key::raise_volume;  // VK_VOLUME_UP
    case 0xb0: return Key::media_track_next;      // VK_MEDIA_NEXT_TRACK
    case 0xb1: return Key::media_track_previous;  // VK_MEDIA_PREV_TRACK
    case 0xb2: return Key::media_stop;            // VK_MEDIA_STOP
    case 0xb3: return Key::media_play_pause;      // VK_MEDIA_PLAY_PAUSE
    default: return Key::none;
    }
    // clang-format on
}

// win32-input-mode [win32]: the character a Virtual-Key code is labelled with on the US
// layout (letters lower case, as kitty's key codes are), for a key whose record carries no
// printable character (Ctrl+A carries ^A); 0 when it has none.
constexpr char32_t win32_key_char(int vk)
{
    if ((vk >= '0' && vk <= '9') || vk == ' ') {
        return static_cast<char32_t>(vk);
    }
    if (vk >= 'A' && vk <= 'Z') {
        return static_cast<char32_t>(vk - 'A' + 'a');
    }
    // clang-format off
    switch (vk) {
    case 0xba: return U';';   // VK_OEM_1
    case 0xbb: return U'=';   // VK_OEM_PLUS
    case 0xbc: return U',';   // VK_OEM_COMMA
    case 0xbd: return U'-';   // VK_OEM_MINUS
    case 0xbe: return U'.';   // VK_OEM_PERIOD
    case 0xbf: return U'/';   // VK_OEM_2
    case 0xc0: return U'`';   // VK_OEM_3
    case 0xdb: return U'[';   // VK_OEM_4
    case 0xdc: return U'\\';  // VK_OEM_5
    case 0xdd: return U']';   // VK_OEM_6
    case 0xde: return U'\'';  // VK_OEM_7
    default: return 0;
    }
    // clang-format on
}

struct KeyPress {
    Key key;
    Mods mods;
};

// A C0 control byte or DEL as a key (the built-in meaning; a KeyMap may override).
constexpr KeyPress control_key_of(u8 c)
{
    switch (c) {
    case 0x00: return {char_key(U' '), Mod::ctrl};  // Ctrl+Space and Ctrl+@ send NUL
    case 0x09: return {Key::tab, {}};
    case 0x0d: return {Key::enter, {}};
    case 0x1b: return {Key::escape, {}};
    case 0x7f: return {Key::backspace, {}};  // xterm's default backarrowKey
    default: break;
    }
    if (c < 0x1b) {
        return {char_key(static_cast<char32_t>('a' + c - 1)), Mod::ctrl};  // ^A..^Z
    }
    return {char_key(static_cast<char32_t>(c + 0x40)), Mod::ctrl};  // ^\ ^] ^^ ^_
}

// control_key_of as a table, like tilde_key.
inline constexpr auto k_control_table = [] {
    std::array<KeyPress, 0x20> t{};
    for (u8 c = 0; c < 0x20; ++c) {
        t[c] = control_key_of(c);
    }
    return t;
}();

inline KeyPress control_key(u8 c) { return c < 0x20 ? k_control_table[c] : control_key_of(c); }

}  // namespace vtinput::detail
