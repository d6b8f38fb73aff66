/// @file
/// Capability detection: ask the terminal what it supports, and read its answers.
///
/// The query is a burst of requests ended by Primary Device Attributes (DA1), which every
/// terminal since the VT100 answers. Terminals answer in order, so once the DA1 reply arrives
/// every other reply that is coming has arrived: a request the terminal ignores costs nothing,
/// and a terminal that answers nothing at all costs the timeout. Every request is harmless
/// where it is not understood (README "Talking to the terminal" has the table and the sources):
/// the first round is wrapped in DECSC/DECRC (`ESC 7` ... `ESC 8`), since st reads `CSI ? u` as
/// restore-cursor; what some terminals print as text or misread (DCS, APC, `CSI ? 4 m`) goes in
/// a second round, sent only to a terminal that answered XTVERSION.
///
///     round 1
///     CSI ? u          kitty keyboard flags    reply CSI ? flags u         (only if supported)
///     CSI ? Pm $ p     DECRQM, per mode        reply CSI ? Pm ; Ps $ y     (Ps 0 = not recognized)
///     CSI ? 996 n      dark or light scheme    reply CSI ? 997 ; 1|2 n
///     OSC 10 ; ? ST    foreground colour       reply OSC 10 ; rgb:R/G/B ST (or BEL)
///     OSC 11 ; ? ST    background colour       reply OSC 11 ; rgb:R/G/B ST (or BEL)
///     CSI 14 t         text area in pixels     reply CSI 4 ; height ; width t
///     CSI 16 t         cell size in pixels     reply CSI 6 ; height ; width t
///     CSI > 0 q        XTVERSION               reply DCS > | name(version) ST
///     CSI > 0 c        DA2                     reply CSI > Pp ; Pv ; Pc c
///     CSI c            DA1, the sentinel       reply CSI ? Ps ; ... c
///     round 2 (only after an XTVERSION answer)
///     DCS + q ... ST   XTGETTCAP TN RGB colors reply DCS 1 + r name=value;... ST
///     APC G ... ST     kitty graphics query    reply APC G i=31;OK ST      (not under tmux)
///     CSI ? 4 m        XTQMODKEYS              reply CSI > 4 ; level m     (xterm 377+ only)
///     CSI c            DA1, the sentinel
///
/// CapabilityProbe is pure (no I/O, no clock): feed it decoded events and it keeps the replies.
/// InputDevice::query_capabilities uses it on the poller's stream, so the replies never reach
/// a receiver. Its result reads as one line of words (to_string) or as JSON (to_json).
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vtinput/event.hpp"
#include "vtinput/replies.hpp"

