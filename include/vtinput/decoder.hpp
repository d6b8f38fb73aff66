/// @file
/// The pure decoder: terminal input bytes in, value events out.
///
/// It has no fd, clock, thread or global state. Time enters only as arguments: `feed` is told
/// when the bytes arrived, `deadline` says when the decoder next needs `flush`, and the caller
/// owns the waiting (libtermkey's model). The same bytes give the same events however they are
/// split across feeds, as long as no deadline passes between feeds. Nothing wedges it: input it
/// cannot interpret comes out as UnknownEvent and decoding resumes at the next byte. Memory
/// held for incomplete input is bounded by the caps in DecoderOptions.
///
/// A Decoder is a value owned by one thread at a time; it is not internally synchronised.
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtinput/event.hpp"
#include "vtinput/keymap.hpp"

namespace vtinput {

/// How long the decoder waits for the rest of a sequence, and how much it holds at most.
struct DecoderOptions {
    /// How long a lone ESC (or ESC + `[`, `O`, `P`, `]`, `_`, a partial UTF-8 character, or a
    /// bare `CSI M`) waits for the rest of a sequence before it becomes Escape / Alt+key / an
    /// unknown event (a bare `CSI M`: st's Ctrl+Delete).
    std::chrono::milliseconds esc_timeout{50};
    /// How long a sequence already known to be one (CSI with a parameter byte, an OSC/DCS/APC
    /// string, an X10 mouse report after its first byte) may stay incomplete with no new byte
    /// arriving before its bytes come out as they are (unknown). Inside a bracketed paste it
    /// never ends the paste: what has arrived is delivered as a PasteEvent with `continued`
    /// set, and the paste goes on until its end marker or finish().
    std::chrono::milliseconds stale_timeout{1000};
    /// Longest CSI/SS3 sequence, introducer included; longer ones come out as unknown.
    std::size_t csi_cap = 256;
    /// Longest OSC/DCS/APC string, introducer and terminator included.
    std::size_t string_cap = 1 << 16;
    /// A paste longer than this is delivered in several PasteEvents of at most this size (a
    /// paste that pauses past stale_timeout is delivered in parts too).
    std::size_t paste_cap = 1 << 22;
    /// X10/normal mouse reports carry UTF-8 encoded coordinates (mode 1005).
    bool mouse_utf8 = false;
    /// SGR mouse reports carry pixel positions (mode 1016).
    bool mouse_pixels = false;
};

/// The ESC timeout for a link whose round trip (a request written to the terminal until its
/// reply is decoded, Capabilities::round_trip) is `round_trip`: the default 50 ms plus twice
/// the round trip, at most 500 ms. The bytes of one key leave the terminal in one write; only
/// the link can split them, and a link that splits them delays the second part by about its
/// own latency at most, which the round trip bounds from above (twice: for jitter). Local
/// terminals (round trips well under 1 ms) keep 50 ms; ssh at 40 ms round trip gets 130 ms.
std::chrono::milliseconds adaptive_esc_timeout(std::chrono::microseconds round_trip);

/// Receives decoded events. Called synchronously from feed/flush on the caller's thread.
class EventSink {
public:
    /// One decoded event, in order; the sink may keep it (moved in).
    virtual void on_event(Event&& event) = 0;

protected:
    ~EventSink() = default;
};

class Decoder;
namespace detail {
void set_fast_paths(Decoder& decoder, bool on);  // a test seam: lib/decode/fast_paths.hpp
}  // namespace detail

/// The pure decoder: feed() bytes, flush() at deadline(), finish() at the end; decoder.hpp says
/// what it guarantees.
class Decoder {
public:
    /// The clock of every time point the decoder is given or gives back.
    using clock = std::chrono::steady_clock;

    /// A decoder with these options and, optionally, a terminal's key table (shared, read only;
    /// nullptr: the built-in grammar alone).
    explicit Decoder(DecoderOptions options = {}, std::shared_ptr<const KeyMap> keymap = nullptr);
    ~Decoder();
    ///@{
    /// Moves the decoder's whole state, pending input included.
    Decoder(Decoder&&) noexcept;
    Decoder& operator=(Decoder&&) noexcept;
    ///@}
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    /// Decodes `bytes`, which arrived at `now`, delivering every complete event to `sink`.
    /// Incomplete input is kept (within the caps) until more bytes or a flush resolve it.
    void feed(std::string_view bytes, clock::time_point now, EventSink& sink);
    /// Convenience form: appends the events to `out`.
    void feed(std::string_view bytes, clock::time_point now, std::vector<Event>& out);

    /// The earliest time at which `flush` would resolve pending input; nullopt when nothing is
    /// pending. Only changes when feed/flush/finish is called.
    std::optional<clock::time_point> deadline() const;

    ///@{
    /// Resolves pending input whose deadline is at or before `now`; does nothing otherwise.
    void flush(clock::time_point now, EventSink& sink);
    void flush(clock::time_point now, std::vector<Event>& out);
    ///@}

    ///@{
    /// End of input: resolves everything pending as if every deadline had passed.
    void finish(EventSink& sink);
    void finish(std::vector<Event>& out);
    ///@}

    /// Tells the decoder a cursor position report has been requested (CSI 6 n), so that the
    /// next ambiguous `CSI 1 ; m R` is read as a position report rather than modified F3.
    void expect_cursor_position();

    /// Changes DecoderOptions::esc_timeout from now on: a sequence already waiting gets the new
    /// timeout counted from its last byte (deadline() says when).
    void set_esc_timeout(std::chrono::milliseconds timeout);

    /// Bytes currently held for incomplete input (pending sequence, string, paste body or
    /// decoded clipboard content).
    std::size_t pending_bytes() const;

    /// Undelivered state for handing over to another decoder (e.g. the next poller thread):
    /// the raw bytes not yet turned into events. Feeding them to a fresh decoder with the same
    /// options yields the same events this one would have produced. Leaves this decoder empty.
    std::string take_pending();

    /// The options in effect.
    const DecoderOptions& options() const;
    /// Replaces the options; input already pending is kept.
    void set_options(const DecoderOptions& options);

private:
    friend void detail::set_fast_paths(Decoder&, bool);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vtinput
