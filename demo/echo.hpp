// What the parts of vtinput-echo share. One file per job:
//   main.cpp       main: the arguments, then replay or live mode
//   arguments.cpp  the command line (arguments.hpp: Options, parse_args)
//   replay.cpp     --replay: decodes a recording (timed, made with --record) or plain bytes
//   record.cpp     --record: the recording format (docs/record-format.md), written and read
//   session.cpp    live mode, shared by the line output and the screen: the device, the extra
//                  receivers, the capability query, and how a session ends (QuitKeys, Stop)
//   lines.cpp      the line output of live mode, and the line format
//   tui.cpp        --tui, the ncurses screen
#pragma once

#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "arguments.hpp"
#include "vtinput/capabilities.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/input_device.hpp"
#include "vtinput/keymap.hpp"

namespace demo {

// ---- replay.cpp ---------------------------------------------------------------------------

// Decodes the recording o.replay names ("-": standard input) and prints its events. Returns
// the exit status: 0, or 2 when the recording cannot be read.
int run_replay(const Options& o);

// ---- record.cpp ---------------------------------------------------------------------------

class Stop;

// The recording format, version 1 (docs/record-format.md): a header line
// "vtinput-record 1[ key=value]...", then one line per record, "MICROSECONDS HEX": the time
// since the recording started, in decimal, and the bytes read, in hexadecimal. Blank lines and
// lines that start with '#' are comments.
inline constexpr std::string_view k_record_magic = "vtinput-record";
inline constexpr int k_record_version = 1;

// The header line, read. `term` is empty when the recording names no terminfo entry;
// `decoder` holds the options the live decoder had that the header names (mouse-pixels=1).
struct RecordHeader {
    int version = 0;
    std::string term;
    vtinput::DecoderOptions decoder;
};

// One record: when the bytes came, and the bytes.
struct Record {
    std::chrono::microseconds time{0};
    std::string bytes;
};

// Whether `start` (the first bytes of a file, fewer if the file is that short) begins like a
// recording: the magic word and a space. False says it is plain bytes.
bool looks_like_recording(std::string_view start);

// Parses the header line (without its newline). Returns an empty string, or what is wrong
// with it ("unsupported version 2: ..."). Fields a version-1 reader does not know are ignored.
std::string parse_record_header(std::string_view line, RecordHeader& header);

// A blank line or a comment: nothing to feed.
struct Comment {};

// What is wrong with a line, and where: `column` counts from 1 (0: the whole line). Printed
// as compilers do, "FILE:LINE:COLUMN: message", which editors can jump to.
struct LineProblem {
    std::size_t column = 0;
    std::string message;
};

// Parses a line after the header (without its newline). `previous` is the time of the record
// before (times never go back).
std::variant<Record, Comment, LineProblem> parse_record_line(std::string_view line, std::chrono::microseconds previous);

// The key table of terminfo entry `term`; when the entry cannot be loaded, the built-in
// grammar's, as the device does, after saying so on stderr if `tell`.
std::shared_ptr<const vtinput::KeyMap> load_keymap(const std::string& term, bool tell);

// Honours every deadline of `decoder` at or before `now`, each with flush(deadline), as the
// device's timer would have before input that arrived at `now`. Returns the last deadline
// honoured; nullopt when none was due.
std::optional<vtinput::Decoder::clock::time_point>
flush_until(vtinput::Decoder& decoder, vtinput::Decoder::clock::time_point now, vtinput::EventSink& sink);

// --record FILE: writes the RawEvents of its own receiver to FILE, one record per RawEvent,
// stamped with the time the recorder received them (the device gives the bytes no time of
// their own; docs/record-format.md says what that costs), or earlier for input that only an
// ESC or stale timeout resolved (see Recorder::stamp). Each batch of records is written with
// write(2) as it arrives, so a crash loses nothing written before it.
class Recorder {
public:
    // Creates (or truncates) `path` and writes the header, which names `term`. Throws
    // std::system_error naming the file when it cannot be created or written.
    // The header also names what the replay's decoder needs to decode as the device's did:
    // o.term and, with --pixels, mouse-pixels=1.
    Recorder(const std::string& path, const Options& o);
    ~Recorder();  // finish(), then closes the file
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    // Time zero of the recording is now. Starts a thread that records what `receiver` gets
    // (the device must deliver RawEvents: DeviceOptions::raw_bytes) until `stop` is requested.
    // Failures to write are told once (notice) and end the recording, not the session.
    void start(vtinput::Receiver receiver, const Stop& stop, const Options& o);
    // Requests the stop, lets the thread write what its receiver still holds, and joins it.
    // Idempotent.
    void finish();

private:
    void run(vtinput::Receiver& receiver, const Stop& stop, const Options& o);
    std::chrono::microseconds stamp(std::string_view bytes, std::chrono::microseconds received);
    bool write_all(std::string_view text);

