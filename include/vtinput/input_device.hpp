/// @file
/// The input device: the process-wide source of terminal input events.
///
/// Opening the device starts (or reuses) a poller thread that reads the terminal, decodes what
/// it reads and broadcasts the events. The device holds one receiver; `subscribe()` gives more.
/// The poller exits by itself once no receiver is left; the next open or subscribe reuses it if
/// it is still running (fast path) or starts a new generation (slow path). Bytes already read
/// but not yet taken by anyone are handed to the next generation, and bytes not yet read stay in
/// the kernel, so no keystroke is lost between one device and the next.
///
/// The terminal can be handed to another program and taken back (suspend / resume, or
/// with_terminal_released): meanwhile nothing reads it, whoever is subscribed.
///
/// Run-time failures (end of input, I/O errors) arrive as EofEvent / ErrorEvent on every
/// receiver; API misuse and set-up failures throw std::system_error, with nothing left behind
/// (no fd, thread or receiver, the terminal as it was).
///
/// fork(): a child forked while a device or receiver was alive cannot use the device (open and
/// subscribe throw std::errc::operation_not_supported; the device and receivers it inherited
/// belong to the parent: closing or destroying them in the child leaves the parent's terminal
/// and poller alone, and no event reaches them there). A child forked when none was alive opens
/// and subscribes as usual, with a poller of its own.
#pragma once

#include "vtinput/version.hpp"  // first: checks the language standard

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "vtinput/capabilities.hpp"
#include "vtinput/channel.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/terminal.hpp"

namespace vtinput {

namespace detail {
struct InlineEntry;
}  // namespace detail

/// A handler run on the input thread (InputDevice::subscribe_inline); ends when destroyed.
/// Move-only.
class InlineSubscription {
public:
    InlineSubscription() = default;  ///< none
    ///@{
    /// Moves the subscription (assigning first ends this one's).
    InlineSubscription(InlineSubscription&&) noexcept = default;
    InlineSubscription& operator=(InlineSubscription&& other) noexcept;
    ///@}
    InlineSubscription(const InlineSubscription&) = delete;
    InlineSubscription& operator=(const InlineSubscription&) = delete;
    ~InlineSubscription() { reset(); }

