// libFuzzer target for the decoder, and (through replay_main.cpp) a regression test that
// replays the corpus under any compiler.
//
// The whole input is one terminal byte stream, checked by the tests' one decoding checker
// (tests/support/decoding.hpp) under the two setups of tests/support/corpus.hpp (tiny caps;
// mouse options and a KeyMap) within the fuzz budget (fuzz_plan: byte by byte only up to 128
// bytes, otherwise chunk sizes read from the input's first bytes, so the fuzzer steers the
// cuts). What it requires:
//   (a) no crash, no sanitizer report (the libFuzzer build has ASan and UBSan);
//   (b) pending_bytes() within the caps after every feed and flush;
//   (c) the same events whole, split, and handed over through take_pending();
//   (d) no more raw bytes in the events than in the input;
//   (e) finish() leaves nothing pending, and a flush at the deadline resolves everything;
//   (f) after finish() the decoder decodes a sentinel as a fresh one does;
//   (g) the same events with the decoder's fast paths off, whole and split.
// A breach prints the property, the decoding and the input on stderr and aborts. Every event
// is also formatted in its human and JSON forms, so the event formatters are exercised too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "support/corpus.hpp"
#include "support/decoding.hpp"
#include "vtinput/event.hpp"

namespace {

void abort_on_breach(bool ok, const std::string& failure)
{
    if (!ok) {
        std::fprintf(stderr, "decoder_fuzz: invariant breached: %s\n", failure.c_str());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) {
        return 0;
    }
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    static const vtinput::test::Plan plan = vtinput::test::fuzz_plan();
    std::string text;
    for (const vtinput::test::Setup& setup : vtinput::test::fuzz_setups()) {
        for (const vtinput::Event& e : vtinput::test::check_decoding(in, setup, plan, abort_on_breach)) {
            text.clear();
            vtinput::append_human(text, e);
            vtinput::append_json(text, e);
        }
    }
    return 0;
}
