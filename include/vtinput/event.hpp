// Value events: what a terminal's input stream means, as a closed sum type.
//
// Every event is a plain value (copyable, comparable, no pointers into decoder state). Mouse
// events never touch the heap, and neither do key events for anything a single key press
// produces: a key's text is a KeyText, which keeps up to KeyText::inline_capacity (22) bytes
// inside the object. Each event has a human-readable form ("Ctrl+Alt+Up", "Mouse press left at
// 10,4") and the JSON form of SCHEMA.md (`vtinput-echo --json`), which is a public contract.
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

// Modifier bits, with the values of the kitty keyboard protocol (the wire's "modifier
// parameter" minus one). xterm's "meta" bit (8) is the same bit as super.
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

// A set of Mod bits.
class Mods {
public:
    constexpr Mods() = default;
    constexpr Mods(Mod m) : bits_(static_cast<std::uint8_t>(m)) {}  // NOLINT: implicit by design
    static constexpr Mods from_bits(unsigned bits) { return Mods(static_cast<std::uint8_t>(bits)); }

    constexpr unsigned bits() const { return bits_; }
    constexpr bool has(Mod m) const { return (bits_ & static_cast<std::uint8_t>(m)) != 0; }
    constexpr bool empty() const { return bits_ == 0; }
    constexpr Mods& operator|=(Mods o)
    {
        bits_ = static_cast<std::uint8_t>(bits_ | o.bits_);
        return *this;
    }
    friend constexpr Mods operator|(Mods a, Mods b) { return a |= b; }
    friend constexpr bool operator==(Mods, Mods) = default;

private:
    constexpr explicit Mods(std::uint8_t b) : bits_(b) {}
    std::uint8_t bits_ = 0;
};

constexpr Mods operator|(Mod a, Mod b) { return Mods(a) | Mods(b); }

// A key: either a Unicode scalar value (the character the key is labelled with, as the
// terminal sent it) or a named key. Named keys live above U+10FFFF so the two never collide.
enum class Key : std::uint32_t {
    none = 0,
    named_base = 0x110000,
    enter = named_base,
    tab,
    backspace,
    escape,
    insert,
    del,  // "delete"
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
    // F1..F63: f1 + (n - 1)
    f1 = named_base + 0x100,
    f63 = f1 + 62,
};

constexpr Key char_key(char32_t c) { return static_cast<Key>(c); }
constexpr Key function_key(int n)
{
    return static_cast<Key>(static_cast<std::uint32_t>(Key::f1) + static_cast<std::uint32_t>(n - 1));
}
constexpr bool is_char(Key k)
{
    return static_cast<std::uint32_t>(k) < static_cast<std::uint32_t>(Key::named_base) && k != Key::none;
}
constexpr char32_t to_char(Key k) { return is_char(k) ? static_cast<char32_t>(k) : 0; }

enum class KeyKind : std::uint8_t { press, repeat, release };

// The text a key produces, UTF-8. Up to `inline_capacity` bytes (every single character, and
// any short kitty text) live inside the object, so decoding and copying such key events never
// touches the heap; longer text is kept on the heap instead. Reads like a string_view.
class KeyText {
public:
    static constexpr std::size_t inline_capacity = 22;

    KeyText() = default;
    KeyText(std::string_view s) { assign(s.data(), s.size()); }  // NOLINT: implicit by design
    KeyText(const char* s) : KeyText(std::string_view(s)) {}     // NOLINT: implicit by design
    KeyText(const KeyText& other) { assign(other.data(), other.size()); }
    KeyText& operator=(const KeyText& other)
    {
        if (this != &other) {
            assign(other.data(), other.size());
        }
        return *this;
    }
    // A moved-from KeyText is empty (the decoder reuses it for the next key).
    KeyText(KeyText&& other) noexcept { take(other); }
    KeyText& operator=(KeyText&& other) noexcept
    {
        if (this != &other) {
            take(other);
        }
        return *this;
    }
    KeyText& operator=(std::string_view s)
    {
        assign(s.data(), s.size());
        return *this;
    }
    KeyText& operator=(const char* s) { return *this = std::string_view(s); }

    const char* data() const { return on_heap() ? heap_->data() : inline_; }
    std::size_t size() const { return on_heap() ? heap_->size() : len_; }
    bool empty() const { return len_ == 0; }
    std::string_view view() const { return {data(), size()}; }
    operator std::string_view() const { return view(); }  // NOLINT: implicit by design
    operator std::string() const { return str(); }        // NOLINT: implicit by design
    std::string str() const { return std::string(view()); }

    void clear()
    {
        if (on_heap()) [[unlikely]] {
            heap_.reset();
        }
        len_ = 0;
    }
    void push_back(char c)
    {
        if (len_ < inline_capacity) [[likely]] {
            inline_[len_++] = c;
            return;
        }
        push_back_slow(c);
    }
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
    void append(std::string_view s)
    {
        for (char c : s) {
            push_back(c);
        }
    }

    friend bool operator==(const KeyText& a, const KeyText& b) { return a.view() == b.view(); }
    friend bool operator==(const KeyText& a, std::string_view b) { return a.view() == b; }
    friend bool operator==(const KeyText& a, const char* b) { return a.view() == std::string_view(b); }

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

std::ostream& operator<<(std::ostream& os, const KeyText& text);

struct KeyEvent {
    Key key = Key::none;
    Mods mods;
    KeyKind kind = KeyKind::press;
    // The text the key produces, UTF-8, when the protocol carried it (kitty flag 16) or when
    // it is an unmodified printable character; empty otherwise.
    KeyText text;
    // kitty "report alternate keys": the shifted key and the key in the base (US) layout,
    // as Unicode code points; 0 when not reported.
    char32_t shifted = 0;
    char32_t base = 0;