    /// Ends it: when this returns, the handler is not running and is never called again. From
    /// inside a handler (any one of them) it takes effect when that handler returns. In a
    /// fork() child it only lets go: the handler belongs to the parent. Idempotent.
    void reset() noexcept;
    /// Not ended, nor moved from (a handler that threw was ended by the device).
    explicit operator bool() const noexcept;

private:
    friend class InputDevice;
    InlineSubscription(std::shared_ptr<detail::InlineEntry> entry, int pid) : entry_(std::move(entry)), pid_(pid) {}
    std::shared_ptr<detail::InlineEntry> entry_;
    int pid_ = 0;
};

/// A request to the terminal and how to know its reply: what InputDevice::query() sends.
struct TerminalQuery {
    /// The bytes to write, e.g. "\x1b[?6n".
    std::string request;
    /// True for the event that answers the request. Called on the poller thread with each
    /// decoded event while the query waits: it must be quick and must not block.
    std::function<bool(const Event&)> is_reply;
    /// How long to wait for the reply.
    std::chrono::milliseconds timeout{500};
    /// Follow the request with DA1 (`CSI c`), which every terminal answers: when its reply
    /// comes first the terminal does not know the request, and the query ends at once instead
    /// of waiting for the timeout. Its reply is taken out of the stream too. Turn it off only
    /// for a request whose own reply is DA1's.
    bool sentinel = true;
};

/// The colours a terminal reports with OSC 10, 11 and 12.
enum class TerminalColor : std::uint8_t {
    foreground = 10,  ///< OSC 10: default text
    background = 11,  ///< OSC 11: default background
    cursor = 12,      ///< OSC 12: the text cursor
};

/// What InputDevice::open() reads, and how: the terminal, its modes, the decoder and the channel.
struct DeviceOptions {
    /// The file descriptor to read. -1: standard input if it is a terminal, else /dev/tty.
    /// The device reads its own open file description (it re-opens the terminal by name, and on
    /// Linux anything else through /proc/self/fd/N), so the caller's file status flags are
    /// never changed; where that is impossible (a socket; on the portable backend anything but
    /// a terminal) the description is shared while the device reads, O_NONBLOCK set on it, and
    /// the flags it had are put back when the poller stops.
    int fd = -1;
    /// Terminfo entry for terminal-specific keys, and for the keypad-transmit bytes that go with
    /// them (TerminalModes::keypad_transmit); empty: $TERM. Unknown entries fall back to the
    /// built-in grammar, without keypad transmit (see DeviceStatus::terminfo_diagnostic).
    std::string term;
    DecoderOptions decoder;  ///< options of the poller's decoder
    ChannelOptions channel;  ///< options of the channel the poller broadcasts on
    /// Terminal modes set on open and restored on close (and on signals; see TerminalModes).
    /// Applied only when the input is a terminal; nullopt leaves the terminal alone.
    std::optional<TerminalModes> terminal = TerminalModes{};
    /// Precede the events with RawEvents holding the bytes they were decoded from (see
    /// RawEvent). For diagnostics: the poller then feeds the decoder one byte at a time.
    bool raw_bytes = false;
    /// Where the ESC timeout comes from (README "Talking to the terminal").
    enum class EscTimeout : std::uint8_t {
        /// decoder.esc_timeout, as given.
        fixed,
        /// The ESCDELAY environment variable, in milliseconds as ncurses reads it (0..10000),
        /// when it is set to such a number; else decoder.esc_timeout.
        environment,
        /// As `environment` when ESCDELAY is set; else decoder.esc_timeout until a
        /// query_capabilities() whose first round is answered, then adaptive_esc_timeout() of
        /// its round trip.
        adaptive,
    };
    EscTimeout esc_timeout = EscTimeout::environment;  ///< where the ESC timeout comes from
    /// With TerminalModes::keyboard Keyboard::automatic: open() runs query_capabilities() with
    /// this timeout before it chooses (a silent terminal costs it once, then gets legacy keys).
    std::chrono::milliseconds probe_timeout{500};
};

/// What InputDevice::status() reports: the poller thread and the device slot, for tests and
/// diagnostics.
struct DeviceStatus {
    bool running = false;             ///< a poller thread is running (not exiting)
    std::uint64_t generation = 0;     ///< number of the latest poller generation (1, 2, ...)
    std::size_t receivers = 0;        ///< receivers subscribed right now
    bool device_open = false;         ///< an InputDevice exists
    bool suspended = false;           ///< the terminal is released (suspend() without resume())
    std::uint64_t unclean_loops = 0;  ///< generations whose uv_loop_close did not return 0
    /// Why the key table is the built-in one, when DeviceOptions::term (or $TERM) names a
    /// terminfo entry that could not be loaded; empty when it loaded.
    std::string terminfo_diagnostic;
};

/// The process's input device (see the top of this file): one open at a time, a move-only
/// handle whose destructor closes it.
class InputDevice {
public:
    /// Opens the device. Throws std::system_error with std::errc::device_or_resource_busy if
    /// an InputDevice is already open in this process, or if a poller still running for other
    /// receivers reads a different terminal; with the errno of the failure and a message naming
    /// what was tried if there is no terminal to read ("vtinput: cannot open the terminal
    /// (/dev/tty): No such device or address") or DeviceOptions::fd cannot be used, or a set-up
    /// step fails (no free fd: EMFILE, naming the step; no thread: EAGAIN, "cannot start the
    /// input poller thread"; no memory: std::errc::not_enough_memory); with
    /// std::errc::operation_not_supported in a fork() child (see above). A failed open leaves
    /// no fd, thread or receiver behind and the terminal as it was. Blocking: at most while a
    /// previous poller (also one that read another terminal and has no receiver left) finishes
    /// exiting.
    static InputDevice open(DeviceOptions options = {});

    ///@{
    /// Moves the device (assigning first closes this one); the moved-from device is closed.
    InputDevice(InputDevice&&) noexcept;
    InputDevice& operator=(InputDevice&&) noexcept;
    ///@}
    InputDevice(const InputDevice&) = delete;
    InputDevice& operator=(const InputDevice&) = delete;
    ~InputDevice();  ///< drops the device's receiver and frees the slot

    /// The device's own receiver.
    Receiver& events() { return receiver_; }
    /// events().receive(): blocks until an event arrives, nullopt at the end of the stream.
    std::optional<Event> receive() { return receiver_.receive(); }
    /// events().try_receive(): does not block.
    std::optional<Event> try_receive() { return receiver_.try_receive(); }
    /// events().receive_for(timeout).
    template <class Rep, class Period>
    std::optional<Event> receive_for(std::chrono::duration<Rep, Period> timeout)
    {
        return receiver_.receive_for(timeout);
    }

    /// Another receiver of the same events. Throws as open() does for set-up failures (when no
    /// poller runs, this starts one). Thread: any.
    Receiver subscribe();

