// The one decoding checker, shared by the decoder tests, the hostile-input catalogue and the
// fuzz target, and the decoding helpers it is made of.
//
// check_decoding decodes one input in many ways and checks the properties the README's
// "Decoder" section promises:
//   - exact events: the input fed whole and finish()ed gives the expected events, when given;
//   - split invariance: the same events fed byte by byte, cut once at every byte boundary
//     (short inputs; random boundaries for long ones), and in chunks (one chunking read from
//     the input's first bytes, which a fuzzer steers, and others at random);
//   - hand-over: the same events when each piece goes to a fresh decoder that first receives
//     the previous one's take_pending(), which leaves that one empty (no pending bytes, no
//     deadline, nothing left for finish());
//   - bounds: pending_bytes() within pending_bound() after every feed and flush, nothing held
//     after finish(), and never more raw bytes in the events than in the input;
//   - deadlines: fed at increasing times with flush() between feeds, a flush at the deadline
//     resolves everything (the events may differ from the others: time has passed);
//   - resumption: a decoder that has decoded the input and finished decodes a sentinel as a
//     fresh decoder does;
//   - fast paths: everything again with the decoder's inline fast paths off
//     (decode/fast_paths.hpp), which must give the events of the fast paths on.
// Every property is one verdict (passed, or the first breach described) handed to an Expect:
// a doctest assertion in the unit suites (doctest_checks.hpp), an abort in the fuzz target.
// Time enters only as explicit time points from t0; nothing reads a clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/keymap.hpp"

namespace vtinput::test {

// An arbitrary fixed time point; the decoder only ever compares times it was given.
inline const Decoder::clock::time_point t0 = Decoder::clock::time_point{} + std::chrono::hours(1);

// How a decoder is made: options, key map, and whether its fast paths are on. Converts from
// DecoderOptions, so `decode_whole(input, options)` reads as it should.
struct Setup {
    Setup(DecoderOptions o = {}, std::shared_ptr<const KeyMap> km = nullptr, bool fast = true)
        : options(o), keymap(std::move(km)), fast_paths(fast)
    {}
    DecoderOptions options;
    std::shared_ptr<const KeyMap> keymap;
    bool fast_paths;
};

Decoder make_decoder(const Setup& setup);

// DecoderOptions with the three caps given, everything else default.
DecoderOptions caps(std::size_t csi, std::size_t string, std::size_t paste);

// What a decoder may hold at any moment: one incomplete CSI/SS3 (plus an Alt ESC before it),
// a string (plus an ESC that may start its ST), or a paste part short of its cap (plus a
// possible end marker short of its last byte). Only one is in use at a time.
std::size_t pending_bound(const DecoderOptions& o);

// Bytes the events carry raw (unknown bytes, paste and report text): never more than the input.
std::size_t raw_bytes(const std::vector<Event>& events);

struct Decoded {
    std::vector<Event> events;
    std::size_t most_pending = 0;         // the largest pending_bytes() seen after a feed
    bool clean_after_finish = false;      // nothing held and no deadline after finish()
    bool emptied_by_take_pending = true;  // hand-over only: every take_pending() left its decoder empty
};

// Feeds `input` in pieces cut at `cuts` (ascending, inside the input), all at t0, then finish().
Decoded decode_pieces(std::string_view input, const std::vector<std::size_t>& cuts, const Setup& setup = {});
Decoded decode_whole(std::string_view input, const Setup& setup = {});
Decoded decode_bytewise(std::string_view input, const Setup& setup = {});

// The same pieces, each to a fresh decoder that first receives the previous decoder's
// take_pending() on its own (one more split point): what one poller generation hands the next.
Decoded decode_handed_over(std::string_view input, const std::vector<std::size_t>& cuts, const Setup& setup = {});

// How hard check_decoding works on one input. The defaults are the table rows' plan.
struct Plan {
    // Fed one byte a feed up to this size.
    std::size_t bytewise_max = std::numeric_limits<std::size_t>::max();
    // Handed over in a chain, a fresh decoder after every byte, up to this size; beyond it
    // after every chunk read from the input, up to handover_chunks_max (each hand-over copies
    // what is pending, up to a cap: a chain over a long input costs its length times that).
    std::size_t handover_bytewise_max = 600;
    std::size_t handover_chunks_max = std::size_t{1} << 14;
    // Cut once, and handed over once, at every byte boundary up to this size; beyond it at
    // `random_cuts` random boundaries.
    std::size_t every_cut_max = 600;
    int random_cuts = 16;
    // Chunkings at random, of 1..max_chunk bytes (at most a third of the input, so that short
    // inputs are cut in several places too), besides the one read from the input.
    int random_chunkings = 6;
    std::size_t max_chunk = 97;
    // With the fast paths off: every check again, or (false, for the fuzz target's budget)
    // only the whole input and the chunking read from the input.
    bool fast_off_every_check = true;
};

// Receives one verdict per property: `ok`, and when not, what was breached where.
using Expect = void (*)(bool ok, const std::string& failure);

// Checks `input` under `setup` (its fast_paths is ignored: both settings are checked) and
// returns the events of the whole input with the fast paths on. `want`, when given, are the
// exact events expected.
std::vector<Event> check_decoding(std::string_view input, const Setup& setup, const Plan& plan, Expect expect,
                                  const std::vector<Event>* want = nullptr);

}  // namespace vtinput::test
