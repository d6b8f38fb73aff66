/// @file
/// Capability detection: ask the terminal what it supports, and read its answers.
///
/// The query is a burst of requests ended by Primary Device Attributes (DA1), which every
/// terminal since the VT100 answers. Terminals answer in order, so once the DA1 reply arrives
/// every other reply that is coming has arrived: a request the terminal ignores costs nothing,
/// and a terminal that answers nothing at all costs the timeout.
///
///     CSI ? u          kitty keyboard flags    reply CSI ? flags u       (only if supported)
///     CSI ? Pm $ p     DECRQM, per mode        reply CSI ? Pm ; Ps $ y   (Ps 0 = not recognized)
///     CSI > 0 q        XTVERSION               reply DCS > | name(version) ST
///     CSI c            DA1, the sentinel       reply CSI ? Ps ; ... c
///
/// CapabilityProbe is pure (no I/O, no clock): feed it decoded events and it keeps the replies.
/// InputDevice::query_capabilities uses it on the poller's stream, so the replies never reach
/// a receiver.
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vtinput/event.hpp"

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

/// The DEC private modes a query asks about: everything TerminalModes can enable.
/// 1000/1002/1003 mouse tracking, 1004 focus, 1006 SGR mouse, 1016 SGR-pixels mouse,
/// 2004 bracketed paste, 2048 in-band resize.
inline constexpr int k_queried_modes[] = {1000, 1002, 1003, 1004, 1006, 1016, 2004, 2048};

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
    /// From writing the query to decoding the DA1 reply (answered), or the timeout.
    std::chrono::microseconds elapsed{0};
    /// DA1 parameters: the conformance level (1 VT100 .. 65 VT500) and feature codes.
    std::vector<int> device_attributes;
    /// The terminal answered CSI ? u: it speaks the kitty keyboard protocol, with these flags
    /// in effect when it answered.
    std::optional<unsigned> kitty_flags;
    /// XTVERSION, e.g. "kitty(0.31.0)" or "XTerm(390)"; empty when not answered.
    std::string version;
    /// One entry per mode of k_queried_modes, in that order.
    std::vector<ModeReport> modes;

    /// status == Status::answered.
    bool answered() const { return status == Status::answered; }
    /// The answer about mode `m`; `unknown` when none came or `m` is not in k_queried_modes.
    ModeSupport mode(int m) const;
    /// The terminal knows mode `m` (set, reset, or permanently one of them).
    bool supports(int m) const;

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

/// The bytes to write to the terminal to ask.
std::string capability_query();

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

private:
    Capabilities caps_;
    bool done_ = false;
    bool have_version_ = false;
};

}  // namespace vtinput