namespace vtinput {

/// A DECRPM answer about one mode (the Ps of CSI ? Pm ; Ps $ y), or `unknown` when no answer
/// came (the terminal does not implement DECRQM, or the query timed out).
enum class ModeSupport : std::uint8_t {
    unknown,
    not_recognized,     ///< 0
    set,                ///< 1
    reset,              ///< 2
    permanently_set,    ///< 3
    permanently_reset,  ///< 4
};

/// What the terminal said about one DEC private mode.
struct ModeReport {
    int mode = 0;                                ///< the mode number, e.g. 2004
    ModeSupport support = ModeSupport::unknown;  ///< its answer
    /// Equal when every field is equal.
    friend bool operator==(const ModeReport&, const ModeReport&) = default;
};

/// The DEC private modes a query asks about: everything TerminalModes can enable, and three
/// an application wants to know of. 1 cursor keys (DECCKM, keypad transmit), 1000/1002/1003
/// mouse tracking, 1004 focus, 1006 SGR mouse, 1016 SGR-pixels mouse, 2004 bracketed paste,
/// 2026 synchronized output, 2027 grapheme clusters, 2031 colour-scheme updates, 2048 in-band
/// resize, 9001 win32-input-mode.
inline constexpr int k_queried_modes[] = {1, 1000, 1002, 1003, 1004, 1006, 1016, 2004, 2026, 2027, 2031, 2048, 9001};

/// The terminal's colour scheme.
enum class ColorScheme : std::uint8_t {
    unknown,  ///< it did not say, and its background is not known
    dark,     ///< dark background, light text
    light,    ///< light background, dark text
};

/// What a capability query found out (InputDevice::query_capabilities, CapabilityProbe).
struct Capabilities {
    /// How the query went.
    enum class Status : std::uint8_t {
        not_queried,  ///< nobody asked yet
        answered,     ///< the DA1 reply arrived before the timeout
        timed_out,    ///< no DA1 reply within the timeout; whatever arrived before is kept
        unavailable,  ///< the input is not a terminal in raw mode that this device manages
    };
    Status status = Status::not_queried;  ///< how the query went
    /// From writing the query to decoding the last DA1 reply (answered), or the timeout.
    std::chrono::microseconds elapsed{0};
    /// The first round alone (write to DA1 reply): one round trip to the terminal, what an
    /// adaptive ESC timeout is derived from (DecoderOptions); 0 when it timed out.
    std::chrono::microseconds round_trip{0};
    /// DA1 parameters: the conformance level (1 VT100 .. 65 VT500) and feature codes.
    std::vector<int> device_attributes;
    /// The terminal answered CSI ? u: it speaks the kitty keyboard protocol, with these flags
    /// in effect when it answered.
    std::optional<unsigned> kitty_flags;
    /// XTVERSION, e.g. "kitty(0.31.0)" or "XTerm(390)"; empty when not answered.
    std::string version;
    /// One entry per mode of k_queried_modes, in that order.
    std::vector<ModeReport> modes;
    /// DA2 parameters: terminal type, firmware version, ROM (xterm: 41;390;0); empty: none.
    std::vector<int> secondary_attributes;
    std::optional<Rgb> foreground;  ///< OSC 10's answer
    std::optional<Rgb> background;  ///< OSC 11's answer
    /// The answer to `CSI ? 996 n` if it came; else dark or light by the background's
    /// luminance; else unknown.
    ColorScheme color_scheme = ColorScheme::unknown;
    /// XTGETTCAP's `TN`: the terminal's own terminfo name (e.g. "xterm-kitty"); empty: none.
    std::string terminal_name;
    /// 24-bit colour: true when XTGETTCAP answered `RGB`, false when it named `RGB` unknown;
    /// nullopt when it did not say (only what the terminal says counts, never its name).
    std::optional<bool> truecolor;
    /// XTGETTCAP's `colors` (e.g. 256); nullopt: it did not say.
    std::optional<int> colors;
    /// The kitty graphics protocol: true when the query was answered OK, false when answered
    /// with an error; nullopt: no answer. (Sixel is DA1 feature 4: see sixel().)
    std::optional<bool> kitty_graphics;
    /// XTQMODKEYS: the modifyOtherKeys level in effect (0..3); nullopt: no answer.
    std::optional<int> modify_other_keys;
    std::optional<PixelSize> cell_pixels;    ///< one cell, from `CSI 16 t`
    std::optional<PixelSize> window_pixels;  ///< the text area, from `CSI 14 t`

    /// status == Status::answered.
    bool answered() const { return status == Status::answered; }
    /// The answer about mode `m`; `unknown` when none came or `m` is not in k_queried_modes.
    ModeSupport mode(int m) const;
    /// The terminal knows mode `m` (set, reset, or permanently one of them).
    bool supports(int m) const;
    /// Synchronized output (mode 2026) is known: an application may bracket its frames.
    bool synchronized_output() const { return supports(2026); }
    /// DA1 lists feature 4: sixel graphics.
    bool sixel() const;

