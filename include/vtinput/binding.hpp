/// @file
/// Keys as people name them: bindings parsed from strings ("ctrl+shift+p", "C-x", "<C-x>",
/// "M-<Up>") and formatted back, one canonical key whatever protocol the terminal speaks,
/// matching a key event against a binding, and sequences of keys ("C-x C-s", "g g").
///
/// **Canonical key.** The same key arrives in different forms: Shift+A is `A` from a legacy
/// terminal, `CSI 27;2;65~` (key 'A' with Shift) under modifyOtherKeys and `CSI 97:65;2u` (key
/// 'a', shifted 'A', Shift) under the kitty protocol. canonical() gives all of them one form,
/// the *character form*: a character key is the character it types, so Shift is folded into
/// the character whenever that character is known (kitty's shifted key or the text kitty
/// reports, or the upper case of a letter) and dropped, and 'A' is Shift+a. Shift stays where
/// the character is not known (Shift+1 from kitty with neither alternate keys nor text: the
/// layout decides what it types), on named keys (Shift+Tab, Shift+Up) and on Shift+Space. The character form is chosen over
/// "Shift + base key" because it is the one every protocol can give: a legacy terminal sends
/// `!`, never "Shift + the key left of 2". The lock modifiers (capslock, numlock) are state,
/// not part of a chord: canonical() drops them, and a binding sees them only if it names them.
/// The text a key types is filled in where the protocol left it out (plain `a` under kitty
/// flag 8 carries none).
///
/// **Names.** A key is a single character (case matters: "a" and "A" differ) or a name, in any
/// case, with or without underscores: the names of key_name() ("pageup", "kp_enter", "f5"),
/// their human forms ("PageUp", "KpEnter") and common aliases (esc, return, ret, cr, del, ins,
/// bs, pgup, pgdn, prior, next, space, spc, lt, gt, bar, bslash, plus, minus, vim's keypad
/// names k0..k9, kplus, kenter, kpoint, ..., backtab for Shift+Tab). "U+20AC" names any
/// character by its code point; control characters are formatted that way. Note that "del"
/// is the Delete key, not Emacs's DEL (Backspace).
///
/// **Modifiers.** Long names, in any case: ctrl (control), alt (opt, option), shift, super
/// (cmd, command, win), hyper, meta, capslock, numlock. Single letters, as Emacs and Vim
/// write them: C ctrl, M and A alt (M- is Alt, as every terminal program reads it), S shift,
/// D super (Vim's command key), H hyper, T meta (Vim's name for a meta distinct from Alt);
/// upper or lower case, except 's', which Emacs reads as super and Vim as shift, and which is
/// therefore refused. "meta" spelled out is Mod::meta, the bit vtinput names so.
///
/// **Syntax.** "mod+mod+key" or "mod-mod-key" (either separator, "ctrl++" and "C--" are Ctrl
/// with '+' and '-'), a key alone ("<" and "+" are those characters), Vim's "<mods-key>" and
/// Emacs's "mods-<name>". Errors throw std::system_error with std::errc::invalid_argument and
/// a message naming the offending part: "vtinput: unknown modifier 'ctl' in 'ctl+x'".
///
/// Everything here is pure: no clock, thread or global state; values may be used from any
/// thread, a SequenceMatcher from one thread at a time.
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtinput/event.hpp"

namespace vtinput {

/// Which kinds of key event a binding answers to.
enum class Trigger : std::uint8_t {
    press_or_repeat,  ///< a press or an auto-repeat (the default: holding a key repeats its action)
    press,            ///< a press only
    release,          ///< a release only (only the kitty protocol reports releases)
    any,              ///< press, repeat or release
};

/// A key as people name it: a key, the modifiers held and which kinds of event answer to it.
/// Bindings that parse_binding() returns are canonical (see canonical()); matches()
/// canonicalises one built by hand.
struct Binding {
    /// The key: a character (char_key) or a named key.
    Key key = Key::none;
    /// The modifiers that must be held, exactly (lock modifiers: see matches()).
    Mods mods;
    /// Which kinds of key event match.
    Trigger trigger = Trigger::press_or_repeat;

