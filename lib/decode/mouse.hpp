// The mouse button byte (internal): shared by mouse.cpp and the SGR fast path in csi_short.hpp.
#pragma once

#include "vtinput/event.hpp"

namespace vtinput::detail {

// Decodes a mouse button byte (xterm's Cb without the +32 offset) [ctlseqs, Mouse Tracking]:
// bits 0-1 the button (3: none), 4/8/16 shift/alt(meta)/ctrl, 32 motion, 64 wheel buttons
// 4-7, 128 buttons 8-11. `sgr_release` is SGR's final `m`.
inline MouseEvent mouse_from_cb(int cb, bool sgr_release)
{
    MouseEvent m;
    if (cb & 4) {
        m.mods |= Mod::shift;
    }
    if (cb & 8) {
        m.mods |= Mod::alt;
    }
    if (cb & 16) {
        m.mods |= Mod::ctrl;
    }
    bool motion = (cb & 32) != 0;
    int low = cb & 3;
    if (cb & 128) {
        m.button = static_cast<MouseButton>(static_cast<int>(MouseButton::b8) + low);
    } else if (cb & 64) {
        if (motion) {
            // A wheel is never held, so the wheel bit with the motion bit is not a scroll:
            // urxvt reports motion with the last button it saw, a wheel button too
            // (`CSI < 99;6;4 M` is 64 + 32 + 3). It is motion with no button held.
            m.action = MouseAction::move;
            return m;
        }
        m.button = static_cast<MouseButton>(static_cast<int>(MouseButton::wheel_up) + low);
        m.action = sgr_release ? MouseAction::release : MouseAction::scroll;
        return m;
    } else {
        static constexpr MouseButton b[] = {MouseButton::left, MouseButton::middle, MouseButton::right,
                                            MouseButton::none};
        m.button = b[low];
    }
    if (sgr_release) {
        m.action = MouseAction::release;
    } else if (motion) {
        m.action = m.button == MouseButton::none ? MouseAction::move : MouseAction::drag;
    } else if (m.button == MouseButton::none) {
        m.action = MouseAction::release;  // X10/normal release: "button 3", no button known
    } else {
        m.action = MouseAction::press;
    }
    return m;
}

}  // namespace vtinput::detail