    /// Equal when every field is equal.
    friend bool operator==(const Capabilities&, const Capabilities&) = default;
};

///@{
/// The value's name in words, as to_string(const Capabilities&) writes it: "not recognized",
/// "permanently set", "timed out".
std::string_view to_string(ModeSupport support);
std::string_view to_string(Capabilities::Status status);
///@}
/// One line: "answered in 1.2 ms; version kitty(0.31.0); DA1 62;22; kitty flags 1; modes
/// 1000 reset, 1004 reset, 2048 not recognized".
std::string to_string(const Capabilities& caps);
/// The JSON form: one object on one line, `{"type":"capabilities",...}`, with every field in
/// a fixed order and `null` for what the terminal said nothing about (docs/json-schema.md,
/// "Capabilities", is the contract; `vtinput-echo --json` prints it as its first line).
/// Durations in microseconds, colours as "#rrggbb", one `modes` entry per k_queried_modes.
std::string to_json(const Capabilities& caps);

/// The first round's bytes, for the terminal `term` names ($TERM; empty: unknown). Every
/// request here is harmless where it is not understood, with two exceptions it leaves out: on
/// the Linux console (`linux`), DECRQM, XTVERSION and DA2 (before 5.16 it prints part of them
/// as text, and answers none); on Eterm, DA2 (answered with its DA1 reply).
std::string capability_query(std::string_view term = {});
/// The second round's bytes, after the first round's replies `first`: XTGETTCAP (TN, RGB,
/// colors), the kitty graphics query (not under tmux, which makes an APC its pane title) and,
/// on xterm 377 or later, XTQMODKEYS; then DA1. Empty, with no second round, unless the
/// terminal answered XTVERSION: every terminal known to print DCS or APC bodies, or to read
/// `CSI ? 4 m` as an attribute, does not.
std::string capability_followup(const Capabilities& first);

/// A keyboard protocol: the one Keyboard::automatic chose (choose_keyboard) or the one in
/// effect (InputDevice::keyboard()).
struct KeyboardProtocol {
    /// Which protocol.
    enum class Kind : std::uint8_t {
        legacy,             ///< neither: the terminal's ordinary key bytes
        modify_other_keys,  ///< xterm's modifyOtherKeys (`CSI > 4 ; level m`)
        kitty,              ///< the kitty keyboard protocol (`CSI > flags u`)
    };
    Kind kind = Kind::legacy;  ///< which protocol
    /// kitty: the flags in effect, as the terminal reported them after the push (a terminal
    /// may grant fewer than asked for); as asked for if it did not report them.
    unsigned kitty_flags = 0;
    int modify_other_keys = 0;  ///< modify_other_keys: the level set
    /// Equal when every field is equal.
    friend bool operator==(const KeyboardProtocol&, const KeyboardProtocol&) = default;
};

/// "legacy", "modify_other_keys", "kitty".
std::string_view to_string(KeyboardProtocol::Kind kind);
/// "kitty flags 1", "modifyOtherKeys 2", "legacy".
std::string to_string(const KeyboardProtocol& protocol);

/// The rule of Keyboard::automatic, for a terminal that answered the probe with `caps`, when
/// the application asks for kitty flags `kitty_flags` (0: 1, disambiguate) or modifyOtherKeys
/// level `modify_other_keys` (0: 2):
///   1. kitty, with the flags asked for, if the terminal answered `CSI ? u`;
///   2. else modifyOtherKeys if the terminal answered XTQMODKEYS, or names itself as a
///      terminal known to implement it: XTVERSION "XTerm(", "WezTerm" or "iTerm2", or mintty's
///      DA2 (type 77);
///   3. else legacy.
KeyboardProtocol choose_keyboard(const Capabilities& caps, unsigned kitty_flags = 0, int modify_other_keys = 0);

/// Collects the replies to capability_query() from a decoded event stream.
class CapabilityProbe {
public:
    /// A probe that has taken nothing yet.
    CapabilityProbe();

    /// True if `event` is a reply to the query, which the probe keeps (the caller should not
    /// pass it on). Once the DA1 reply has been taken, nothing more is.
    bool offer(const Event& event);
    /// The DA1 reply arrived: every other reply the terminal will send has arrived before it.
    bool done() const { return done_; }
    /// What has arrived so far, with status `answered` once done(), `timed_out` before.
    Capabilities result(std::chrono::microseconds elapsed) const;
    /// The follow-up round (capability_followup) was sent: its DA1 ends the probe again (the
    /// first round's DA1 parameters are kept).
    void expect_followup();

private:
    bool offer_color(const ReportEvent& r);
    bool offer_termcap(const ReportEvent& r);

    Capabilities caps_;
    ColorScheme scheme_ = ColorScheme::unknown;  // as the terminal said (CSI ? 997 ; n n)
    bool done_ = false;
    bool have_version_ = false;
};

}  // namespace vtinput
