// The decoding checker and its helpers (see decoding.hpp for what is checked).
//
// Every decoding here is deterministic: random cuts come from a generator seeded by the input's
// size, the same for both fast-path settings, so a failure repeats and the two settings are
// compared on the same pieces.
#include "support/decoding.hpp"

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <variant>

#include "decode/fast_paths.hpp"
#include "support/events.hpp"

namespace vtinput::test {

using namespace std::literals;

Decoder make_decoder(const Setup& setup)
{
    Decoder d(setup.options, setup.keymap);
    detail::set_fast_paths(d, setup.fast_paths);
    return d;
}

DecoderOptions caps(std::size_t csi, std::size_t string, std::size_t paste)
{
    DecoderOptions o;
    o.csi_cap = csi;
    o.string_cap = string;
    o.paste_cap = paste;
    return o;
}

std::size_t pending_bound(const DecoderOptions& o)
{
    return std::max({o.csi_cap + 1, o.string_cap + 1, o.paste_cap + 4});
}

std::size_t raw_bytes(const std::vector<Event>& events)
{
    std::size_t n = 0;
    for (const Event& e : events) {
        if (const auto* u = std::get_if<UnknownEvent>(&e)) {
            n += u->bytes.size();
        } else if (const auto* p = std::get_if<PasteEvent>(&e)) {
            n += p->text.size();
        } else if (const auto* c = std::get_if<ClipboardEvent>(&e)) {
            n += c->selection.size() + c->data.size();
        } else if (const auto* r = std::get_if<ReportEvent>(&e)) {
            n += r->text.size();
        }
    }
    return n;
}

namespace {

// Room for the events of most inputs (at most one event a byte, bar a final empty paste part),
// so that collecting them does not move them again and again; capped for long inputs.
std::size_t expected_events(std::string_view input) { return std::min<std::size_t>(input.size() + 1, 4096); }

// Feeds the pieces to `d` and finishes it, recording what decode_pieces reports.
Decoded feed_pieces(Decoder& d, std::string_view input, const std::vector<std::size_t>& cuts)
{
    Decoded r;
    r.events.reserve(expected_events(input));
    std::size_t from = 0;
    auto feed_to = [&](std::size_t to) {
        d.feed(input.substr(from, to - from), t0, r.events);
        r.most_pending = std::max(r.most_pending, d.pending_bytes());
        from = to;
    };
    for (std::size_t to : cuts) {
        feed_to(to);
    }
    feed_to(input.size());
    d.finish(r.events);
    r.clean_after_finish = d.pending_bytes() == 0 && !d.deadline().has_value();
    return r;
}

std::vector<std::size_t> every_boundary(std::size_t size)
{
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < size; ++i) {
        cuts.push_back(i);
    }
    return cuts;
}

}  // namespace

Decoded decode_pieces(std::string_view input, const std::vector<std::size_t>& cuts, const Setup& setup)
{
    Decoder d = make_decoder(setup);
    return feed_pieces(d, input, cuts);
}

Decoded decode_whole(std::string_view input, const Setup& setup) { return decode_pieces(input, {}, setup); }

Decoded decode_bytewise(std::string_view input, const Setup& setup)
{
    return decode_pieces(input, every_boundary(input.size()), setup);
}

Decoded decode_handed_over(std::string_view input, const std::vector<std::size_t>& cuts, const Setup& setup)
{
    Decoded r;
    r.events.reserve(expected_events(input));
    std::string carried;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size(); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : input.size();
        Decoder d = make_decoder(setup);
        d.feed(carried, t0, r.events);
        r.most_pending = std::max(r.most_pending, d.pending_bytes());
        d.feed(input.substr(from, to - from), t0, r.events);
        r.most_pending = std::max(r.most_pending, d.pending_bytes());
        from = to;
        if (i == cuts.size()) {
            d.finish(r.events);
            r.clean_after_finish = d.pending_bytes() == 0 && !d.deadline().has_value();
            break;
        }
        carried = d.take_pending();
        // The emptied decoder has nothing left to say.
        std::vector<Event> left;
        const bool empty = d.pending_bytes() == 0 && !d.deadline().has_value();
        d.finish(left);
        r.emptied_by_take_pending = r.emptied_by_take_pending && empty && left.empty();
    }
    return r;
}