    /// Equal when every field is equal.
    friend bool operator==(const Binding&, const Binding&) = default;
};

/// How to_string() writes a binding.
enum class BindingStyle : std::uint8_t {
    plus,   ///< "Ctrl+Shift+P", "Alt+Enter", "Ctrl++": the human form of event.hpp
    emacs,  ///< "C-S-p", "M-<up>", "C-SPC", "RET"
    vim,    ///< "<C-S-p>", "<M-Up>", "<C-Space>", "<lt>"
};

/// One binding from its name: "ctrl+shift+p", "C-x", "<C-x>", "M-<Up>", "f5", "<", "+".
/// Surrounding white space is ignored (a lone " " is the space character). The result is
/// canonical. Throws std::system_error (std::errc::invalid_argument) with a message that
/// names the offending part.
Binding parse_binding(std::string_view text);

/// A sequence of bindings separated by white space: "C-x C-s", "g g", "<Space> f f".
/// Throws as parse_binding() does, and for a string with no key.
std::vector<Binding> parse_sequence(std::string_view text);

///@{
/// A binding's name in `style`, which parse_binding() reads back to the same canonical
/// binding (the trigger is not written). A non-canonical binding is canonicalised first.
std::string to_string(const Binding& binding, BindingStyle style = BindingStyle::plus);
void append_binding(std::string& out, const Binding& binding, BindingStyle style = BindingStyle::plus);
///@}

/// A sequence's name: each binding in `style`, separated by a space.
std::string to_string(const std::vector<Binding>& sequence, BindingStyle style = BindingStyle::plus);

/// The canonical form of a key event, the same whatever protocol carried it (see the top of
/// this file): the key in character form with Shift folded in where the character is known,
/// the lock modifiers dropped, `shifted` cleared (it is folded in), `base` kept in the same
/// form (cleared where Shift cannot be folded into it), and `text` filled in for a key that
/// types a character when the protocol left it out (CapsLock turns a letter's text upper
/// case, Shift with CapsLock lower case). `kind` is kept.
KeyEvent canonical(const KeyEvent& event);

/// The canonical form of a binding: Shift folded into a letter ("shift+p" is "P"), the rest
/// as given.
Binding canonical(const Binding& binding);

/// The binding that `event` would match (its canonical key and modifiers, no lock
/// modifiers, Trigger::press_or_repeat): what "press the key to bind" dialogs record.
Binding to_binding(const KeyEvent& event);

/// Whether `event`, as decoded, matches `binding`. The rules, in order:
/// 1. the event's kind is one the binding's trigger selects;
/// 2. the lock modifiers the binding names are on in the event; the others are ignored;
/// 3. the canonical event has the binding's canonical key and exactly its other modifiers;
/// 4. or else, when the canonical key is a character outside ASCII and the terminal reported
///    the key's base-layout key (kitty's alternate keys, flag 4), that base key with the same
///    modifiers matches: Ctrl+C matches the key that types Cyrillic 'с' on a Russian layout.
///    Layouts that type ASCII letters (AZERTY, Dvorak) match by what they type, so a key is
///    never both its own letter and another.
/// Legacy terminals cannot tell some chords apart (Ctrl+I is Tab, Ctrl+M Enter, Ctrl+[
/// Escape, Ctrl+Shift+C is Ctrl+C); a binding for one of them matches what the terminal sends.
bool matches(const KeyEvent& event, const Binding& binding);

/// What became of keys fed to a SequenceMatcher.
enum class SequenceStatus : std::uint8_t {
    none,    ///< the keys are part of no sequence: handle them as ordinary keys
    prefix,  ///< the keys begin one or more sequences: the matcher holds them and waits
    match,   ///< the keys completed a sequence
};

/// One outcome of SequenceMatcher::feed or flush.
struct SequenceResult {
    /// What happened to `keys`.
    SequenceStatus status = SequenceStatus::none;
    /// match: the sequence's index (the order of SequenceMatcher::add, from 0); otherwise 0.
    std::size_t index = 0;
    /// match: the keys that completed it; none: the one key given back; prefix: the keys held.
    std::vector<KeyEvent> keys;