    /// The events with no hand-off to another thread: the input thread calls `handler` with
    /// each batch it publishes (what one read produced), in order, right after publishing it,
    /// so an application that acts on events pays no thread wake-up. It sees exactly what a
    /// receiver sees (LaggedEvent, collapsed resizes, EofEvent) and counts as one: the device
    /// keeps reading for it. Receivers on other threads keep working beside it; several
    /// handlers run one after the other, in the order subscribed.
    ///
    /// Rules, since the handler runs on the thread that reads the terminal:
    /// - Do not block: while it runs, nothing is read and no receiver gets anything. Writing a
    ///   short reply to the terminal is fine; a long computation or a blocking receive() is
    ///   not (hand those to a thread of your own).
    /// - Do not wait for the input thread: query(), the query helpers, query_capabilities(),
    ///   suspend() and with_terminal_released() throw std::system_error (resource_deadlock_would_occur) from
    ///   inside a handler, as does subscribe_inline(). try_receive on any receiver, subscribe(),
    ///   size() and ending any InlineSubscription (its own included) are fine.
    /// - Do not throw: an exception ends that handler's subscription, and every receiver and
    ///   the other handlers get an ErrorEvent saying so.
    /// Throws as subscribe() does; std::errc::invalid_argument for an empty handler. Thread: any.
    InlineSubscription subscribe_inline(std::function<void(std::span<const Event>)> handler);
    /// As above, from `receiver`'s place in the stream: what it has not yet received goes to
    /// the handler first (for a program that receives, then hands over). `receiver` is one of
    /// this device's (events(), moved, or from subscribe()); std::errc::invalid_argument if not.
    InlineSubscription subscribe_inline(Receiver receiver, std::function<void(std::span<const Event>)> handler);

    /// Snapshot of the poller's state, for tests and diagnostics. Thread: any.
    static DeviceStatus status();

    /// Drops the device's receiver and frees the slot now, as the destructor does; ends a
    /// suspension (the terminal stays as it is; other receivers are read for again).
    /// Idempotent.
    void close() noexcept;
    /// Not closed (nor moved from).
    bool is_open() const { return open_; }

    /// The terminal guard, when the device manages the terminal's modes; else nullptr.
    const TerminalGuard* terminal() const { return guard_.get(); }

    /// The terminal's size now, as a ResizeEvent carries it (columns, rows, and pixels where the
    /// terminal reports them); nullopt when the input is not a terminal. No ResizeEvent comes at
    /// open: ask here, then follow the ResizeEvents. Thread: any; does not block (it may open
    /// the terminal for a moment when the device keeps no fd of it).
    std::optional<ResizeEvent> size() const;

    /// Hands the terminal to another program (a child process, a shell) until resume(). Returns
    /// once the poller has stopped reading the terminal, for every receiver (the device's and
    /// every subscriber's, which all stay subscribed), and the terminal's modes are as they were
    /// before open() (TerminalGuard::suspend). Until resume(), vtinput reads no byte: whatever
    /// is typed waits in the terminal for the program that reads it. What vtinput read before
    /// the call was typed for the application: it is decoded and delivered before this returns,
    /// an incomplete sequence resolved as at the end of input (a lone ESC is Escape), so nothing
    /// read before is joined with what is read after. Typeahead: keys typed together with the
    /// key that made the application call this are the application's if the poller read them
    /// with that key (they are then in the channel, right after it), else the other program's.
    /// Throws std::system_error: bad_file_descriptor if the device is closed,
    /// operation_not_supported in a fork() child. Idempotent. Blocks while the poller finishes
    /// the batch in hand. Thread: the device's owner.
    void suspend();
    /// Takes the terminal back: the modes are set again (TerminalGuard::resume, which saves the
    /// terminal's settings anew) and reading resumes. Every receiver then gets a ResizeEvent
    /// with the terminal's size (the cue to redraw), before the events of anything typed after.
    /// Throws std::system_error if the modes cannot be set (the device then stays suspended and
    /// reads nothing; call resume() again or close()). Idempotent. Thread: the device's owner.
    void resume();
    /// Between suspend() and resume().
    bool suspended() const { return suspended_; }
    /// suspend(), fn(), resume(); resume() also when fn throws (a failure to resume is then
    /// dropped for fn's exception). Returns what fn returns.
    template <class F>
    std::invoke_result_t<F&> with_terminal_released(F&& fn);