namespace {

// The sentinel a decoder must still decode after any input and finish().
constexpr std::string_view k_sentinel = "\x1b[Az";

// Chunk boundaries whose sizes (1..40) are read in turn from the input's first (up to) eight
// bytes: a fuzzer steers them by mutating those bytes. Short enough to cut inside any CSI,
// string terminator or paste marker.
std::vector<std::size_t> chunks_from_input(std::string_view in)
{
    std::vector<std::size_t> cuts;
    const std::size_t seeds = std::min<std::size_t>(in.size(), 8);
    std::size_t pos = 0;
    for (std::size_t i = 0; seeds > 0; ++i) {
        pos += 1 + (static_cast<unsigned char>(in[i % seeds]) + i) % 40;
        if (pos >= in.size()) {
            break;
        }
        cuts.push_back(pos);
    }
    return cuts;
}

std::vector<std::size_t> random_chunks(std::size_t size, std::size_t max_chunk, std::mt19937& rng)
{
    const std::size_t limit = std::max<std::size_t>(2, std::min(max_chunk, size / 3));
    std::vector<std::size_t> cuts;
    for (std::size_t at = 1 + rng() % limit; at < size; at += 1 + rng() % limit) {
        cuts.push_back(at);
    }
    return cuts;
}

// The properties of one check_decoding call, in the order first checked; each keeps its first
// breach.
class Verdicts {
public:
    explicit Verdicts(std::string context) : context_(std::move(context)) {}

    // `describe` is called only when `ok` is false (and only for the first breach).
    template <class Describe>
    void note(const std::string& property, bool ok, Describe&& describe)
    {
        auto it =
            std::find_if(verdicts_.begin(), verdicts_.end(), [&](const Verdict& v) { return v.property == property; });
        if (it == verdicts_.end()) {
            it = verdicts_.insert(verdicts_.end(), Verdict{property, true, {}});
        }
        if (!ok && it->ok) {
            it->ok = false;
            it->failure = property + ": " + describe() + "; " + context_;
        }
    }

    void report(Expect expect) const
    {
        for (const Verdict& v : verdicts_) {
            expect(v.ok, v.failure);
        }
    }

private:
    struct Verdict {
        std::string property;
        bool ok;
        std::string failure;
    };
    std::string context_;
    std::vector<Verdict> verdicts_;
};

std::string describe_setup(std::string_view input, const Setup& s)
{
    std::string out = "input (" + std::to_string(input.size()) + " bytes): " + hex(input.substr(0, 256)) +
                      (input.size() > 256 ? "..." : "");
    out += "; csi_cap " + std::to_string(s.options.csi_cap) + ", string_cap " + std::to_string(s.options.string_cap) +
           ", paste_cap " + std::to_string(s.options.paste_cap);
    out += s.options.mouse_utf8 ? ", mouse_utf8" : "";
    out += s.options.mouse_pixels ? ", mouse_pixels" : "";
    out += s.keymap ? ", with a key map" : "";
    return out;
}

// One pass of check_decoding with the fast paths as `setup` says. Every decoding must give
// `want`; returns the whole input's events.
class Pass {
public:
    Pass(std::string_view input, const Setup& setup, Verdicts& verdicts)
        : in_(input),
          setup_(setup),
          verdicts_(verdicts),
          bound_(pending_bound(setup.options)),
          label_(setup.fast_paths ? " (fast paths on)" : " (fast paths off)")
    {}

    // The whole input, its bounds, and resumption on the same decoder afterwards.
    std::vector<Event> whole(const std::vector<Event>* want)
    {
        Decoder d = make_decoder(setup_);
        Decoded r = feed_pieces(d, in_, {});
        if (want != nullptr) {
            note(setup_.fast_paths ? "exact events" : "the events of the fast paths on", r.events == *want,
                 [&] { return first_difference(r.events, *want); });
        }
        bounds("whole", r);
        const std::size_t raw = raw_bytes(r.events);
        note("raw bytes conserved", raw <= in_.size(),
             [&] { return std::to_string(raw) + " raw bytes in the events"; });

        std::vector<Event> after;
        d.feed(k_sentinel, t0 + 1s, after);
        d.finish(after);
        const std::vector<Event> fresh = decode_whole(k_sentinel, setup_).events;
        note("resumes after finish", after == fresh, [&] { return first_difference(after, fresh); });
        return std::move(r.events);
    }

    void split(const std::string& property, const std::string& how, const std::vector<std::size_t>& cuts,
               const std::vector<Event>& want)
    {
        equal(property, how, decode_pieces(in_, cuts, setup_), want);
    }

    void hand_over(const std::string& property, const std::string& how, const std::vector<std::size_t>& cuts,
                   const std::vector<Event>& want)
    {
        const Decoded r = decode_handed_over(in_, cuts, setup_);
        equal(property, how, r, want);
        note("take_pending() leaves its decoder empty", r.emptied_by_take_pending, [&] { return how; });
    }

