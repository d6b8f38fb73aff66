// Decoder throughput on the shared benchmark corpora (../shared/bench/corpora, made by
// gen_corpora.py), with the event count checked against counts.json.
//
//   decoder_bench CORPORA_DIR [--reps N] [--chunk BYTES] [NAME...]
//   decoder_bench CORPORA_DIR --bytewise [--reps N] [NAME...]
//
// --bytewise measures, in one run, each corpus fed whole (64 KiB chunks) and one byte at a
// time, plus a built-in flood of long CSI sequences (csi_flood: 2,000 of 198 bytes, within
// csi_cap), and prints the ratio: `decoder-bytewise corpus=NAME whole_ns=W byte_ns=B ratio=R
// match=ok`. A pending unit must not be re-parsed at every byte (lib/decode/held.cpp); for
// instruction counts use peer_vtinput under callgrind (--chunk 1).
//
// VTINPUT_BENCH_CORPORA, when set, replaces CORPORA_DIR (e.g. corpora generated elsewhere than
// the shared folder: `VTINPUT_BENCH_CORPORA=/tmp/vtinput-bench/corpora meson test --benchmark`).
//
// For each corpus: one untimed warm-up, then N timed repetitions (fresh Decoder with default
// options each time, bytes fed in chunks as a reader thread would, then finish()), and one
// line: `decoder corpus=NAME bytes=B events=N expected=E match=ok|MISMATCH mb_s=X median_ns=Y`.
// A paste delivered in several parts (DecoderOptions::paste_cap) counts as one event, as in
// counts.json. Exit status: 0, also when the corpora are absent (a skip message says how to
// make them); 1 on a count mismatch; 2 on bad usage or an unreadable file.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtinput/decoder.hpp"

namespace {

namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

constexpr const char* k_corpora[] = {"paste_ascii", "utf8_text", "keys_legacy", "mouse_sgr", "kitty_keys"};

// Counts events the way counts.json does; a sink call is all the work it adds per event.
struct Tally final : vtinput::EventSink {
    void on_event(vtinput::Event&& e) override
    {
        if (const auto* p = std::get_if<vtinput::PasteEvent>(&e); p != nullptr && p->continued) {
            return;
        }
        ++events;
    }
    std::uint64_t events = 0;
};

std::optional<std::string> read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The "events" count of corpus `name` in counts.json: the first `"events":` after `"name"`.
// An ad-hoc scan, enough for the generator's fixed layout.
std::optional<std::uint64_t> expected_events(const std::string& counts, const std::string& name)
{
    std::size_t at = counts.find('"' + name + '"');
    if (at == std::string::npos) {
        return std::nullopt;
    }
    constexpr std::string_view key = "\"events\":";
    at = counts.find(key, at);
    if (at == std::string::npos) {
        return std::nullopt;
    }
    const char* s = counts.c_str() + at + key.size();
    char* stop = nullptr;
    unsigned long long v = std::strtoull(s, &stop, 10);
    if (stop == s) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(v);
}

std::uint64_t decode(std::string_view data, std::size_t chunk)
{
    vtinput::Decoder decoder;
    Tally tally;
    const auto now = steady::now();
    for (std::size_t off = 0; off < data.size(); off += chunk) {
        decoder.feed(data.substr(off, chunk), now, tally);
    }
    decoder.finish(tally);
    return tally.events;
}

[[noreturn]] void usage(const char* argv0)
{
    std::fprintf(stderr, "usage: %s CORPORA_DIR [--reps N] [--chunk BYTES | --bytewise] [NAME...]\n", argv0);
    std::exit(2);
}

// The median of `reps` timed decodes of `data` in `chunk`-byte feeds, in nanoseconds.
std::int64_t median_ns(std::string_view data, std::size_t chunk, int reps)
{
    std::vector<std::int64_t> ns;
    for (int r = 0; r < reps; ++r) {
        auto t0 = steady::now();
        decode(data, chunk);
        ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - t0).count());
    }
    std::sort(ns.begin(), ns.end());
    auto mid = ns.size() / 2;
    return ns.size() % 2 != 0 ? ns[mid] : (ns[mid - 1] + ns[mid]) / 2;
}

