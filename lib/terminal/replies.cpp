// Typed forms of terminal replies (vtinput/replies.hpp). Pure.
//
// Where each accepted form comes from:
// - Colours: xterm's ctlseqs (OSC 4/10/11/12 "?" replies use XParseColor's `rgb:` form with
//   4 hex digits per channel: `rgb:RRRR/GGGG/BBBB`); kitty, VTE, WezTerm, Ghostty and foot
//   reply in that form too (foot with 4 digits, some older terminals with 2: XParseColor
//   allows 1..4, scaled); rxvt-unicode replies `rgba:R/G/B/A` when it has transparency;
//   XParseColor's old `#RGB` .. `#RRRRGGGGBBBB` forms (digits are the high bits) are what
//   some emulators echo back as they were set.
// - XTGETTCAP: xterm's ctlseqs, `DCS 1 + r hex(name)=hex(value);... ST` when every name is
//   known, `DCS 0 + r hex(name) ST` otherwise; kitty and foot answer the same way.
// - XTQMODKEYS: xterm's ctlseqs (patch 377+), `CSI > 4 ; level m`; `CSI > 4 m` means unset.
// - XTWINOPS: `CSI 4 ; height ; width t` (reply to `CSI 14 t`), `CSI 6 ; height ; width t`
//   (reply to `CSI 16 t`), xterm's ctlseqs; kitty, foot, WezTerm and VTE answer both.
#include "vtinput/replies.hpp"

#include <charconv>
#include <cstdio>

#include "support/text.hpp"

namespace vtinput {
namespace {

// 1..4 hex digits; `scale`: rgb: form (h/0xf, hh/0xff, ... of 0xffff), else the digits are the
// high bits (# form).
std::optional<std::uint16_t> channel(std::string_view digits, bool scale)
{
    if (digits.empty() || digits.size() > 4) {
        return std::nullopt;
    }
    std::uint32_t v = 0;
    for (char c : digits) {
        int d = detail::hex_value(c);
        if (d < 0) {
            return std::nullopt;
        }
        v = v * 16 + static_cast<std::uint32_t>(d);
    }
    const unsigned bits = static_cast<unsigned>(digits.size()) * 4;
    if (scale) {
        const std::uint32_t max = (1u << bits) - 1;
        return static_cast<std::uint16_t>((v * 65535u + max / 2) / max);
    }
    return static_cast<std::uint16_t>(v << (16 - bits));
}

std::optional<Rgb> parse_rgb_form(std::string_view s, std::size_t channels)
{
    std::uint16_t out[4] = {};
    for (std::size_t i = 0; i < channels; ++i) {
        std::size_t slash = i + 1 < channels ? s.find('/') : s.size();
        if (slash == std::string_view::npos) {
            return std::nullopt;
        }
        auto v = channel(s.substr(0, slash), true);
        if (!v) {
            return std::nullopt;
        }
        out[i] = *v;
        s.remove_prefix(slash == s.size() ? slash : slash + 1);
    }
    return Rgb{out[0], out[1], out[2]};
}

bool starts_with_nocase(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (c != prefix[i]) {
            return false;
        }
    }
    return true;
}

std::optional<std::string> unhex(std::string_view hex)
{
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = detail::hex_value(hex[i]);
        int lo = detail::hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

std::optional<int> to_int(std::string_view s)
{
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0) {
        return std::nullopt;
    }
    return v;
}

std::optional<PixelSize> pixels(const ReportEvent& report, int code)
{
    const auto& p = report.params;
    if (report.what != ReportKind::window || p.size() != 3 || p[0] != code || p[1] < 0 || p[2] < 0) {
        return std::nullopt;
    }
    return PixelSize{p[2], p[1]};
}

}  // namespace

double Rgb::luminance() const { return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 65535.0; }

std::string Rgb::hex() const
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", to8(r), to8(g), to8(b));
    return buf;
}

std::optional<Rgb> parse_color(std::string_view spec)
{
    if (starts_with_nocase(spec, "rgb:")) {
        return parse_rgb_form(spec.substr(4), 3);
    }
    if (starts_with_nocase(spec, "rgba:")) {
        return parse_rgb_form(spec.substr(5), 4);
    }
    if (spec.starts_with('#')) {
        spec.remove_prefix(1);
        if (spec.empty() || spec.size() % 3 != 0 || spec.size() > 12) {
            return std::nullopt;
        }
        const std::size_t n = spec.size() / 3;
        auto r = channel(spec.substr(0, n), false);
        auto g = channel(spec.substr(n, n), false);
        auto b = channel(spec.substr(2 * n, n), false);
        if (!r || !g || !b) {
            return std::nullopt;
        }
        return Rgb{*r, *g, *b};
    }
    return std::nullopt;
}

std::optional<ColorReply> color_reply(const ReportEvent& report)
{
    if (report.what != ReportKind::osc) {
        return std::nullopt;
    }
    std::string_view t = report.text;
    std::size_t semi = t.find(';');
    if (semi == std::string_view::npos) {
        return std::nullopt;
    }
    auto osc = to_int(t.substr(0, semi));
    t.remove_prefix(semi + 1);
    ColorReply out;
    if (!osc || (*osc != 4 && (*osc < 10 || *osc > 12))) {
        return std::nullopt;
    }
    out.osc = *osc;
    if (*osc == 4) {
        semi = t.find(';');
        auto index = semi == std::string_view::npos ? std::nullopt : to_int(t.substr(0, semi));
        if (!index) {
            return std::nullopt;
        }
        out.index = *index;
        t.remove_prefix(semi + 1);
    }
    auto color = parse_color(t);
    if (!color) {
        return std::nullopt;
    }
    out.color = *color;
    return out;
}

std::optional<std::string> TermcapReply::value(std::string_view name) const
{
    for (const auto& [n, v] : entries) {
        if (n == name) {
            return v;
        }
    }
    return std::nullopt;
}

std::optional<TermcapReply> termcap_reply(const ReportEvent& report)
{
    std::string_view t = report.text;
    if (report.what != ReportKind::xtgettcap || t.size() < 3 || t.substr(1, 2) != "+r") {
        return std::nullopt;
    }
    TermcapReply out;
    out.valid = t[0] == '1';
    t.remove_prefix(3);
    while (!t.empty()) {
        std::size_t semi = t.find(';');
        std::string_view item = t.substr(0, semi);
        t.remove_prefix(semi == std::string_view::npos ? t.size() : semi + 1);
        std::size_t eq = item.find('=');
        auto name = unhex(item.substr(0, eq));
        auto value = eq == std::string_view::npos ? std::optional<std::string>("") : unhex(item.substr(eq + 1));
        if (!name || !value || name->empty()) {
            return std::nullopt;
        }
        out.entries.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

std::string termcap_query(const std::vector<std::string>& names)
{
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string q = "\x1bP+q";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) {
            q += ';';
        }
        for (char ch : names[i]) {
            const auto c = static_cast<unsigned char>(ch);
            q += k_hex[c >> 4];
            q += k_hex[c & 15];
        }
    }
    q += "\x1b\\";
    return q;
}

std::optional<int> modify_other_keys_reply(const ReportEvent& report)
{
    const auto& p = report.params;
    if (report.what != ReportKind::modify_keys || p.empty() || p[0] != 4) {
        return std::nullopt;
    }
    return p.size() >= 2 && p[1] >= 0 ? p[1] : 0;
}

std::optional<PixelSize> window_pixels_reply(const ReportEvent& report) { return pixels(report, 4); }
std::optional<PixelSize> cell_pixels_reply(const ReportEvent& report) { return pixels(report, 6); }

}  // namespace vtinput
