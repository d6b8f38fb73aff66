// The mode sequences: one table of the modes a TerminalGuard can set, walked in order to enable
// them and in reverse to disable them, so that the two directions cannot drift apart. The
// application's own bytes wrap them the same way: its enter bytes after our modes are on, its
// leave bytes before they go off (it set up its screen in a terminal already in our modes, so
// it tears it down while the terminal still is).
//
// Keypad-transmit mode is first on and last off: it is the terminal's own base key mode (the one
// its terminfo key capabilities assume, terminfo's smkx/rmkx), and the protocols nest inside it.
// Its bytes come with the modes, already resolved: this file reads no terminfo.
//
// Pure: no I/O, no state; the guard renders both sequences once, before it touches the
// terminal, and its signal handlers only write the bytes rendered here.
#include "vtinput/terminal.hpp"

#include <cstdint>
#include <iterator>
#include <string>

namespace vtinput {
namespace {

// How a family of modes is set and reset. A new family needs a case in render(), which the
// compiler asks for (-Wswitch).
enum class Family : std::uint8_t {
    keypad_transmit,    // the terminal's own bytes, TerminalModes::keypad_transmit (smkx, rmkx)
    dec_private,        // DECSET CSI ? Pm h, DECRST CSI ? Pm l
    kitty_keyboard,     // kitty progressive enhancement: push CSI > flags u, pop CSI < u
    modify_other_keys,  // xterm XTMODKEYS: CSI > 4 ; level m, reset to initial CSI > 4 m
};

struct ModeRow {
    Family family;
    // The parameter `modes` asks for (a DEC mode number, kitty flags, a modifyOtherKeys
    // level, 1 for bytes of the terminal's own), or 0 when it leaves this mode alone.
    long long (*param)(const TerminalModes& modes);
};

// Enabled top to bottom, disabled bottom to top.
constexpr ModeRow k_modes[] = {
    // Keypad transmit (terminfo smkx/rmkx; ncurses' keypad()).
    {Family::keypad_transmit,
     [](const TerminalModes& m) -> long long { return m.keypad_transmit && !m.keypad_transmit->empty() ? 1 : 0; }},
    // 1000 clicks, 1002 drag, 1003 motion (xterm ctlseqs, "Mouse Tracking").
    {Family::dec_private,
     [](const TerminalModes& m) -> long long {
         static constexpr long long tracking[] = {0, 1000, 1002, 1003};
         return tracking[static_cast<int>(m.mouse)];
     }},
    // 1006 SGR or 1016 SGR-pixels reports (xterm ctlseqs, "Extended coordinates").
    {Family::dec_private,
     [](const TerminalModes& m) -> long long {
         return m.mouse == MouseTracking::none ? 0 : m.mouse_pixels ? 1016 : 1006;
     }},
    // 2004 bracketed paste.
    {Family::dec_private, [](const TerminalModes& m) -> long long { return m.bracketed_paste ? 2004 : 0; }},
    // 1004 focus in/out reports.
    {Family::dec_private, [](const TerminalModes& m) -> long long { return m.focus ? 1004 : 0; }},
    {Family::kitty_keyboard, [](const TerminalModes& m) -> long long { return m.kitty_flags; }},
    {Family::modify_other_keys, [](const TerminalModes& m) -> long long { return m.modify_other_keys; }},
    // 9001 win32-input-mode (microsoft/terminal spec #4999, "Improved keyboard handling in Conpty").
    {Family::dec_private, [](const TerminalModes& m) -> long long { return m.win32_input ? 9001 : 0; }},
    // 2048 in-band window resize reports.
    {Family::dec_private, [](const TerminalModes& m) -> long long { return m.in_band_resize ? 2048 : 0; }},
    // 2031 colour-scheme change reports (contour's spec, "Dark and Light Mode detection"; also
    // kitty, Ghostty, foot).
    {Family::dec_private, [](const TerminalModes& m) -> long long { return m.color_scheme_updates ? 2031 : 0; }},
};

void render(std::string& out, const TerminalModes& m, Family family, long long param, bool on)
{
    switch (family) {
    case Family::keypad_transmit: out += on ? m.keypad_transmit->enable : m.keypad_transmit->disable; return;
    case Family::dec_private: out += "\x1b[?" + std::to_string(param) + (on ? "h" : "l"); return;
    case Family::kitty_keyboard: out += on ? "\x1b[>" + std::to_string(param) + "u" : "\x1b[<u"; return;
    case Family::modify_other_keys: out += on ? "\x1b[>4;" + std::to_string(param) + "m" : "\x1b[>4m"; return;
    }
}

}  // namespace

std::string enable_sequence(const TerminalModes& m)
{
    std::string out;
    for (const ModeRow& row : k_modes) {
        if (long long p = row.param(m); p != 0) {
            render(out, m, row.family, p, true);
        }
    }
    return out + m.app_enter;
}

std::string disable_sequence(const TerminalModes& m)
{
    std::string out = m.app_leave;
    for (auto row = std::rbegin(k_modes); row != std::rend(k_modes); ++row) {
        if (long long p = row->param(m); p != 0) {
            render(out, m, row->family, p, false);
        }
    }
    return out;
}

}  // namespace vtinput