    std::string path_;
    int fd_ = -1;  // owned
    std::chrono::steady_clock::time_point start_;
    // The replay's decoder, fed what has been recorded at the recorded times: it tells which
    // records only a timeout resolved (stamp).
    vtinput::DecoderOptions options_;
    std::string term_;
    std::shared_ptr<const vtinput::KeyMap> keymap_;
    std::optional<vtinput::Decoder> shadow_;
    std::chrono::microseconds last_{0};  // the time of the last record
    const Stop* stop_ = nullptr;         // borrowed from start() until finish()
    std::thread thread_;
};

// ---- session.cpp --------------------------------------------------------------------------

// Opens the device and runs the line output or the screen until the session ends. Returns the
// exit status: that of run_lines / run_tui, or 2 when the device cannot be opened (no terminal
// to read). When a signal ended the session, raises it again once the terminal is restored.
// Other failures throw.
int run_live(const Options& o);

// Ctrl+C twice in a row quits. Only key presses count: releases, repeats and the modifier
// keys themselves (which the kitty protocol reports as keys) neither count nor reset, so the
// rule is the same whether the terminal sends 0x03 or a kitty CSI u sequence. Mouse and other
// events do not reset it either: with motion tracking on, the hand on the mouse would.
class QuitKeys {
public:
    enum class Step { other, first, quit };  // first: the caller says "press Ctrl+C again"
    Step offer(const vtinput::Event& event);
    // One Ctrl+C seen: the next one quits.
    bool armed() const { return armed_; }

private:
    bool armed_ = false;
};

// What the user is told about quitting: at the start, and after the first Ctrl+C.
inline constexpr std::string_view k_quit_hint = "press Ctrl+C twice to quit";
inline constexpr std::string_view k_quit_again = "press Ctrl+C again to quit";

// How the program ends from outside the event stream: a byte in a pipe nobody reads. The pipe
// stays readable once written, so every receiver thread sees it in poll(), whenever it looks.
// The constructor installs handlers for SIGINT, SIGTERM and SIGHUP that write it (unless the
// signal is ignored); construct it before opening the InputDevice, so that the device's
// TerminalGuard chains to these handlers (it restores the terminal, calls ours, re-applies
// its modes) instead of letting the default action kill the process. The destructor puts the
// previous handlers back. One Stop per process: a signal handler can only reach it through a
// global.
class Stop {
public:
    Stop();
    ~Stop();
    Stop(const Stop&) = delete;
    Stop& operator=(const Stop&) = delete;

    void request() const;    // async-signal-safe
    bool requested() const;  // non-blocking
    int fd() const { return read_fd_; }
    // The signal that asked for the stop; 0 if none did.
    int signal() const;

private:
    static constexpr int k_signals[] = {SIGINT, SIGTERM, SIGHUP};
    int read_fd_ = -1;
    struct sigaction previous_[std::size(k_signals)] = {};  // what to put back
    bool installed_[std::size(k_signals)] = {};
};

// Blocks until `receiver` has events pending or a stop was requested (the caller looks which).
// Throws std::system_error when the receiver's fd cannot be had or poll() fails.
void wait_for_events(vtinput::Receiver& receiver, const Stop& stop);
// Blocks until the stop pipe is readable.
void wait_for_stop(const Stop& stop);

// A line for the user, prefixed "vtinput-echo: ": on stdout, or on stderr with --json so that
// stdout stays pure JSON lines. Flushed. Callers serialise it with event lines (run_lines).
void notice(const Options& o, std::string_view text);

// ---- lines.cpp ----------------------------------------------------------------------------

// Whether the line output and the screen show `event`: everything but the RawEvents that
// --record asked the device for, unless --raw asked for them too.
bool shown(const Options& o, const vtinput::Event& event);

// Appends one event as a line without the newline: human-readable or JSON (docs/json-schema.md), tagged
// with the receiver number `rx` unless it is 0 ("[rx2] " or an added "rx":2 field).
void append_line(std::string& out, const vtinput::Event& event, bool json, int rx = 0);

// Live line mode: prints every event of the device's receiver (on this thread) and of each of
// `extra` (one thread each) until Ctrl+C twice, end of input, an error or a stop. Returns the
// exit status: 0, or 1 after an ErrorEvent or when stdout cannot be written.
int run_lines(const Options& o, vtinput::InputDevice& device, std::vector<vtinput::Receiver> extra, const Stop& stop);

// ---- tui.cpp ------------------------------------------------------------------------------

// --tui: the same on an ncurses screen, which also shows `caps`. Needs device.terminal().
int run_tui(const Options& o, vtinput::InputDevice& device, const vtinput::Capabilities& caps, const Stop& stop);

}  // namespace demo
