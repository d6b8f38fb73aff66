/// @file
/// Key tables that complement the decoder's built-in grammar.
///
/// The decoder knows the xterm/kitty/rxvt grammar by itself. A KeyMap adds what a particular
/// terminal's terminfo entry says and the built-in grammar gives no meaning to: TERM=linux's
/// `ESC [ [ A` for F1, or a `kbs` of ^H. Where both know a sequence the built-in meaning wins
/// (xterm's `ESC [ 1 ; 2 P` stays Shift+F1, not terminfo's F13). A KeyMap is immutable once
/// built and may be shared by many decoders on any threads.
///
/// Most entries describe the keys as the terminal sends them in keypad-transmit mode (xterm's
/// and st's kcuu1 is `ESC O A`, st's kdch1 `ESC [ 3 ~`), so a map read from terminfo also keeps
/// the entry's smkx and rmkx, the bytes that turn that mode on and off
/// (TerminalModes::keypad_transmit).
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtinput/event.hpp"

namespace vtinput {

/// A terminal's key table: byte sequences and the keys they mean (see the top of this file).
class KeyMap {
public:
    /// One key of the table.
    struct Entry {
        std::string sequence;  ///< the bytes the terminal sends
        Key key = Key::none;   ///< the key they mean
        Mods mods;             ///< with these modifiers
    };

    KeyMap() = default;
    /// A table of `entries`, in any order. Entries with an empty sequence are dropped; of several
    /// with the same sequence, the first given wins. `smkx` and `rmkx`: the terminal's
    /// keypad-transmit bytes, kept only if both are given (else both are empty).
    explicit KeyMap(std::vector<Entry> entries, std::string smkx = {}, std::string rmkx = {});

    /// Loads the key capabilities of terminfo entry `term` through ncurses' tinfo, without
    /// touching the application's own `cur_term`, and its smkx and rmkx (padding such as
    /// `$<5>` removed: nobody waits for a terminal on a serial line any more). Throws std::system_error naming the entry
    /// when there is none (std::errc::no_such_file_or_directory: unknown, or the database is
    /// unusable; std::errc::invalid_argument: an empty name); the built-in grammar alone then
    /// serves, which is what the input device does (DeviceStatus::terminfo_diagnostic says
    /// why). Thread-safe (tinfo is not, so calls are serialised internally); blocking (reads
    /// the database). Windows builds have no terminfo: there every entry is unavailable
    /// (std::errc::no_such_file_or_directory).
    static KeyMap from_terminfo(std::string_view term);

    /// The terminfo entry to use: `configured` if not empty, else $TERM if set and not empty,
    /// else "xterm-256color". The one rule the device and vtinput-echo follow.
    static std::string term_name(std::string_view configured = {});

    /// The entries, sorted by sequence.
    const std::vector<Entry>& entries() const { return entries_; }
    /// No entry: the built-in grammar alone.
    bool empty() const { return entries_.empty(); }

    ///@{
    /// The terminal's keypad-transmit bytes (terminfo's smkx, which the entries assume, and
    /// rmkx); both empty when the entry lacks either, or for a map not read from terminfo.
    const std::string& smkx() const { return smkx_; }
    const std::string& rmkx() const { return rmkx_; }
    ///@}

    /// The single-byte key for C0 byte or DEL `byte`, if the table gives one (e.g. kbs = ^H).
    const Entry* single_byte(unsigned char byte) const;

    /// Result of matching the input at a position against the multi-byte entries.
    struct Match {
        const Entry* entry = nullptr;  ///< longest entry that is a prefix of the input
        bool could_grow = false;       ///< the input is a strict prefix of a longer entry
    };
    /// Matches the start of `input` against the multi-byte entries.
    Match match(std::string_view input) const;

private:
    std::vector<Entry> entries_;
    std::string smkx_;
    std::string rmkx_;
    // Index into entries_ + 1 for each byte 0x00..0x1f and 0x7f (0 = none).
    unsigned short single_[128] = {};
};

}  // namespace vtinput
