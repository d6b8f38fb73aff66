// One canonical key whatever the protocol, and matching a key event against a binding.
//
// The character form (binding.hpp says why): Shift is folded into a character key whenever
// the character it types with Shift is known, from kitty's shifted key or from the letter's
// upper case, and stays where it is not. The lock modifiers are state and take no part in a
// chord unless a binding names them. The base-layout key (kitty's alternate keys) is a
// fallback for keyboards that type no ASCII character, so that Ctrl+C works on a Cyrillic
// layout without a key ever matching two different letters on a Latin one.
#include "vtinput/binding.hpp"

#include "binding/case.hpp"
#include "support/text.hpp"

namespace vtinput {
namespace {

constexpr unsigned k_lock_bits = static_cast<unsigned>(Mod::capslock) | static_cast<unsigned>(Mod::numlock);

Mods without_locks(Mods mods) { return Mods::from_bits(mods.bits() & ~k_lock_bits); }
Mods locks_of(Mods mods) { return Mods::from_bits(mods.bits() & k_lock_bits); }
Mods without_shift(Mods mods) { return Mods::from_bits(mods.bits() & ~static_cast<unsigned>(Mod::shift)); }

// A key and its modifiers in character form. `shifted` is the key's shifted character when
// the terminal reported it (0 otherwise); a letter's is its upper case anyway.
struct Folded {
    Key key;
    Mods mods;
    bool shift_folded = false;
};

Folded fold(Key key, Mods mods, char32_t shifted)
{
    if (!is_char(key) || !mods.has(Mod::shift)) {
        return {key, mods};
    }
    char32_t c = to_char(key);
    if (shifted != 0 && shifted != c) {
        return {char_key(shifted), without_shift(mods), true};
    }
    if (char32_t upper = detail::upper_case(c); upper != c) {
        return {char_key(upper), without_shift(mods), true};
    }
    if (detail::lower_case(c) != c) {  // already the capital (modifyOtherKeys sends 'A' + Shift)
        return {key, without_shift(mods), true};
    }
    return {key, mods};
}

// Whether `a` and `b` are the same key with the same (non-lock) modifiers.
bool same(const Folded& a, const Binding& b) { return a.key == b.key && a.mods == without_locks(b.mods); }

// The character the key typed with Shift, when the terminal said: kitty's shifted key, or the
// text it typed (kitty's flag 16 without the alternate keys), unless CapsLock may have changed
// that text's case.
char32_t shifted_of(const KeyEvent& event)
{
    if (event.shifted != 0 || !event.mods.has(Mod::shift) || event.text.empty()) {
        return event.shifted;
    }
    auto one = detail::decode_utf8(event.text.view(), 0);
    if (one.status != detail::Utf8Status::valid || one.len != event.text.size() || detail::is_control(one.cp)) {
        return 0;
    }
    bool cased = detail::upper_case(one.cp) != one.cp || detail::lower_case(one.cp) != one.cp;
    return cased && event.mods.has(Mod::capslock) ? 0 : one.cp;
}

bool kind_selected(KeyKind kind, Trigger trigger)
{
    switch (trigger) {
    case Trigger::press_or_repeat: return kind != KeyKind::release;
    case Trigger::press: return kind == KeyKind::press;
    case Trigger::release: return kind == KeyKind::release;
    case Trigger::any: return true;
    }
    return false;
}

}  // namespace

Binding canonical(const Binding& binding)
{
    Binding b = binding;
    Folded f = fold(b.key, b.mods, 0);
    b.key = f.key;
    b.mods = f.mods;
    return b;
}

KeyEvent canonical(const KeyEvent& event)
{
    KeyEvent c = event;
    Folded f = fold(event.key, without_locks(event.mods), shifted_of(event));
    c.key = f.key;
    c.mods = f.mods;
    c.shifted = 0;
    if (event.base != 0 && f.shift_folded) {
        // The base key in the same form: folded with Shift too, or dropped when it cannot be.
        Folded b = fold(char_key(event.base), event.mods, 0);
        c.base = b.shift_folded ? to_char(b.key) : 0;
    }
    if (c.text.empty() && c.kind != KeyKind::release && is_char(c.key)) {
        char32_t ch = to_char(c.key);
        bool types = c.mods.empty() || (c.mods == Mods(Mod::shift) && ch == U' ');
        if (types && !detail::is_control(ch)) {
            if (event.mods.has(Mod::capslock)) {
                // CapsLock types the other case; with Shift (already folded in) the lower one.
                ch = f.shift_folded ? detail::lower_case(ch) : detail::upper_case(ch);
            }
            append_utf8(c.text, ch);
        }
    }
    return c;
}

Binding to_binding(const KeyEvent& event)
{
    KeyEvent c = canonical(event);
    Binding b;
    b.key = c.key;
    b.mods = c.mods;
    return b;
}

bool matches(const KeyEvent& event, const Binding& binding)
{
    if (!kind_selected(event.kind, binding.trigger)) {
        return false;
    }
    Mods locks = locks_of(binding.mods);
    if ((event.mods.bits() & locks.bits()) != locks.bits()) {
        return false;
    }
    Binding b = canonical(binding);
    Mods mods = without_locks(event.mods);
    Folded f = fold(event.key, mods, shifted_of(event));
    if (same(f, b)) {
        return true;
    }
    if (event.base != 0 && is_char(f.key) && to_char(f.key) >= 0x80) {
        return same(fold(char_key(event.base), mods, 0), b);
    }
    return false;
}

}  // namespace vtinput