    // Fed in the given pieces at increasing times, 0..255 ms apart (read from the input),
    // with flush() before each feed: only the bounds, since deadlines may pass.
    void timed(const std::vector<std::size_t>& cuts)
    {
        Decoder d = make_decoder(setup_);
        std::vector<Event> out;
        auto now = t0;
        std::size_t from = 0;
        bool bounded = true;
        bool resolved = true;
        for (std::size_t i = 0; i <= cuts.size(); ++i) {
            const std::size_t to = i < cuts.size() ? cuts[i] : in_.size();
            now += std::chrono::milliseconds(static_cast<unsigned char>(in_[from]));
            const auto due = d.deadline();
            d.flush(now, out);
            bounded = bounded && d.pending_bytes() <= bound_;
            resolved = resolved && (!due || *due > now || (d.pending_bytes() == 0 && !d.deadline()));
            d.feed(in_.substr(from, to - from), now, out);
            bounded = bounded && d.pending_bytes() <= bound_;
            from = to;
        }
        if (const auto due = d.deadline()) {
            d.flush(*due, out);
            resolved = resolved && d.pending_bytes() == 0 && !d.deadline();
        }
        d.finish(out);
        note("pending within the bound after every feed and flush", bounded, [] { return "fed with time passing"s; });
        note("a flush at the deadline resolves everything", resolved, [] { return "fed with time passing"s; });
        note("nothing pending after finish()", d.pending_bytes() == 0 && !d.deadline(),
             [] { return "fed with time passing"s; });
        const std::size_t raw = raw_bytes(out);
        note("raw bytes conserved", raw <= in_.size(),
             [&] { return std::to_string(raw) + " raw bytes in the events, fed with time passing"; });
    }

private:
    template <class Describe>
    void note(const std::string& property, bool ok, Describe&& describe)
    {
        verdicts_.note(property + label_, ok, describe);
    }

    void bounds(const std::string& how, const Decoded& r)
    {
        note("pending within the bound after every feed and flush", r.most_pending <= bound_, [&] {
            return how + ": pending_bytes() reached " + std::to_string(r.most_pending) + " > " + std::to_string(bound_);
        });
        note("nothing pending after finish()", r.clean_after_finish, [&] { return how; });
    }

    void equal(const std::string& property, const std::string& how, const Decoded& r, const std::vector<Event>& want)
    {
        note(property, r.events == want, [&] { return how + ": " + first_difference(r.events, want); });
        bounds(how, r);
    }

    std::string_view in_;
    const Setup& setup_;
    Verdicts& verdicts_;
    std::size_t bound_;
    std::string label_;
};

}  // namespace

std::vector<Event> check_decoding(std::string_view input, const Setup& setup, const Plan& plan, Expect expect,
                                  const std::vector<Event>* want)
{
    Verdicts verdicts(describe_setup(input, setup));
    const std::size_t n = input.size();
    const std::vector<std::size_t> from_input = chunks_from_input(input);
    std::vector<Event> reference;
    for (bool fast : {true, false}) {
        Setup s = setup;
        s.fast_paths = fast;
        Pass pass(input, s, verdicts);
        if (fast) {
            reference = pass.whole(want);
            want = &reference;
        } else {
            pass.whole(want);
        }
        if (n < 2) {
            continue;
        }
        pass.split("split in chunks", "chunks read from the input", from_input, *want);
        if (!fast && !plan.fast_off_every_check) {
            continue;
        }
        if (n <= plan.bytewise_max) {
            pass.split("split byte by byte", "byte by byte", every_boundary(n), *want);
        }
        if (n <= plan.handover_bytewise_max) {
            pass.hand_over("handed over after every piece", "after every byte", every_boundary(n), *want);
        } else if (n <= plan.handover_chunks_max) {
            pass.hand_over("handed over after every piece", "after every chunk read from the input", from_input, *want);
        }
        std::mt19937 rng(static_cast<std::uint32_t>(n) * 2654435761u);
        std::vector<std::size_t> single;
        if (n <= plan.every_cut_max) {
            single = every_boundary(n);
        } else {
            for (int i = 0; i < plan.random_cuts; ++i) {
                single.push_back(1 + rng() % (n - 1));
            }
        }
        for (std::size_t cut : single) {
            const std::string at = "at " + std::to_string(cut);
            pass.split("split once", "cut " + at, {cut}, *want);
            pass.hand_over("handed over once", "handed over " + at, {cut}, *want);
        }
        for (int i = 0; i < plan.random_chunkings; ++i) {
            pass.split("split in chunks", "random chunking " + std::to_string(i), random_chunks(n, plan.max_chunk, rng),
                       *want);
        }
        pass.timed(from_input);
    }
    verdicts.report(expect);
    return reference;
}

}  // namespace vtinput::test
