// Terminal replies and notifications in CSI form: device attributes (DA1, DA2), mode reports
// (DECRPM), cursor position (the DECXCPR form; the ambiguous `CSI r ; c R` is keyboard.cpp's),
// kitty keyboard flags, the colour-scheme notification, focus, in-band resize (mode 2048),
// window and status reports. Strings (OSC/DCS/APC replies) are strings.cpp's.
//
// Replies become ReportEvents with their parameters as sent; the capability probe
// (lib/terminal/capabilities.cpp) and the device's reply capture read them from there.
#include "decode/impl.hpp"

namespace vtinput {

using namespace detail;  // the decoder's internals (decode/impl.hpp, decode/keys.hpp)

Result Decoder::Impl::report(ReportKind what, const Csi& c, std::size_t len)
{
    ReportEvent r;
    r.what = what;
    r.params.reserve(static_cast<std::size_t>(c.nparams));
    for (int i = 0; i < c.nparams; ++i) {
        r.params.push_back(c.get(i));
    }
    ev = std::move(r);
    return {Status::event, len};
}

// `CSI ? ...` and `CSI > ...` [ctlseqs, kitty].
Result Decoder::Impl::private_report(const Csi& c, std::size_t len)
{
    if (c.prefix == '>') {
        // `CSI > ... c` is DA2, `CSI > Pp ; Pv m` the XTQMODKEYS reply (xterm 377+: `CSI > 4 ; 2 m`
        // is modifyOtherKeys at level 2); other finals are xterm's keys marked private
        // (keyboard.cpp).
        if (c.final == 'm' && c.inter == 0 && c.nparams >= 1 && c.nparams <= 2 && !c.has_subparams()) {
            return report(ReportKind::modify_keys, c, len);
        }
        return c.final == 'c' ? report(ReportKind::da2, c, len) : private_key(c, len);
    }
    if (c.prefix != '?') {
        return {Status::skip, len};
    }
    switch (c.final) {
    case 'c': return report(ReportKind::da1, c, len);
    case 'u': return report(ReportKind::kitty_flags, c, len);
    case 'S':
        // XTSMGRAPHICS reply `CSI ? Pi ; Ps ; Pv... S` (item 1 colour registers, 2 sixel
        // geometry, 3 ReGIS geometry; status 0 success, 1 error, 2 unknown item, 3 failure).
        if (c.inter == 0 && c.nparams >= 2 && !c.has_subparams()) {
            return report(ReportKind::xtsmgraphics, c, len);
        }
        break;
    case 'R':
        // DECXCPR, `CSI ? r ; c [; page] R`: unambiguous, unlike `CSI r ; c R`.
        if (c.nparams >= 2 && !c.has_subparams()) {
            ev = CursorPositionEvent{c.get_or(0, 1), c.get_or(1, 1)};
            return {Status::event, len};
        }
        break;
    case 'n':
        // `CSI ? 997 ; 1|2 n`: the colour scheme changed to dark or light (mode 2031).
        if (c.get(0) == 997 && c.nparams == 2) {
            ev = ReportEvent{ReportKind::color_scheme, {c.get(1)}, {}, false};
            return {Status::event, len};
        }
        break;
    case 'y':
        // DECRPM for a DEC private mode: `CSI ? mode ; state $ y`.
        if (c.inter == '$' && c.nparams == 2) {
            ev = ReportEvent{ReportKind::decrpm, {c.get_or(0, 0), c.get_or(1, 0)}, {}, true};
            return {Status::event, len};
        }
        break;
    default: break;
    }
    return {Status::skip, len};
}

// Replies and notifications without a prefix [ctlseqs].
Result Decoder::Impl::plain_report(const Csi& c, std::size_t len)
{
    if (c.inter != 0) {
        // DECRPM for an ANSI mode: `CSI mode ; state $ y`.
        if (c.final == 'y' && c.inter == '$' && c.nparams == 2) {
            ev = ReportEvent{ReportKind::decrpm, {c.get_or(0, 0), c.get_or(1, 0)}, {}, false};
            return {Status::event, len};
        }
        return {Status::skip, len};
    }
    switch (c.final) {
    case 'I':
    case 'O':
        // Focus in and out (mode 1004).
        if (c.nparams == 0) {
            ev = FocusEvent{c.final == 'I'};
            return {Status::event, len};
        }
        break;
    case 't':
        // In-band resize (mode 2048): `CSI 48 ; rows ; cols [; height ; width] t`.
        if (c.get(0) == 48 && c.nparams >= 3 && !c.has_subparams()) {
            ResizeEvent r;
            r.rows = std::max(0, c.get_or(1, 0));
            r.cols = std::max(0, c.get_or(2, 0));
            r.height_px = std::max(0, c.get_or(3, 0));
            r.width_px = std::max(0, c.get_or(4, 0));
            ev = r;
            return {Status::event, len};
        }
        // Window reports (XTWINOPS replies: `CSI 4 ; h ; w t`, `CSI 8 ; rows ; cols t`, ...).
        if (c.nparams >= 1 && !c.has_subparams()) {
            return report(ReportKind::window, c, len);
        }
        break;
    case 'n':
        // Device status (DSR reply `CSI 0 n`).
        if (c.nparams == 1 && !c.has_subparams()) {
            return report(ReportKind::status, c, len);
        }
        break;
    default: break;
    }
    return {Status::skip, len};
}

}  // namespace vtinput
