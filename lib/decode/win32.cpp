// win32-input-mode (DEC private mode 9001): what Windows Terminal and ConPTY send over ssh and
// WSL once an application asks for it, one `CSI Vk ; Sc ; Uc ; Kd ; Cs ; Rc _` per Windows
// KEY_EVENT_RECORD [win32 spec: microsoft/terminal doc/specs "#4999 - Improved keyboard
// handling in Conpty.md"]:
//   Vk  wVirtualKeyCode      (default 0)
//   Sc  wVirtualScanCode     (default 0)
//   Uc  UnicodeChar, decimal (default 0): one UTF-16 code unit
//   Kd  bKeyDown, 1 or 0     (default 0: a release)
//   Cs  dwControlKeyState    (default 0)
//   Rc  wRepeatCount         (default 1)
// Only keys use this form; focus and mouse still arrive in their VT forms.
//
// What each record becomes, and why:
//   - the key: a named key from Vk (keys.hpp's win32_named_key: arrows, F1-F24, the keypad,
//     the modifier keys themselves as left_/right_ keys by ENHANCED_KEY and the scan code);
//     else the character Uc when it is printable (the character the layout produced, as
//     legacy text is: Shift+a is `A`); else the US-layout character of Vk (Ctrl+A carries
//     ^A, so the key is `a`); else, with Vk 0 and a control character in Uc, that control as
//     a C0 byte is (Enter, Ctrl+x); else nothing: an unknown event.
//   - modifiers from Cs: SHIFT_PRESSED 0x10, LEFT/RIGHT_ALT 0x2/0x1, LEFT/RIGHT_CTRL
//     0x8/0x4, NUMLOCK_ON 0x20, CAPSLOCK_ON 0x80 (SCROLLLOCK_ON has no modifier bit). AltGr
//     is right Alt with left Ctrl (Windows adds the Ctrl); with both Ctrl and Alt held and a
//     printable Uc, the character is what AltGr produced, so Ctrl and Alt are dropped (AltGr+q
//     on a German layout is `@`, not Ctrl+Alt+@). Which side was held reaches the application
//     as the modifier keys' own events (left_ctrl, right_alt, ...).
//   - press or release from Kd; text (Uc) on a press of a printable character that no
//     remaining Ctrl or Alt turns into a shortcut.
//   - Rc: a key held down may arrive as one record with a repeat count. A press with Rc = n
//     is n key events, the first a press and the rest repeats, so that n characters are
//     typed, as Windows' own console delivers them; Rc is capped at k_win32_max_repeat so
//     that a few bytes cannot make an unbounded number of events. Rc 0 is taken as 1. A
//     release is one event whatever its count.
//   - a UTF-16 surrogate half in Uc is not a character: such a record (an emoji typed
//     through an input method arrives as two) decodes by its Vk alone, else as unknown.
#include "decode/impl.hpp"

#include "vtinput/event.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

namespace {

constexpr int k_win32_max_repeat = 64;

// dwControlKeyState bits [win32, KEY_EVENT_RECORD].
constexpr int k_right_alt = 0x1;
constexpr int k_left_alt = 0x2;
constexpr int k_right_ctrl = 0x4;
constexpr int k_left_ctrl = 0x8;
constexpr int k_shift = 0x10;
constexpr int k_numlock = 0x20;
constexpr int k_capslock = 0x80;
constexpr int k_enhanced = 0x100;

bool printable(int uc) { return uc >= 0x20 && uc != 0x7f && !(uc >= 0x80 && uc < 0xa0) && valid_scalar(uc); }

}  // namespace

Result Decoder::Impl::win32_key(const Csi& c, std::size_t len)
{
    if (c.nparams > 6 || c.has_subparams()) {
        return {Status::skip, len};
    }
    const int vk = c.get_or(0, 0), sc = c.get_or(1, 0), uc = c.get_or(2, 0);
    const int kd = c.get_or(3, 0), cs = c.get_or(4, 0), rc = c.get_or(5, 1);
    if (vk > 0xffff || sc > 0xffff || uc > 0xffff || kd > 1) {
        return {Status::skip, len};
    }
    Mods mods;
    if (cs & k_shift) {
        mods |= Mod::shift;
    }
    if (cs & (k_left_alt | k_right_alt)) {
        mods |= Mod::alt;
    }
    if (cs & (k_left_ctrl | k_right_ctrl)) {
        mods |= Mod::ctrl;
    }
    if (cs & k_capslock) {
        mods |= Mod::capslock;
    }
    if (cs & k_numlock) {
        mods |= Mod::numlock;
    }
    const bool has_char = printable(uc);
    Key k = win32_named_key(vk, (cs & k_enhanced) != 0, sc);
    if (k == Key::none) {
        if (has_char) {
            k = char_key(static_cast<char32_t>(uc));
            if (mods.has(Mod::ctrl) && mods.has(Mod::alt)) {
                // AltGr (or Ctrl+Alt, which Windows treats as AltGr) produced this character.
                mods = Mods::from_bits(mods.bits() &
                                       ~(static_cast<unsigned>(Mod::ctrl) | static_cast<unsigned>(Mod::alt)));
            }
        } else if (char32_t ch = win32_key_char(vk); ch != 0) {
            k = char_key(ch);
        } else if (vk == 0 && uc > 0 && uc < 0x20) {
            KeyPress p = control_key(static_cast<u8>(uc));
            k = p.key;
            mods |= p.mods;
        }
    }
    if (k == Key::none) {
        return {Status::skip, len};
    }
    const KeyKind kind = kd == 1 ? KeyKind::press : KeyKind::release;
    KeyEvent& e = key_slot(k, mods, kind);
    if (kind == KeyKind::press && has_char && !mods.has(Mod::ctrl) && !mods.has(Mod::alt)) {
        append_utf8(e.text, static_cast<char32_t>(uc));
    }
    if (kind == KeyKind::press) {
        // The first of `rc` is the press, the rest repeats; `ev` is the last of them.
        const int n = std::clamp(rc, 1, k_win32_max_repeat);
        for (int i = 1; i < n; ++i) {
            before.push_back(e);
            e.kind = KeyKind::repeat;
        }
    }
    return {Status::event, len};
}

}  // namespace vtinput
