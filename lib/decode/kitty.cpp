// Keys of the kitty keyboard protocol (`CSI ... u`) and xterm's modifyOtherKeys
// (`CSI 27 ; m ; k ~`): a key code, modifiers, and for kitty the event type (press, repeat,
// release), the shifted and base-layout keys and the text the key produces.
//
// Key codes map through keys.hpp's kitty_key. Every value is checked (modifier range, Unicode
// scalars for code points): one invalid field makes the whole sequence meaningless, never a
// key with a guessed part. csi_short.hpp decodes `CSI u` with at most three code points of
// text inline and must agree with kitty().
#include "decode/impl.hpp"

#include "vtinput/event.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

// `CSI code[:shifted[:base]] [; mods[:event] [; text:...]] u` [kitty]; also fixterms' and
// xterm's formatOtherKeys=1 form `CSI code ; mods u` [ctlseqs].
Result Decoder::Impl::kitty(const Csi& c, std::size_t len)
{
    if (c.nparams < 1 || c.nparams > 3 || c.count(0) > 3 || c.count(1) > 2) {
        return {Status::skip, len};
    }
    if (c.get(0) == 0) {
        return kitty_text(c, len);
    }
    Key k = kitty_key(c.get(0));
    if (k == Key::none) {
        return {Status::skip, len};
    }
    int m = c.get(1, 0);
    if (!valid_mod_param(m)) {
        return {Status::skip, len};
    }
    int shifted = c.get(0, 1), base = c.get(0, 2);
    if ((shifted != k_missing && !valid_scalar(shifted)) || (base != k_missing && !valid_scalar(base))) {
        return {Status::skip, len};
    }
    for (int j = 0; j < c.count(2); ++j) {
        int cp = c.get(2, j);
        if (cp != k_missing && !valid_scalar(cp)) {
            return {Status::skip, len};
        }
    }
    // Valid: built in place, as the short form is.
    auto& e = key_slot(k, mods_from_param(m), kind_from_param(c.get(1, 1)));
    e.shifted = shifted == k_missing ? 0 : static_cast<char32_t>(shifted);
    e.base = base == k_missing ? 0 : static_cast<char32_t>(base);
    for (int j = 0; j < c.count(2); ++j) {
        if (int cp = c.get(2, j); cp != k_missing) {
            append_utf8(e.text, static_cast<char32_t>(cp));
        }
    }
    return {Status::event, len};
}

// `CSI 0 ; mods[:event] ; text u`: text with no key [kitty, "Text as code points": "If no
// known key is associated with the text the key number 0 must be used"]. kitty sends it under
// flags 8 + 16 for what an input method, a compose sequence or a dead key produces. It is
// delivered as that text is without the protocol: one character key per code point, each
// with its own text (so "日本" is two keys, as typed UTF-8 is), which an application that
// inserts typed text handles with nothing new; the modifiers and event type, as sent, go
// with each. (A key with a code and several code points of text stays one key: kitty().)
Result Decoder::Impl::kitty_text(const Csi& c, std::size_t len)
{
    int m = c.get(1, 0);
    if (c.count(0) != 1 || c.nparams != 3 || !valid_mod_param(m)) {
        return {Status::skip, len};
    }
    int last_cp = -1;  // the last code point's index
    for (int j = 0; j < c.count(2); ++j) {
        int cp = c.get(2, j);
        if (cp != k_missing && !valid_scalar(cp)) {
            return {Status::skip, len};
        }
        last_cp = cp != k_missing ? j : last_cp;
    }
    if (last_cp < 0) {
        return {Status::skip, len};  // no key and no text: nothing to deliver
    }
    Mods mods = mods_from_param(m);
    KeyKind kind = kind_from_param(c.get(1, 1));
    for (int j = 0; j < last_cp; ++j) {
        if (int cp = c.get(2, j); cp != k_missing) {
            KeyEvent e;
            e.key = char_key(static_cast<char32_t>(cp));
            e.mods = mods;
            e.kind = kind;
            append_utf8(e.text, static_cast<char32_t>(cp));
            before.emplace_back(std::move(e));
        }
    }
    auto cp = static_cast<char32_t>(c.get(2, last_cp));
    append_utf8(key_slot(char_key(cp), mods, kind).text, cp);
    return {Status::event, len};
}

// `CSI 27 ; mods ; code ~`: xterm's modifyOtherKeys=2 form [ctlseqs]. The code is a key code
// as in kitty's protocol (a Unicode character, or 9/13/27/127 for Tab/Enter/Escape/Backspace).
Result Decoder::Impl::modify_other_keys(const Csi& c, std::size_t len)
{
    Key k = kitty_key(c.get(2));
    if (k == Key::none || !valid_mod_param(c.get(1))) {
        return {Status::skip, len};
    }
    return key(k, len, mods_from_param(c.get(1)));
}

}  // namespace vtinput