// Whole against one byte at a time, in the same run; 0 when the events differ, 1 otherwise.
int bytewise(const std::string& name, std::string_view data, int reps)
{
    const std::uint64_t whole_events = decode(data, 65536);  // also the warm-up
    const std::uint64_t byte_events = decode(data, 1);
    const std::int64_t whole = median_ns(data, 65536, reps);
    const std::int64_t byte = median_ns(data, 1, reps);
    const bool match = whole_events == byte_events;
    std::printf("decoder-bytewise corpus=%s bytes=%zu whole_ns=%lld byte_ns=%lld ratio=%.2f match=%s\n", name.c_str(),
                data.size(), static_cast<long long>(whole), static_cast<long long>(byte),
                whole > 0 ? static_cast<double>(byte) / static_cast<double>(whole) : 0.0, match ? "ok" : "MISMATCH");
    std::fflush(stdout);
    return match ? 1 : 0;
}

// 2,000 CSI sequences of 198 bytes each (49 parameters), the kind of unit whose re-parsing
// at every byte made a byte-at-a-time feed quadratic.
std::string csi_flood()
{
    std::string one = "\x1b[123";
    for (int i = 1; i < 49; ++i) {
        one += ";123";
    }
    one += '~';
    std::string out;
    for (int i = 0; i < 2000; ++i) {
        out += one;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv)
{
    const char* dir_arg = nullptr;
    int reps = 5;
    std::size_t chunk = 4096;
    std::vector<std::string> names;
    bool by_byte = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--bytewise") {
            by_byte = true;
        } else if (a == "--reps" && i + 1 < argc) {
            reps = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--chunk" && i + 1 < argc) {
            chunk = std::max<std::size_t>(1, std::strtoull(argv[++i], nullptr, 10));
        } else if (!a.empty() && a[0] == '-') {
            usage(argv[0]);
        } else if (dir_arg == nullptr) {
            dir_arg = argv[i];
        } else {
            names.emplace_back(a);
        }
    }
    if (dir_arg == nullptr) {
        usage(argv[0]);
    }
    if (names.empty()) {
        names.assign(std::begin(k_corpora), std::end(k_corpora));
    }

    const char* env = std::getenv("VTINPUT_BENCH_CORPORA");
    fs::path dir(env != nullptr && *env != '\0' ? env : dir_arg);
    if (by_byte) {
        // The shared corpora when they are there (no counts needed: whole and bytewise must
        // agree); the built-in flood always.
        int status = 0;
        for (const std::string& name : names) {
            if (auto data = read_file(dir / (name + ".bin"))) {
                status |= bytewise(name, *data, reps) ? 0 : 1;
            }
        }
        status |= bytewise("csi_flood", csi_flood(), reps) ? 0 : 1;
        return status;
    }
    auto counts = read_file(dir / "counts.json");
    if (!counts) {
        // The generator lives next to the default corpora dir (shared/bench/corpora).
        std::printf("decoder: SKIP: no corpora in %s; make them with: python3 %s --out %s\n", dir.c_str(),
                    (dir.parent_path() / "gen_corpora.py").c_str(), dir.c_str());
        return 0;
    }

    int status = 0;
    for (const std::string& name : names) {
        auto data = read_file(dir / (name + ".bin"));
        auto expected = expected_events(*counts, name);
        if (!data || !expected) {
            std::printf("decoder: SKIP: corpus %s missing from %s\n", name.c_str(), dir.c_str());
            continue;
        }
        std::uint64_t events = decode(*data, chunk);  // warm-up: page faults, allocator, caches
        std::vector<std::int64_t> ns;
        for (int r = 0; r < reps; ++r) {
            auto t0 = steady::now();
            std::uint64_t n = decode(*data, chunk);
            auto t1 = steady::now();
            ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
            if (n != events) {
                std::fprintf(stderr, "decoder: %s: repetition %d gave %llu events, the first %llu\n", name.c_str(), r,
                             static_cast<unsigned long long>(n), static_cast<unsigned long long>(events));
                status = 1;
            }
        }
        std::sort(ns.begin(), ns.end());
        auto mid = ns.size() / 2;
        std::int64_t median = ns.size() % 2 != 0 ? ns[mid] : (ns[mid - 1] + ns[mid]) / 2;
        bool match = events == *expected;
        if (!match) {
            status = 1;
        }
        double mb_s = median > 0 ? static_cast<double>(data->size()) * 1e3 / static_cast<double>(median) : 0.0;
        std::printf("decoder corpus=%s bytes=%zu events=%llu expected=%llu match=%s mb_s=%.1f median_ns=%lld\n",
                    name.c_str(), data->size(), static_cast<unsigned long long>(events),
                    static_cast<unsigned long long>(*expected), match ? "ok" : "MISMATCH", mb_s,
                    static_cast<long long>(median));
        std::fflush(stdout);
    }
    return status;
}
