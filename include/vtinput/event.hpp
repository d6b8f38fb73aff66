/// @file
/// Value events: what a terminal's input stream means, as a closed sum type.
///
/// Every event is a plain value (copyable, comparable, no pointers into decoder state). Mouse
/// events never touch the heap, and neither do key events for anything a single key press
/// produces: a key's text is a KeyText, which keeps up to KeyText::inline_capacity (22) bytes
/// inside the object. Each event has a human-readable form ("Ctrl+Alt+Up", "Mouse press left at
/// 10,4") and the JSON form of docs/json-schema.md (`vtinput-echo --json`), which is a public contract.
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace vtinput {

/// Modifier bits, with the values of the kitty keyboard protocol (the wire's "modifier
/// parameter" minus one). xterm's "meta" bit (8) is the same bit as super.
enum class Mod : std::uint8_t {
    none = 0,
    shift = 1,
    alt = 2,
    ctrl = 4,
    super = 8,
    hyper = 16,
    meta = 32,
    capslock = 64,
    numlock = 128,
};

/// A set of Mod bits.
class Mods {
public:
    /// No modifier.
    constexpr Mods() = default;
    /// The set holding `m` alone (Mod::none: the empty set); implicit, so a Mod is a Mods.
    constexpr Mods(Mod m) : bits_(static_cast<std::uint8_t>(m)) {}  // NOLINT: implicit by design
    /// The set with these bits (as in Mod); bits above 0xff are dropped.
    static constexpr Mods from_bits(unsigned bits) { return Mods(static_cast<std::uint8_t>(bits)); }

    /// The bits, as in Mod (the kitty protocol's modifier parameter minus one).
    constexpr unsigned bits() const { return bits_; }
    /// Whether modifier `m` is in the set.
    constexpr bool has(Mod m) const { return (bits_ & static_cast<std::uint8_t>(m)) != 0; }
    /// No modifier is set.
    constexpr bool empty() const { return bits_ == 0; }
    /// Adds the modifiers of `o`.
    constexpr Mods& operator|=(Mods o)
    {
        bits_ = static_cast<std::uint8_t>(bits_ | o.bits_);
        return *this;
    }
    /// The union of `a` and `b`.
    friend constexpr Mods operator|(Mods a, Mods b) { return a |= b; }
    /// The same bits.
    friend constexpr bool operator==(Mods, Mods) = default;

private:
    constexpr explicit Mods(std::uint8_t b) : bits_(b) {}
    std::uint8_t bits_ = 0;
};

/// The set of `a` and `b`: `Mod::ctrl | Mod::shift`.
constexpr Mods operator|(Mod a, Mod b) { return Mods(a) | Mods(b); }

/// A key: either a Unicode scalar value (the character the key is labelled with, as the
/// terminal sent it) or a named key. Named keys live above U+10FFFF so the two never collide.
enum class Key : std::uint32_t {
    none = 0,
    named_base = 0x110000,
    enter = named_base,
    tab,
    backspace,
    escape,
    insert,
    del,  ///< "delete"
    home,
    end,
    page_up,
    page_down,
    up,
    down,
    left,
    right,
    begin,
    menu,
    print,
    pause,
    scroll_lock,
    caps_lock,
    num_lock,
    // keypad (kitty protocol, DEC application keypad)
    kp_0,
    kp_1,
    kp_2,
    kp_3,
    kp_4,
    kp_5,
    kp_6,
    kp_7,
    kp_8,
    kp_9,
    kp_decimal,
    kp_divide,
    kp_multiply,
    kp_minus,
    kp_plus,
    kp_enter,
    kp_equal,
    kp_separator,
    kp_left,
    kp_right,
    kp_up,
    kp_down,
    kp_page_up,
    kp_page_down,
    kp_home,
    kp_end,
    kp_insert,
    kp_delete,
    kp_begin,
    // media keys (kitty protocol)
    media_play,
    media_pause,
    media_play_pause,
    media_reverse,
    media_stop,
    media_fast_forward,
    media_rewind,
    media_track_next,
    media_track_previous,
    media_record,
    lower_volume,
    raise_volume,
    mute_volume,
    // modifier keys themselves (kitty protocol, "report all keys")
    left_shift,
    left_ctrl,
    left_alt,
    left_super,
    left_hyper,
    left_meta,
    right_shift,
    right_ctrl,
    right_alt,
    right_super,
    right_hyper,
    right_meta,
    iso_level3_shift,
    iso_level5_shift,
    /// F1..F63: f1 + (n - 1)
    f1 = named_base + 0x100,
    f63 = f1 + 62,
};

/// The key of character `c` (a Unicode scalar value): `char_key(U'q')`.
constexpr Key char_key(char32_t c) { return static_cast<Key>(c); }
/// The function key F`n`, for `n` from 1 to 63: `function_key(5)` is F5.
constexpr Key function_key(int n)
{
    return static_cast<Key>(static_cast<std::uint32_t>(Key::f1) + static_cast<std::uint32_t>(n - 1));
}
/// Whether `k` is a character key (not a named key, not Key::none).
constexpr bool is_char(Key k)
{
    return static_cast<std::uint32_t>(k) < static_cast<std::uint32_t>(Key::named_base) && k != Key::none;
}
/// The character of a character key; 0 for named keys and Key::none.
constexpr char32_t to_char(Key k) { return is_char(k) ? static_cast<char32_t>(k) : 0; }

/// Press, auto-repeat or release. Only the kitty protocol reports repeats and releases (with
/// its event-type flag); every other encoding is a press.
enum class KeyKind : std::uint8_t { press, repeat, release };

/// The text a key produces, UTF-8. Up to `inline_capacity` bytes (every single character, and
/// any short kitty text) live inside the object, so decoding and copying such key events never
/// touches the heap; longer text is kept on the heap instead. Reads like a string_view.
class KeyText {
public:
    /// The longest text kept inside the object, in bytes.
    static constexpr std::size_t inline_capacity = 22;

    KeyText() = default;
    /// A copy of `s`.
    KeyText(std::string_view s) { assign(s.data(), s.size()); }  // NOLINT: implicit by design
    /// A copy of the NUL-terminated `s`.
    KeyText(const char* s) : KeyText(std::string_view(s)) {}  // NOLINT: implicit by design
    ///@{
    /// Copies the text.
    KeyText(const KeyText& other) { assign(other.data(), other.size()); }
    KeyText& operator=(const KeyText& other)
    {
        if (this != &other) {
            assign(other.data(), other.size());
        }
        return *this;
    }
    ///@}
    ///@{
    /// A moved-from KeyText is empty (the decoder reuses it for the next key).
    KeyText(KeyText&& other) noexcept { take(other); }
    KeyText& operator=(KeyText&& other) noexcept
    {
        if (this != &other) {
            take(other);
        }
        return *this;
    }
    ///@}
    ///@{
    /// Replaces the text with a copy of `s`.
    KeyText& operator=(std::string_view s)
    {
        assign(s.data(), s.size());
        return *this;
    }
    KeyText& operator=(const char* s) { return *this = std::string_view(s); }
    ///@}

    /// The bytes, not NUL-terminated; valid until the text changes.
    const char* data() const { return on_heap() ? heap_->data() : inline_; }
    /// The length in bytes.
    std::size_t size() const { return on_heap() ? heap_->size() : len_; }
    /// No byte at all.
    bool empty() const { return len_ == 0; }
    /// The text; valid until it changes.
    std::string_view view() const { return {data(), size()}; }
    /// view(), implicitly.
    operator std::string_view() const { return view(); }  // NOLINT: implicit by design
    /// str(), implicitly.
    operator std::string() const { return str(); }  // NOLINT: implicit by design
    /// A copy of the text.
    std::string str() const { return std::string(view()); }

    /// Makes the text empty, releasing heap storage if it had any.
    void clear()
    {
        if (on_heap()) [[unlikely]] {
            heap_.reset();
        }
        len_ = 0;
    }
    /// Appends byte `c`.
    void push_back(char c)
    {
        if (len_ < inline_capacity) [[likely]] {
            inline_[len_++] = c;
            return;
        }
        push_back_slow(c);
    }
    /// Replaces the text with the `n` bytes at `p`.
    void assign(const char* p, std::size_t n)
    {
        if (n <= inline_capacity && !on_heap()) [[likely]] {
            for (std::size_t i = 0; i < n; ++i) {
                inline_[i] = p[i];
            }
            len_ = static_cast<std::uint8_t>(n);
            return;
        }
        assign_slow(p, n);
    }
    /// Appends `s`.
    void append(std::string_view s)
    {
        for (char c : s) {
            push_back(c);
        }
    }

    ///@{
    /// The same bytes.
    friend bool operator==(const KeyText& a, const KeyText& b) { return a.view() == b.view(); }
    friend bool operator==(const KeyText& a, std::string_view b) { return a.view() == b; }
    friend bool operator==(const KeyText& a, const char* b) { return a.view() == std::string_view(b); }
    ///@}

private:
    // len_ == k_on_heap: the text is in heap_ (longer than inline_capacity). Keeping that in the
    // length byte makes the common operations a single compare.
    static constexpr std::uint8_t k_on_heap = 0xff;
    bool on_heap() const { return len_ == k_on_heap; }
    // The rare paths stay out of line, so the common ones inline into the decoder's loops.
    void push_back_slow(char c);
    void assign_slow(const char* p, std::size_t n);
    void take(KeyText& other) noexcept
    {
        for (std::size_t i = 0; i < inline_capacity; ++i) {  // a fixed-size copy: a few moves
            inline_[i] = other.inline_[i];
        }
        len_ = std::exchange(other.len_, std::uint8_t{0});
        heap_ = std::move(other.heap_);
    }

    char inline_[inline_capacity] = {};
    std::uint8_t len_ = 0;
    std::unique_ptr<std::string> heap_;
};

/// Writes the text's bytes to `os` (doctest and other test frameworks print values this way).
std::ostream& operator<<(std::ostream& os, const KeyText& text);

/// A key: pressed, repeated or released, with the modifiers held.
struct KeyEvent {
    /// The key: a character (char_key) or a named key.
    Key key = Key::none;
    /// The modifiers held.
    Mods mods;
    /// Press, or repeat / release where the kitty protocol reports them.
    KeyKind kind = KeyKind::press;
    /// The text the key produces, UTF-8, when the protocol carried it (kitty flag 16) or when
    /// it is an unmodified printable character; empty otherwise.
    KeyText text;
    ///@{
    /// kitty "report alternate keys": the shifted key and the key in the base (US) layout,
    /// as Unicode code points; 0 when not reported.
    char32_t shifted = 0;
    char32_t base = 0;
    ///@}

    /// Equal when every field is equal.
    friend bool operator==(const KeyEvent&, const KeyEvent&) = default;
};

/// What the mouse did: a button pressed or released, motion with no button held (move) or
/// with one held (drag), a wheel turned (scroll).
enum class MouseAction : std::uint8_t { press, release, move, drag, scroll };
/// The button of a mouse event: none (motion, or an X10 release, which names no button), the
/// three main buttons, the four wheel directions and the extra buttons 8 to 11.
enum class MouseButton : std::uint8_t {
    none,
    left,
    middle,
    right,
    wheel_up,
    wheel_down,
    wheel_left,
    wheel_right,
    b8,
    b9,
    b10,
    b11,
};

/// A mouse report, in any of the encodings the decoder knows (SGR, SGR-pixels, X10/normal,
/// UTF-8 1005, urxvt 1015).
struct MouseEvent {
    /// What happened.
    MouseAction action = MouseAction::press;
    /// Which button, or MouseButton::none.
    MouseButton button = MouseButton::none;
    ///@{
    /// Zero-based column and row (cells), or pixels when `pixels` (SGR-pixels, mode 1016).
    int x = 0;
    int y = 0;
    ///@}
    Mods mods;  ///< shift, alt, ctrl
    /// `x` and `y` are pixels, not cells.
    bool pixels = false;

    /// Equal when every field is equal.
    friend bool operator==(const MouseEvent&, const MouseEvent&) = default;
};

/// A bracketed paste, byte for byte. A paste longer than DecoderOptions::paste_cap, or one
/// the terminal pauses in for longer than the stale timeout, arrives as several events in
/// order; all but the last have `continued` set.
struct PasteEvent {
    /// The pasted bytes, exactly as they arrived (not necessarily valid UTF-8).
    std::string text;
    /// More of the same paste follows in the next PasteEvent.
    bool continued = false;

    /// Equal when every field is equal.
    friend bool operator==(const PasteEvent&, const PasteEvent&) = default;
};

/// The terminal's reply to a clipboard request (OSC 52, `OSC 52 ; c ; ? ST`): the selection
/// it names and the content, base64-decoded. Delivered like a paste: content longer than
/// DecoderOptions::paste_cap, or a reply the terminal pauses in for longer than the stale
/// timeout, arrives as several events in order; all but the last have `continued` set. Never
/// cut: a 90 KB clipboard is 90 KB of events, whatever DecoderOptions::string_cap says.
struct ClipboardEvent {
    /// The selection parameter as the terminal sent it: "c" (clipboard), "p" (primary), "s",
    /// "0".."7", several of them, or empty (which xterm reads as "s0").
    std::string selection;
    /// The content, decoded (not necessarily valid UTF-8). Empty when the terminal refused the
    /// request or the selection is empty. Characters outside the base64 alphabet are skipped.
    std::string data;
    /// More of the same reply follows in the next ClipboardEvent.
    bool continued = false;

    /// Equal when every field is equal.
    friend bool operator==(const ClipboardEvent&, const ClipboardEvent&) = default;
};

/// The terminal window gained or lost the focus (mode 1004).
struct FocusEvent {
    /// True when gained, false when lost.
    bool gained = false;
    /// Equal when every field is equal.
    friend bool operator==(const FocusEvent&, const FocusEvent&) = default;
};

/// A window size: from SIGWINCH (pixels 0 when unknown) or in-band (mode 2048).
struct ResizeEvent {
    int cols = 0;       ///< Width in cells.
    int rows = 0;       ///< Height in cells.
    int width_px = 0;   ///< Width in pixels, 0 when unknown.
    int height_px = 0;  ///< Height in pixels, 0 when unknown.
    /// Equal when every field is equal.
    friend bool operator==(const ResizeEvent&, const ResizeEvent&) = default;
};

/// A cursor position report (CPR or DECXCPR), 1-based as reported.
struct CursorPositionEvent {
    int row = 0;  ///< 1-based row.
    int col = 0;  ///< 1-based column.
    /// Equal when every field is equal.
    friend bool operator==(const CursorPositionEvent&, const CursorPositionEvent&) = default;
};

/// Which reply a ReportEvent is: its wire form, and which of ReportEvent's fields it fills.
enum class ReportKind : std::uint8_t {
    da1,           ///< CSI ? Ps;... c             params
    da2,           ///< CSI > Ps;... c             params
    da3,           ///< DCS ! | hex ST             text
    decrpm,        ///< CSI [?] mode;value $ y     params {mode, value}, private_mode
    kitty_flags,   ///< CSI ? flags u              params {flags}
    color_scheme,  ///< CSI ? 997;n n              params {n}: 1 dark, 2 light
    status,        ///< CSI n n (DSR status)       params
    window,        ///< CSI Ps;... t (XTWINOPS)    params
    xtversion,     ///< DCS > | text ST            text
    xtgettcap,     ///< DCS 1|0 + r ... ST         text (the whole body: "1+r544e=...")
    decrqss,       ///< DCS 1|0 $ r ... ST         text (the whole body: "1$r0m")
    osc,           ///< OSC text (BEL|ST)          text, e.g. "11;rgb:0000/0000/0000"
    dcs,           ///< other DCS                  text
    apc,           ///< APC text ST                text
    modify_keys,   ///< CSI > Pp;Pv m (XTQMODKEYS)  params {resource, value}: 4 is modifyOtherKeys
    xtsmgraphics,  ///< CSI ? Pi;Ps;Pv... S        params {item, status, values...}
};

/// A terminal's reply to a request (device attributes, mode reports, strings): never user input.
struct ReportEvent {
    /// Which reply; ReportKind says which of the fields below it fills.
    ReportKind what = ReportKind::dcs;
    /// Numeric parameters of a CSI reply.
    std::vector<int> params;
    /// The payload of a string reply (OSC, DCS, APC), without introducer and terminator.
    std::string text;
    bool private_mode = false;  ///< decrpm: reply to a DEC private mode query (CSI ? ... $ y)

    /// Equal when every field is equal.
    friend bool operator==(const ReportEvent&, const ReportEvent&) = default;
};

/// Bytes the decoder could not interpret; decoding carries on after them.
struct UnknownEvent {
    /// The bytes, exactly as they arrived.
    std::string bytes;
    /// Equal when every field is equal.
    friend bool operator==(const UnknownEvent&, const UnknownEvent&) = default;
};

// Stream events: produced by the input device and the channel, never by the decoder.

/// Events this receiver lost: it fell more than the channel holds behind, and the oldest
/// events were dropped for it alone. Comes before the events that follow the gap.
struct LaggedEvent {
    /// How many events were lost (resizes never count: they collapse instead).
    std::uint64_t missed = 0;
    /// Equal when every field is equal.
    friend bool operator==(const LaggedEvent&, const LaggedEvent&) = default;
};
/// End of input: the terminal or file gave end-of-file (or EIO from a hung-up PTY). The poller
/// stops after it; receivers then see the end of the stream.
struct EofEvent {
    /// Equal when every field is equal.
    friend bool operator==(const EofEvent&, const EofEvent&) = default;
};
/// A failure of the poller thread (an I/O error on the input, or a failure on its own paths);
/// the poller stops after it, and receivers then see the end of the stream.
struct ErrorEvent {
    /// The error; in the generic (errno) category.
    std::error_code code;
    /// What failed, for a person: starts "vtinput: ".
    std::string message;
    /// Equal when every field is equal.
    friend bool operator==(const ErrorEvent&, const ErrorEvent&) = default;
};

/// The bytes the events after it were decoded from: every byte read since the previous
/// RawEvent, delivered before the first event they produced. Only when asked for
/// (DeviceOptions::raw_bytes), for diagnostics such as `vtinput-echo --raw`.
struct RawEvent {
    /// The bytes read, exactly.
    std::string bytes;
    /// Equal when every field is equal.
    friend bool operator==(const RawEvent&, const RawEvent&) = default;
};

/// Every event, as one closed sum type: handle it with an exhaustive std::visit.
using Event = std::variant<KeyEvent, MouseEvent, PasteEvent, FocusEvent, ResizeEvent, CursorPositionEvent, ReportEvent,
                           UnknownEvent, LaggedEvent, EofEvent, ErrorEvent, RawEvent, ClipboardEvent>;

///@{
/// Names as in docs/json-schema.md ("up", "f5", "kp_enter", "left_shift"); empty for character keys.
std::string_view key_name(Key key);
std::string_view mod_name(Mod mod);
std::string_view to_string(MouseButton button);
std::string_view to_string(MouseAction action);
std::string_view to_string(ReportKind kind);
///@}

///@{
/// Human-readable forms: "Ctrl+Alt+Up", "a", "Shift+F5 release", "Mouse press left at 10,4".
std::string to_string(const Event& event);
void append_human(std::string& out, const Event& event);
///@}

/// The version of the JSON event format (docs/json-schema.md): the major number changes when a
/// listed field changes meaning or goes away, the minor number when fields or types are added.
inline constexpr std::string_view json_format_version = "1.1";

///@{
/// One JSON object (no newline), exactly the form of docs/json-schema.md.
std::string to_json(const Event& event);
void append_json(std::string& out, const Event& event);
///@}

///@{
/// Appends `cp` as UTF-8 (invalid scalars as U+FFFD).
void append_utf8(std::string& out, char32_t cp);
void append_utf8(KeyText& out, char32_t cp);
///@}

}  // namespace vtinput
