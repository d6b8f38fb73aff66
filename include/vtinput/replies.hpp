/// @file
/// Typed forms of the terminal's replies: colours, XTGETTCAP answers, modifyOtherKeys levels,
/// window and cell sizes. Pure functions of a ReportEvent (or of its text): no I/O, no state.
///
/// Each parser accepts the forms real terminals send (the sources are cited in
/// lib/terminal/replies.cpp) and returns nullopt for anything else: a reply it does not
/// understand is never guessed at.
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vtinput/event.hpp"

namespace vtinput {

/// A colour as terminals report it: 16 bits per channel (X11's XParseColor scale).
struct Rgb {
    std::uint16_t r = 0;  ///< red, 0..65535
    std::uint16_t g = 0;  ///< green, 0..65535
    std::uint16_t b = 0;  ///< blue, 0..65535

    /// The channel scaled to 8 bits (rounded).
    static std::uint8_t to8(std::uint16_t v) { return static_cast<std::uint8_t>((v * 255u + 32767u) / 65535u); }
    /// Relative luminance (ITU-R BT.709, on the gamma-encoded values, as terminals and
    /// editors use it), 0.0 black .. 1.0 white.
    double luminance() const;
    /// luminance() < 0.5: a background this dark wants light text.
    bool dark() const { return luminance() < 0.5; }
    /// "#rrggbb" (8 bits per channel).
    std::string hex() const;
    /// Equal when every field is equal.
    friend bool operator==(const Rgb&, const Rgb&) = default;
};

/// Parses a colour in the forms XParseColor knows and terminals reply with:
/// `rgb:R/G/B` (1 to 4 hex digits per channel, scaled to 16 bits), `rgba:R/G/B/A` (alpha
/// ignored), and `#RGB`, `#RRGGBB`, `#RRRGGGBBB`, `#RRRRGGGGBBBB` (the digits are the high
/// bits). Case-insensitive. nullopt for anything else, including colour names.
std::optional<Rgb> parse_color(std::string_view spec);

/// Which colour an OSC colour reply reports.
struct ColorReply {
    /// The OSC number: 4 (palette), 10 (foreground), 11 (background), 12 (cursor).
    int osc = 0;
    /// The palette index for OSC 4; -1 otherwise.
    int index = -1;
    Rgb color;  ///< the colour
    /// Equal when every field is equal.
    friend bool operator==(const ColorReply&, const ColorReply&) = default;
};

/// The colour an OSC 4/10/11/12 reply carries (`4;index;spec`, `10;spec`, `11;spec`,
/// `12;spec`), or nullopt when `report` is something else or the colour is unreadable.
std::optional<ColorReply> color_reply(const ReportEvent& report);

/// An XTGETTCAP reply (`DCS 1 + r name=value;... ST` or `DCS 0 + r name ST`), hex-decoded.
struct TermcapReply {
    bool valid = false;  ///< 1: the terminal knows the names; 0: it knows none of them
    /// The names and values, decoded; a name without `=value` (a boolean capability, or the
    /// names of an invalid reply) has an empty value.
    std::vector<std::pair<std::string, std::string>> entries;
    /// The value of `name`, or nullopt when it is not in the reply.
    std::optional<std::string> value(std::string_view name) const;
    /// Equal when every field is equal.
    friend bool operator==(const TermcapReply&, const TermcapReply&) = default;
};

/// The decoded XTGETTCAP reply, or nullopt when `report` is not one or its hex is malformed.
std::optional<TermcapReply> termcap_reply(const ReportEvent& report);

/// The request for XTGETTCAP: `DCS + q hex(name);hex(name)... ST`.
std::string termcap_query(const std::vector<std::string>& names);

/// The modifyOtherKeys level of an XTQMODKEYS reply (`CSI > 4 ; level m`): 0, 1, 2 or 3;
/// nullopt when `report` is not one. A reply without a level means the resource is unset (0).
std::optional<int> modify_other_keys_reply(const ReportEvent& report);

/// A size in pixels from an XTWINOPS reply: `CSI 4 ; height ; width t` (the text area, reply
/// to `CSI 14 t`) or `CSI 6 ; height ; width t` (one cell, reply to `CSI 16 t`).
struct PixelSize {
    int width = 0;   ///< pixels
    int height = 0;  ///< pixels
    /// Equal when every field is equal.
    friend bool operator==(const PixelSize&, const PixelSize&) = default;
};
/// The text area's size in pixels (`CSI 4 ; h ; w t`), or nullopt.
std::optional<PixelSize> window_pixels_reply(const ReportEvent& report);
/// One cell's size in pixels (`CSI 6 ; h ; w t`), or nullopt.
std::optional<PixelSize> cell_pixels_reply(const ReportEvent& report);

}  // namespace vtinput
