// Capability detection: the query bytes, and the probe that picks the replies out of a
// decoded stream.
#include "vtinput/capabilities.hpp"

#include <algorithm>
#include <cstdio>

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

std::string capability_query()
{
    std::string q = "\x1b[?u";
    for (int m : k_queried_modes) {
        q += "\x1b[?" + std::to_string(m) + "$p";
    }
    q += "\x1b[>0q";
    q += "\x1b[c";
    return q;
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
    default: return false;
    }
}

Capabilities CapabilityProbe::result(std::chrono::microseconds elapsed) const
{
    Capabilities c = caps_;
    c.status = done_ ? Capabilities::Status::answered : Capabilities::Status::timed_out;
    c.elapsed = elapsed;
    return c;
}

}  // namespace vtinput