    /// Asks the terminal what it supports (see capabilities.hpp) and waits for the answers, at
    /// most `timeout`. The replies are taken out of the event stream: no receiver sees them.
    /// Keys typed meanwhile are delivered as usual. Needs the terminal in raw mode under this
    /// device (DeviceOptions::terminal with raw set) and not released (suspend); otherwise
    /// returns status `unavailable` at once. Replies that arrive after the timeout reach receivers as ReportEvents.
    /// Thread: the device's owner; blocks the caller only.
    const Capabilities& query_capabilities(std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    /// The result of the last query (status `not_queried` before the first).
    const Capabilities& capabilities() const { return capabilities_; }
    /// The ESC timeout in effect (DeviceOptions::esc_timeout says where it came from).
    std::chrono::milliseconds esc_timeout() const;
    /// The keyboard protocol in effect: under Keyboard::automatic the one open() chose, with the
    /// kitty flags the terminal granted; else what TerminalModes set (legacy without a
    /// terminal under this device).
    const KeyboardProtocol& keyboard() const { return keyboard_; }

    /// Writes `q.request` to the terminal and waits for the event `q.is_reply` accepts, which
    /// is then taken out of the stream: no receiver sees it. Keys typed meanwhile reach the
    /// receivers as usual, in order. Several queries may be in flight at once, from any
    /// threads: terminals answer in order, so each reply goes to the oldest waiting query that
    /// accepts it. nullopt when no reply came within `q.timeout`, or when the terminal answered
    /// the sentinel first (it does not know the request). A reply that arrives after its query
    /// gave up reaches the receivers as the ReportEvent (or other event) it is, never as keys.
    /// Throws std::system_error: operation_not_supported unless the input is a terminal in raw
    /// mode under this device and not released (as for query_capabilities), or the errno of a
    /// failed write. Thread: any, while the device is open (not concurrently with close(),
    /// suspend() or resume()); blocks the caller only.
    std::optional<Event> query(const TerminalQuery& q);

    ///@{
    /// Typed queries, on query(). Each returns nullopt when the terminal did not answer (or
    /// does not know the request) within `timeout`, and throws as query() does.
    ///
    /// The cursor position, 1-based: DECXCPR (`CSI ? 6 n`, whose reply `CSI ? r ; c R` no key
    /// resembles); where the terminal does not know it, the plain CPR (`CSI 6 n`), whose reply
    /// `CSI 1 ; m R` is read as the position even where it could be a modified F3 (a real F3
    /// typed in that moment would be taken for the reply: the reason DECXCPR goes first).
    std::optional<CursorPositionEvent>
    cursor_position(std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    /// A colour (OSC 10/11/12 with `?`).
    std::optional<Rgb> query_color(TerminalColor which,
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    /// Palette entry `index` (OSC 4), 0..255.
    std::optional<Rgb> query_palette(int index, std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    /// A DEC private mode's state (DECRQM `CSI ? m $ p`); ModeSupport::unknown when no answer.
    ModeSupport query_mode(int mode, std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    /// Terminfo capabilities by name, as the terminal itself knows them (XTGETTCAP): each name
    /// asked on its own (kitty and foot answer one name a reply) and matched by name, all
    /// within `timeout`. The reply holds what came; invalid if any name was unknown.
    std::optional<TermcapReply> query_termcap(const std::vector<std::string>& names,
                                              std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    /// One cell's size in pixels (`CSI 16 t`).
    std::optional<PixelSize> query_cell_pixels(std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    /// The text area's size in pixels (`CSI 14 t`).
    std::optional<PixelSize> query_window_pixels(std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    /// The kitty keyboard flags in effect (`CSI ? u`); nullopt where the protocol is unknown.
    std::optional<unsigned> query_kitty_flags(std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
    ///@}

private:
    InputDevice(Receiver receiver, DeviceOptions options);
    // Throws unless the device is open, in the process that opened it.
    void check_usable(const char* what) const;
    // The terminal a query writes to; throws operation_not_supported when there is none
    // (not a raw terminal under this device, or released).
    int query_fd(const char* what) const;
    // $TERM, or DeviceOptions::term: what the probe tailors its requests to.
    std::string term_name() const;
    // Keyboard::automatic, after open() took the terminal: probe, choose, set, ask what was granted.
    void negotiate_keyboard();

    Receiver receiver_;
    DeviceOptions options_;
    std::unique_ptr<TerminalGuard> guard_;
    Capabilities capabilities_;
    KeyboardProtocol keyboard_;
    int tty_fd_ = -1;  // owned: the terminal the guard writes to, when we opened it
    int pid_ = 0;      // the process that opened the device
    bool open_ = false;
    bool suspended_ = false;
};

template <class F>
std::invoke_result_t<F&> InputDevice::with_terminal_released(F&& fn)
{
    suspend();
    struct Resume {
        InputDevice& device;
        bool done = false;
        ~Resume()
        {
            if (!done) {
                try {
                    device.resume();
                } catch (...) {}
            }
        }
    } resume_on_unwind{*this};
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        std::invoke(fn);
        resume_on_unwind.done = true;
        resume();
    } else {
        std::invoke_result_t<F&> result = std::invoke(fn);
        resume_on_unwind.done = true;
        resume();
        return result;
    }
}

}  // namespace vtinput
