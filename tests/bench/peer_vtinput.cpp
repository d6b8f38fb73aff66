// vtinput as a peer of the shared benchmark harness (../shared/bench/common.h): the same
// corpus loading, repetitions and result line as floor_fsm, libtermkey and libtickit, so that
// run_all.sh-style callgrind runs (`--toggle-collect=bench_parse`) measure it the same way.
//
//   peer_vtinput CORPUS [--reps N] [--limit BYTES] [--chunk BYTES]   (default chunk 4096)
//
// bench_parse feeds the corpus in chunks (as a reader thread would, like peer_termkey) to a
// Decoder with default options, finishes it, and classifies each event into tally_t; a paste
// delivered in several parts counts as one event, as in counts.json.
#include <cstddef>
#include <string_view>
#include <variant>

#include "vtinput/decoder.hpp"

// common.h is C written for the C peers (old-style casts, implicit conversions); it is on the
// include path as a system header so the project's warnings stay on for this file only.
#include "common.h"

namespace {

// Classifies like the C peers' classify(): a switch on the variant's index rather than
// std::visit, so the per-event cost charged to bench_parse is the decoder's, not the tally's.
struct TallySink final : vtinput::EventSink {
    explicit TallySink(tally_t* t) : tally(t) {}

    void on_event(vtinput::Event&& e) override
    {
        if (const auto* k = std::get_if<vtinput::KeyEvent>(&e)) {
            ++tally->events;
            ++(vtinput::is_char(k->key) ? tally->text : tally->named);
        } else if (const auto* m = std::get_if<vtinput::MouseEvent>(&e)) {
            ++tally->events;
            ++tally->mouse;
            count_mouse(m->action);
        } else if (const auto* p = std::get_if<vtinput::PasteEvent>(&e)) {
            if (!p->continued) {
                ++tally->events;
                ++tally->paste;
            }
        } else if (std::holds_alternative<vtinput::UnknownEvent>(e)) {
            ++tally->events;
            ++tally->unknown;
        } else {
            ++tally->events;
            ++tally->other;
        }
    }

    void count_mouse(vtinput::MouseAction a)
    {
        switch (a) {
        case vtinput::MouseAction::press: ++tally->m_press; break;
        case vtinput::MouseAction::release: ++tally->m_release; break;
        case vtinput::MouseAction::drag: ++tally->m_drag; break;
        case vtinput::MouseAction::move: ++tally->m_move; break;
        case vtinput::MouseAction::scroll: ++tally->m_scroll; break;
        }
    }

    tally_t* tally;
};

void* setup() { return new vtinput::Decoder(); }

void teardown(void* ctx) { delete static_cast<vtinput::Decoder*>(ctx); }

}  // namespace

extern "C" __attribute__((noinline)) void bench_parse(void* ctx, const unsigned char* buf, std::size_t len,
                                                      std::size_t chunk, tally_t* t)
{
    auto& decoder = *static_cast<vtinput::Decoder*>(ctx);
    TallySink sink(t);
    // A fixed time point: every byte arrives at once, and no clock read is measured.
    const vtinput::Decoder::clock::time_point now{};
    const char* bytes = reinterpret_cast<const char*>(buf);
    for (std::size_t off = 0; off < len; off += chunk) {
        std::size_t n = len - off < chunk ? len - off : chunk;
        decoder.feed(std::string_view(bytes + off, n), now, sink);
    }
    decoder.finish(sink);
}

int main(int argc, char** argv) { return run_inprocess("vtinput", argc, argv, 4096, setup, bench_parse, teardown); }