    /// Equal when every field is equal.
    friend bool operator==(const SequenceResult&, const SequenceResult&) = default;
};

/// Chords and sequences ("C-x C-s", "g g", a leader key): fed key events, it reports which
/// sequence they complete, which keys it is holding while a sequence may still complete, and
/// which keys are part of none.
///
/// Time works as in the Decoder: feed() is told when a key arrived, deadline() says when a
/// held prefix expires, and the caller calls flush(now) then; there is no clock inside. The
/// timeout counts from the last key fed, as Vim's 'timeoutlen' does.
///
/// **Ambiguity** (one sequence a prefix of another: "g" and "g g"), Vim's rule: after "g" the
/// matcher waits. A "g" before the deadline completes "g g"; the deadline, or a key that
/// continues no sequence, completes "g" (and that key is then matched afresh). In general,
/// when the held keys cannot go on, the longest complete sequence they begin with matches, or
/// else the first key is given back as `none`, and the rest is matched again. Two sequences
/// equal key for key: the first added wins.
///
/// **Transparent keys.** A release, or a press of a modifier key itself (kitty's "report all
/// keys": left_ctrl, ...), that continues no sequence is given back as `none` at once and
/// leaves the held keys and the deadline alone, so "C-x C-s" works when the terminal reports
/// the Ctrl key and the releases in between.
///
/// Each key fed ends in exactly one `match` or `none` result, in order (transparent keys
/// excepted); `prefix` results only say what is held. A value owned by one thread at a time.
class SequenceMatcher {
public:
    /// The clock of every time point, the decoder's.
    using clock = std::chrono::steady_clock;

    /// A matcher whose held keys expire `timeout` after the last one (Vim's default 1 s);
    /// std::nullopt: they never expire, as in Emacs (only a key or finish() resolves them).
    explicit SequenceMatcher(std::optional<std::chrono::milliseconds> timeout = std::chrono::milliseconds(1000));

    ///@{
    /// Adds a sequence and returns its index (0, 1, ...). The string form is parse_sequence's
    /// and throws as it does; an empty sequence throws std::system_error
    /// (std::errc::invalid_argument). Adding while keys are held is allowed; they are matched
    /// against the new set from the next key on.
    std::size_t add(std::string_view sequence);
    std::size_t add(std::vector<Binding> sequence);
    ///@}

    /// The sequences, by index.
    const std::vector<std::vector<Binding>>& sequences() const { return sequences_; }

    /// Feeds a key that arrived at `now` and appends what it resolved to `out`: zero or more
    /// `match` and `none` results, then a `prefix` result if keys are held. If `now` is at or
    /// past deadline(), the held keys are first expired as flush(now) would. Returns what became
    /// of this key: match, none (also for a transparent key) or prefix (held).
    SequenceStatus feed(const KeyEvent& key, clock::time_point now, std::vector<SequenceResult>& out);

    /// When the held keys expire; std::nullopt when none are held or there is no timeout.
    std::optional<clock::time_point> deadline() const;

    /// Expires the held keys if `now` is at or past deadline(), appending their results
    /// (the ambiguity rule above); does nothing otherwise.
    void flush(clock::time_point now, std::vector<SequenceResult>& out);

    /// Resolves the held keys as if their deadline had passed (end of input, focus lost, a
    /// mode change).
    void finish(std::vector<SequenceResult>& out);

    /// The keys held, in order; empty when nothing is pending.
    const std::vector<KeyEvent>& pending() const { return held_; }

    /// The timeout given at construction.
    std::optional<std::chrono::milliseconds> timeout() const { return timeout_; }

private:
    // Whether the keys are exactly sequence i (complete) or begin a longer one (prefix).
    bool is_complete(const std::vector<KeyEvent>& keys, std::size_t& index) const;
    bool is_prefix(const std::vector<KeyEvent>& keys) const;
    // Resolves held_ (final: nothing more will come), appending results.
    void resolve(bool final, std::vector<SequenceResult>& out);

    std::optional<std::chrono::milliseconds> timeout_;
    std::vector<std::vector<Binding>> sequences_;
    std::vector<KeyEvent> held_;
    clock::time_point last_{};
};

}  // namespace vtinput
