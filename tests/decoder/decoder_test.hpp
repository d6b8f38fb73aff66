// What the decoder test files share (one doctest binary, decoder_test, suite "decoder"):
// table rows, and decoding to the docs/json-schema.md JSON form at the fixed time point t0.
//
// Expectations are the JSON form (vtinput::to_json), one object per event joined by a single
// space, so a table row reads like the wire: {"\x1b[1;5A", R"({"type":"key",...})"}. Inputs
// are decoded as a whole at one time point and then finish()ed: every pending ESC or partial
// sequence is resolved as if its deadline had passed. The properties every row must also have
// (split invariance, hand-over, bounds, fast paths on and off) are checked by
// tests/support/decoding.hpp.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/decoding.hpp"
#include "support/events.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"
#include "vtinput/keymap.hpp"

namespace vtinput::test {

enum class Opt { none, pixels, utf8 };

inline DecoderOptions options_for(Opt o)
{
    DecoderOptions d;
    d.mouse_pixels = o == Opt::pixels;
    d.mouse_utf8 = o == Opt::utf8;
    return d;
}

struct Row {
    std::string_view in;
    std::string_view want;
    Opt opt = Opt::none;
};

inline std::string context(const Row& r) { return "input " + hex(r.in); }

// Feeds `input` in the pieces given by the cut positions (ascending, inside the input), all
// at t0, then finish().
inline std::vector<Event> decode_cuts(std::string_view input, const std::vector<std::size_t>& cuts,
                                      const DecoderOptions& o = {}, std::shared_ptr<const KeyMap> km = nullptr)
{
    return decode_pieces(input, cuts, Setup(o, std::move(km))).events;
}

inline std::vector<Event> decode(std::string_view input, const DecoderOptions& o = {},
                                 std::shared_ptr<const KeyMap> km = nullptr)
{
    return decode_cuts(input, {}, o, std::move(km));
}

inline std::string decode_json(std::string_view input, const DecoderOptions& o = {},
                               std::shared_ptr<const KeyMap> km = nullptr)
{
    return json(decode(input, o, std::move(km)));
}

// What a poller generation hands to the next, cut at `cut`, as JSON.
inline std::string decode_handed_over_json(std::string_view input, std::size_t cut, const DecoderOptions& o)
{
    return json(decode_handed_over(input, {cut}, o).events);
}

}  // namespace vtinput::test
