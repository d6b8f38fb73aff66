// Capability detection: the query bytes, the probe that picks the replies out of a decoded
// stream, and its result in words and as JSON.
//
// The JSON form is a public contract (docs/json-schema.md, "Capabilities"), as the event JSON
// of lib/event/json.cpp is, and shares its string escaping: every field is always there, in a
// fixed order, and a field the terminal said nothing about is `null`, never left out; names
// and spellings must not change. Anything added goes through docs/json-schema.md first.
#include "vtinput/capabilities.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "event/format.hpp"

namespace vtinput {

ModeSupport Capabilities::mode(int m) const
{
    for (const ModeReport& r : modes) {
        if (r.mode == m) {
            return r.support;
        }
    }
    return ModeSupport::unknown;
}

bool Capabilities::supports(int m) const
{
    ModeSupport s = mode(m);
    return s != ModeSupport::unknown && s != ModeSupport::not_recognized;
}

bool Capabilities::sixel() const
{
    // DA1 is `CSI ? level ; features... c`; feature 4 is sixel graphics (VT330/VT340).
    return device_attributes.size() > 1 &&
           std::find(device_attributes.begin() + 1, device_attributes.end(), 4) != device_attributes.end();
}

std::string_view to_string(ModeSupport support)
{
    switch (support) {
    case ModeSupport::unknown: return "unknown";
    case ModeSupport::not_recognized: return "not recognized";
    case ModeSupport::set: return "set";
    case ModeSupport::reset: return "reset";
    case ModeSupport::permanently_set: return "permanently set";
    case ModeSupport::permanently_reset: return "permanently reset";
    }
    return "unknown";
}

std::string_view to_string(Capabilities::Status status)
{
    switch (status) {
    case Capabilities::Status::not_queried: return "not queried";
    case Capabilities::Status::answered: return "answered";
    case Capabilities::Status::timed_out: return "timed out";
    case Capabilities::Status::unavailable: return "unavailable";
    }
    return "unknown";
}

std::string to_string(const Capabilities& caps)
{
    std::string out(to_string(caps.status));
    if (caps.status == Capabilities::Status::answered || caps.status == Capabilities::Status::timed_out) {
        char ms[48];
        std::snprintf(ms, sizeof ms, " %s %.1f ms", caps.status == Capabilities::Status::answered ? "in" : "after",
                      static_cast<double>(caps.elapsed.count()) / 1000.0);
        out += ms;
    }
    if (!caps.version.empty()) {
        out += "; version ";
        out += caps.version;
    }
    if (!caps.device_attributes.empty()) {
        out += "; DA1 ";
        for (std::size_t i = 0; i < caps.device_attributes.size(); ++i) {
            out += (i ? ";" : "") + std::to_string(caps.device_attributes[i]);
        }
    }
    if (caps.kitty_flags) {
        out += "; kitty flags " + std::to_string(*caps.kitty_flags);
    } else if (caps.status == Capabilities::Status::answered) {
        out += "; no kitty keyboard";
    }
    if (!caps.secondary_attributes.empty()) {
        out += "; DA2 ";
        for (std::size_t i = 0; i < caps.secondary_attributes.size(); ++i) {
            out += (i ? ";" : "") + std::to_string(caps.secondary_attributes[i]);
        }
    }
    if (!caps.terminal_name.empty()) {
        out += "; TN " + caps.terminal_name;
    }
    if (caps.foreground) {
        out += "; foreground " + caps.foreground->hex();
    }
    if (caps.background) {
        out += "; background " + caps.background->hex();
    }
    if (caps.color_scheme != ColorScheme::unknown) {
        out += caps.color_scheme == ColorScheme::dark ? "; dark" : "; light";
    }
    if (caps.truecolor) {
        out += *caps.truecolor ? "; truecolor" : "; no truecolor";
    }
    if (caps.colors) {
        out += "; " + std::to_string(*caps.colors) + " colors";
    }
    if (caps.kitty_graphics) {
        out += *caps.kitty_graphics ? "; kitty graphics" : "; kitty graphics refused";
    }
    if (caps.sixel()) {
        out += "; sixel";
    }
    if (caps.modify_other_keys) {
        out += "; modifyOtherKeys " + std::to_string(*caps.modify_other_keys);
    }
    if (caps.cell_pixels) {
        out += "; cell " + std::to_string(caps.cell_pixels->width) + "x" + std::to_string(caps.cell_pixels->height) +
               " px";
    }
    if (caps.window_pixels) {
        out += "; window " + std::to_string(caps.window_pixels->width) + "x" +
               std::to_string(caps.window_pixels->height) + " px";
    }
    bool first = true;
    for (const ModeReport& r : caps.modes) {
        if (r.support == ModeSupport::unknown) {
            continue;
        }
        out += first ? "; modes " : ", ";
        out += std::to_string(r.mode) + " " + std::string(to_string(r.support));
        first = false;
    }
    return out;
}

namespace {

using detail::append_int;

// The JSON spellings of the enums: their enumerator names. `unknown` has none: it is null.
std::string_view json_name(ModeSupport support)
{
    switch (support) {
    case ModeSupport::unknown: break;
    case ModeSupport::not_recognized: return "not_recognized";
    case ModeSupport::set: return "set";
    case ModeSupport::reset: return "reset";
    case ModeSupport::permanently_set: return "permanently_set";
    case ModeSupport::permanently_reset: return "permanently_reset";
    }
    return {};
}

std::string_view json_name(Capabilities::Status status)
{
    switch (status) {
    case Capabilities::Status::not_queried: return "not_queried";
    case Capabilities::Status::answered: return "answered";
    case Capabilities::Status::timed_out: return "timed_out";
    case Capabilities::Status::unavailable: return "unavailable";
    }
    return "not_queried";
}

// `,"name":`. Each append_*_or_null below writes it and then the value, or null when there is
// none.
void append_field(std::string& out, std::string_view name)
{
    out += ",\"";
    out += name;
    out += "\":";
}

void append_string_or_null(std::string& out, std::string_view name, std::string_view value)
{
    append_field(out, name);
    if (value.empty()) {
        out += "null";
    } else {
        detail::append_json_string(out, value);
    }
}

template <class Int>
void append_int_or_null(std::string& out, std::string_view name, const std::optional<Int>& value)
{
    append_field(out, name);
    if (value) {
        append_int(out, *value);
    } else {
        out += "null";
    }
}

void append_bool_or_null(std::string& out, std::string_view name, const std::optional<bool>& value)
{
    append_field(out, name);
    out += !value ? "null" : *value ? "true" : "false";
}

void append_params_or_null(std::string& out, std::string_view name, const std::vector<int>& params)
{
    append_field(out, name);
    if (params.empty()) {
        out += "null";
        return;
    }
    detail::append_params_json(out, params);
}

void append_color_or_null(std::string& out, std::string_view name, const std::optional<Rgb>& color)
{
    append_field(out, name);
    out += color ? '"' + color->hex() + '"' : "null";
}

void append_pixels_or_null(std::string& out, std::string_view name, const std::optional<PixelSize>& size)
{
    append_field(out, name);
    if (!size) {
        out += "null";
        return;
    }
    out += "{\"width\":";
    append_int(out, size->width);
    out += ",\"height\":";
    append_int(out, size->height);
    out += '}';
}

}  // namespace

std::string to_json(const Capabilities& caps)
{
    using Status = Capabilities::Status;
    std::string out = "{\"type\":\"capabilities\",\"status\":\"";
    out += json_name(caps.status);
    out += '"';
    // Nothing was sent when not queried or unavailable: no time to tell. round_trip is 0 when
    // the first round's DA1 never came.
    const bool sent = caps.status == Status::answered || caps.status == Status::timed_out;
    append_int_or_null(out, "elapsed_us", sent ? std::optional(caps.elapsed.count()) : std::nullopt);
    append_int_or_null(out, "round_trip_us",
                       caps.round_trip.count() > 0 ? std::optional(caps.round_trip.count()) : std::nullopt);
    // Who it is.
    append_string_or_null(out, "version", caps.version);
    append_string_or_null(out, "terminal_name", caps.terminal_name);
    append_params_or_null(out, "device_attributes", caps.device_attributes);
    append_params_or_null(out, "secondary_attributes", caps.secondary_attributes);
    // Keyboard.
    append_int_or_null(out, "kitty_flags", caps.kitty_flags);
    append_int_or_null(out, "modify_other_keys", caps.modify_other_keys);
    // Colour.
    append_color_or_null(out, "foreground", caps.foreground);
    append_color_or_null(out, "background", caps.background);
    append_field(out, "color_scheme");
    out += caps.color_scheme == ColorScheme::dark    ? "\"dark\""
           : caps.color_scheme == ColorScheme::light ? "\"light\""
                                                     : "null";
    append_bool_or_null(out, "truecolor", caps.truecolor);
    append_int_or_null(out, "colors", caps.colors);
    // Graphics and geometry. Sixel is a DA1 feature: unknown without a DA1 answer.
    append_bool_or_null(out, "sixel", caps.device_attributes.empty() ? std::nullopt : std::optional(caps.sixel()));
    append_bool_or_null(out, "kitty_graphics", caps.kitty_graphics);
    append_pixels_or_null(out, "cell_pixels", caps.cell_pixels);
    append_pixels_or_null(out, "window_pixels", caps.window_pixels);
    // Every mode a query asks about, in that order, whatever `modes` holds: the same shape
    // whether the terminal answered or not.
    out += ",\"modes\":[";
    for (int m : k_queried_modes) {
        out += out.back() == '[' ? "{\"mode\":" : ",{\"mode\":";
        append_int(out, m);
        out += ",\"support\":";
        if (std::string_view name = json_name(caps.mode(m)); name.empty()) {
            out += "null";
        } else {
            out += '"';
            out += name;
            out += '"';
        }
        out += '}';
    }
    out += "]}";
    return out;
}

// Why each request is where it is: docs/probe-safety-research.md (the parsers of st, the
// Linux console, Eterm, urxvt, xterm since 166, VTE, tmux and mlterm, read for each request).
std::string capability_query(std::string_view term)
{
    // The Linux console before 5.16 prints the tail of `CSI > ...` and `CSI ? n $ p` as text
    // and answers none of them after; Eterm answers `CSI > c` with its DA1 reply.
    const bool linux_console = term == "linux" || term.starts_with("linux-");
    const bool eterm = term.starts_with("Eterm");
    std::string q = "\x1b\x37";  // DECSC first: st reads `CSI ? u` as restore-cursor
    q += "\x1b[?u";
    if (!linux_console) {
        for (int m : k_queried_modes) {
            q += "\x1b[?" + std::to_string(m) + "$p";
        }
    }
    q += "\x1b[?996n";
    q += "\x1b]10;?\x1b\\";
    q += "\x1b]11;?\x1b\\";
    q += "\x1b[14t";
    q += "\x1b[16t";
    if (!linux_console) {
        q += "\x1b[>0q";
        if (!eterm) {
            q += "\x1b[>0c";
        }
    }
    q += "\x1b\x38";  // DECRC before the sentinel: the cursor is back when its reply arrives
    q += "\x1b[c";
    return q;
}

std::string capability_followup(const Capabilities& first)
{
    // Only for a terminal that answered XTVERSION: st, Eterm, urxvt and the Linux console,
    // which print DCS and APC bodies or read `CSI ? 4 m` as an attribute, never do.
    if (first.version.empty()) {
        return {};
    }
    std::string q = termcap_query({"TN", "RGB", "colors"});
    // tmux makes any APC string its pane title (input.c, input_exit_apc).
    if (!first.version.starts_with("tmux")) {
        q += "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\";
    }
    // XTQMODKEYS exists from xterm patch 377; elsewhere `CSI ? 4 m` is at best ignored.
    int patch = 0;
    if (std::sscanf(first.version.c_str(), "XTerm(%d)", &patch) == 1 && patch >= 377) {
        q += "\x1b[?4m";
    }
    q += "\x1b[c";
    return q;
}

std::string_view to_string(KeyboardProtocol::Kind kind)
{
    switch (kind) {
    case KeyboardProtocol::Kind::legacy: return "legacy";
    case KeyboardProtocol::Kind::modify_other_keys: return "modify_other_keys";
    case KeyboardProtocol::Kind::kitty: return "kitty";
    }
    return "legacy";
}

std::string to_string(const KeyboardProtocol& protocol)
{
    switch (protocol.kind) {
    case KeyboardProtocol::Kind::legacy: break;
    case KeyboardProtocol::Kind::modify_other_keys:
        return "modifyOtherKeys " + std::to_string(protocol.modify_other_keys);
    case KeyboardProtocol::Kind::kitty: return "kitty flags " + std::to_string(protocol.kitty_flags);
    }
    return "legacy";
}

// Identities whose modifyOtherKeys works (level 2 reports every modified key as
// `CSI 27 ; mod ; key ~`, which the decoder reads): xterm (patch 214 on; XTVERSION exists from
// 354), WezTerm (termwiz's input encoder), iTerm2 (3.5), mintty (DA2 type 77). VTE, Konsole,
// st, urxvt and the Linux console ignore `CSI > 4 ; 2 m`; tmux honours it only with its
// extended-keys option, which it does not report.
bool modify_other_keys_works(const Capabilities& caps)
{
    if (caps.modify_other_keys) {
        return true;
    }
    const std::string& v = caps.version;
    if (v.starts_with("XTerm(") || v.starts_with("WezTerm") || v.starts_with("iTerm2")) {
        return true;
    }
    return !caps.secondary_attributes.empty() && caps.secondary_attributes[0] == 77;
}

KeyboardProtocol choose_keyboard(const Capabilities& caps, unsigned kitty_flags, int modify_other_keys)
{
    KeyboardProtocol p;
    if (caps.kitty_flags) {
        p.kind = KeyboardProtocol::Kind::kitty;
        p.kitty_flags = kitty_flags != 0 ? kitty_flags : 1;
    } else if (modify_other_keys_works(caps)) {
        p.kind = KeyboardProtocol::Kind::modify_other_keys;
        p.modify_other_keys = modify_other_keys != 0 ? modify_other_keys : 2;
    }
    return p;
}

CapabilityProbe::CapabilityProbe()
{
    for (int m : k_queried_modes) {
        caps_.modes.push_back({m, ModeSupport::unknown});
    }
}

bool CapabilityProbe::offer(const Event& event)
{
    const auto* r = std::get_if<ReportEvent>(&event);
    if (done_ || r == nullptr) {
        return false;
    }
    switch (r->what) {
    case ReportKind::da1:
        caps_.device_attributes = r->params;
        done_ = true;
        return true;
    case ReportKind::kitty_flags:
        if (caps_.kitty_flags || r->params.empty() || r->params[0] < 0) {
            return false;
        }
        caps_.kitty_flags = static_cast<unsigned>(r->params[0]);
        return true;
    case ReportKind::decrpm: {
        if (!r->private_mode || r->params.size() < 2) {
            return false;
        }
        auto it = std::find_if(caps_.modes.begin(), caps_.modes.end(),
                               [&](const ModeReport& m) { return m.mode == r->params[0]; });
        if (it == caps_.modes.end() || it->support != ModeSupport::unknown) {
            return false;
        }
        int v = r->params[1];
        it->support = v >= 0 && v <= 4 ? static_cast<ModeSupport>(v + 1) : ModeSupport::not_recognized;
        return true;
    }
    case ReportKind::xtversion:
        if (have_version_) {
            return false;
        }
        caps_.version = r->text;
        have_version_ = true;
        return true;
    case ReportKind::da2:
        if (!caps_.secondary_attributes.empty() || r->params.empty()) {
            return false;
        }
        caps_.secondary_attributes = r->params;
        return true;
    case ReportKind::osc: return offer_color(*r);
    case ReportKind::color_scheme:
        if (scheme_ != ColorScheme::unknown || r->params.empty() || (r->params[0] != 1 && r->params[0] != 2)) {
            return false;
        }
        scheme_ = r->params[0] == 1 ? ColorScheme::dark : ColorScheme::light;
        return true;
    case ReportKind::xtgettcap: return offer_termcap(*r);
    case ReportKind::apc: {
        // kitty graphics: `APC G i=31;OK ST`, or `i=31;ENOENT:...` for an error.
        std::string_view t = r->text;
        if (caps_.kitty_graphics || !t.starts_with("Gi=31;")) {
            return false;
        }
        caps_.kitty_graphics = t.substr(6) == "OK";
        return true;
    }
    case ReportKind::modify_keys:
        if (caps_.modify_other_keys) {
            return false;
        }
        caps_.modify_other_keys = modify_other_keys_reply(*r);
        return caps_.modify_other_keys.has_value();
    case ReportKind::window:
        if (auto cell = cell_pixels_reply(*r); cell && !caps_.cell_pixels) {
            caps_.cell_pixels = cell;
            return true;
        }
        if (auto area = window_pixels_reply(*r); area && !caps_.window_pixels) {
            caps_.window_pixels = area;
            return true;
        }
        return false;
    default: return false;
    }
}

bool CapabilityProbe::offer_color(const ReportEvent& r)
{
    auto reply = color_reply(r);
    if (!reply || (reply->osc != 10 && reply->osc != 11)) {
        return false;
    }
    auto& slot = reply->osc == 10 ? caps_.foreground : caps_.background;
    if (slot) {
        return false;
    }
    slot = reply->color;
    return true;
}

bool CapabilityProbe::offer_termcap(const ReportEvent& r)
{
    // xterm answers the names in one reply (or stops at the first unknown one, answering
    // `0 + r name`); kitty and foot answer each name on its own: take any number.
    auto reply = termcap_reply(r);
    if (!reply) {
        return false;
    }
    bool ours = false;
    for (const auto& [name, value] : reply->entries) {
        if (name == "TN" && caps_.terminal_name.empty()) {
            caps_.terminal_name = reply->valid ? value : "";
            ours = true;
        } else if (name == "RGB" && !caps_.truecolor) {
            caps_.truecolor = reply->valid;
            ours = true;
        } else if (name == "colors" && !caps_.colors) {
            int n = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (reply->valid && ec == std::errc() && end == value.data() + value.size() && n > 0) {
                caps_.colors = n;
            }
            ours = true;
        }
    }
    return ours;
}

void CapabilityProbe::expect_followup() { done_ = false; }

Capabilities CapabilityProbe::result(std::chrono::microseconds elapsed) const
{
    Capabilities c = caps_;
    c.status = done_ ? Capabilities::Status::answered : Capabilities::Status::timed_out;
    c.elapsed = elapsed;
    c.color_scheme = scheme_ != ColorScheme::unknown ? scheme_
                     : c.background                  ? (c.background->dark() ? ColorScheme::dark : ColorScheme::light)
                                                     : ColorScheme::unknown;
    return c;
}

}  // namespace vtinput