    friend bool operator==(const KeyEvent&, const KeyEvent&) = default;
};

enum class MouseAction : std::uint8_t { press, release, move, drag, scroll };
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

struct MouseEvent {
    MouseAction action = MouseAction::press;
    MouseButton button = MouseButton::none;
    // Zero-based column and row (cells), or pixels when `pixels` (SGR-pixels, mode 1016).
    int x = 0;
    int y = 0;
    Mods mods;  // shift, alt, ctrl
    bool pixels = false;

    friend bool operator==(const MouseEvent&, const MouseEvent&) = default;
};

// A bracketed paste, byte for byte. A paste longer than DecoderOptions::paste_cap arrives
// as several events in order; all but the last have `continued` set.
struct PasteEvent {
    std::string text;
    bool continued = false;

    friend bool operator==(const PasteEvent&, const PasteEvent&) = default;
};

struct FocusEvent {
    bool gained = false;
    friend bool operator==(const FocusEvent&, const FocusEvent&) = default;
};

// A window size: from SIGWINCH (pixels 0 when unknown) or in-band (mode 2048).
struct ResizeEvent {
    int cols = 0;
    int rows = 0;
    int width_px = 0;
    int height_px = 0;
    friend bool operator==(const ResizeEvent&, const ResizeEvent&) = default;
};

// A cursor position report (CPR or DECXCPR), 1-based as reported.
struct CursorPositionEvent {
    int row = 0;
    int col = 0;
    friend bool operator==(const CursorPositionEvent&, const CursorPositionEvent&) = default;
};

enum class ReportKind : std::uint8_t {
    da1,           // CSI ? Ps;... c             params
    da2,           // CSI > Ps;... c             params
    da3,           // DCS ! | hex ST             text
    decrpm,        // CSI [?] mode;value $ y     params {mode, value}, private_mode
    kitty_flags,   // CSI ? flags u              params {flags}
    color_scheme,  // CSI ? 997;n n              params {n}: 1 dark, 2 light
    status,        // CSI n n (DSR status)       params
    window,        // CSI Ps;... t (XTWINOPS)    params
    xtversion,     // DCS > | text ST            text
    xtgettcap,     // DCS 1|0 + r ... ST         text (payload after "+r")
    decrqss,       // DCS 1|0 $ r ... ST         text (payload after "$r")
    osc,           // OSC text (BEL|ST)          text, e.g. "11;rgb:0000/0000/0000"
    dcs,           // other DCS                  text
    apc,           // APC text ST                text
};

struct ReportEvent {
    ReportKind what = ReportKind::dcs;
    std::vector<int> params;
    std::string text;
    bool private_mode = false;  // decrpm: reply to a DEC private mode query (CSI ? ... $ y)

    friend bool operator==(const ReportEvent&, const ReportEvent&) = default;
};

// Bytes the decoder could not interpret; decoding carries on after them.
struct UnknownEvent {
    std::string bytes;
    friend bool operator==(const UnknownEvent&, const UnknownEvent&) = default;
};

// Stream events: produced by the input device and the channel, never by the decoder.
struct LaggedEvent {
    std::uint64_t missed = 0;
    friend bool operator==(const LaggedEvent&, const LaggedEvent&) = default;
};
struct EofEvent {
    friend bool operator==(const EofEvent&, const EofEvent&) = default;
};
struct ErrorEvent {
    std::error_code code;
    std::string message;
    friend bool operator==(const ErrorEvent&, const ErrorEvent&) = default;
};

// The bytes the events after it were decoded from: every byte read since the previous
// RawEvent, delivered before the first event they produced. Only when asked for
// (DeviceOptions::raw_bytes), for diagnostics such as `vtinput-echo --raw`.
struct RawEvent {
    std::string bytes;
    friend bool operator==(const RawEvent&, const RawEvent&) = default;
};

using Event = std::variant<KeyEvent, MouseEvent, PasteEvent, FocusEvent, ResizeEvent, CursorPositionEvent, ReportEvent,
                           UnknownEvent, LaggedEvent, EofEvent, ErrorEvent, RawEvent>;

// Names as in SCHEMA.md ("up", "f5", "kp_enter", "left_shift"); empty for character keys.
std::string_view key_name(Key key);
std::string_view mod_name(Mod mod);
std::string_view to_string(MouseButton button);
std::string_view to_string(MouseAction action);
std::string_view to_string(ReportKind kind);

// Human-readable forms: "Ctrl+Alt+Up", "a", "Shift+F5 release", "Mouse press left at 10,4".
std::string to_string(const Event& event);
void append_human(std::string& out, const Event& event);

// The version of the JSON event format (docs/json-schema.md): the major number changes when a
// listed field changes meaning or goes away, the minor number when fields or types are added.
inline constexpr std::string_view json_format_version = "1.0";

// One JSON object (no newline), exactly the form of docs/json-schema.md.
std::string to_json(const Event& event);
void append_json(std::string& out, const Event& event);

// Appends `cp` as UTF-8 (invalid scalars as U+FFFD).
void append_utf8(std::string& out, char32_t cp);
void append_utf8(KeyText& out, char32_t cp);

}  // namespace vtinput
