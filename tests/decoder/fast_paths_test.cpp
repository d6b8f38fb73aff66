// The decoder's fast paths must decide exactly what the general parsers decide.
//
// The inline fast paths (printable ASCII, 2- and 3-byte UTF-8, Alt + a printable key, SS3
// letters, and csi_short.hpp's five CSI forms: cursor and F1-F4 letters, F3, `CSI n ~`, kitty's
// `CSI u`, SGR mouse) are a second definition of those forms. Every table row of the decoder
// tests and of the hostile catalogue goes through the shared checker, which decodes it with the
// fast paths on and off and requires the same events (tests/support/decoding.hpp); this file
// adds the rest:
//   - every file of the fuzz corpus, under the fuzz target's two setups and the default one,
//     whole, byte by byte and in chunks, fast paths on and off;
//   - the fast paths' forms enumerated: parameter values at every edge the fast paths test
//     (missing, 0, the modifier and event-type ranges, surrogates, past U+10FFFF, eight and
//     nine digits), up to four parameters and sub-parameters, each final byte, cut into small
//     chunks so that the input often ends inside a unit.
#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "support/corpus.hpp"
#include "support/doctest_checks.hpp"
#include "support/events.hpp"
#include "vtinput/decoder.hpp"

using namespace vtinput;
using namespace vtinput::test;

#ifndef VTINPUT_FUZZ_CORPUS
#error "VTINPUT_FUZZ_CORPUS: the path of tests/fuzz/corpus, set by tests/meson.build"
#endif

namespace {

// The corpus files are at most a few KiB: whole, byte by byte, and in chunks, fast paths on
// and off. (The fuzz-corpus test replays them through the fuzz target, which checks the
// hand-over and the rest of the properties within the fuzz budget.)
const Plan k_corpus_plan{
    .handover_bytewise_max = 0, .handover_chunks_max = 0, .every_cut_max = 0, .random_cuts = 0, .random_chunkings = 1};

// Long enumerated streams: chunks of 1..7 bytes, which end inside units often, instead of
// byte-by-byte feeds.
const Plan k_stream_plan{.bytewise_max = 0,
                         .handover_bytewise_max = 0,
                         .every_cut_max = 0,
                         .random_cuts = 0,
                         .random_chunkings = 2,
                         .max_chunk = 7};

// Parameter strings: one to four parameters or sub-parameters of the values at the fast
// paths' edges.
std::vector<std::string> parameter_strings()
{
    static constexpr std::string_view edges[] = {
        "",      "0",     "1",     "2",     "3",       "4",       "5",        "9",         "16",
        "17",    "27",    "31",    "32",    "97",      "127",     "255",      "256",       "257",
        "55295", "55296", "57344", "57441", "1114111", "1114112", "99999999", "123456789",
    };
    static constexpr std::string_view few[] = {"", "1", "2", "5", "97", "256", "99999999"};
    static constexpr std::string_view fewer[] = {"", "1", "5"};
    std::vector<std::string> out;
    for (std::string_view a : edges) {
        out.emplace_back(a);
        for (std::string_view b : edges) {
            for (char sep : {';', ':'}) {
                out.push_back(std::string(a) + sep + std::string(b));
            }
        }
    }
    for (std::string_view a : few) {
        for (std::string_view b : few) {
            for (std::string_view c : few) {
                for (std::string_view seps : {";;", ";:", ":;", "::"}) {
                    out.push_back(std::string(a) + seps[0] + std::string(b) + seps[1] + std::string(c));
                }
            }
        }
    }
    for (std::string_view a : fewer) {
        for (std::string_view b : fewer) {
            for (std::string_view c : fewer) {
                for (std::string_view d : fewer) {
                    for (std::string_view seps : {";;;", ";:;", ";;:", ":::", ";::", "::;", ":;:", ":;;"}) {
                        out.push_back(std::string(a) + seps[0] + std::string(b) + seps[1] + std::string(c) + seps[2] +
                                      std::string(d));
                    }
                }
            }
        }
    }
    return out;
}

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("fast paths: every fuzz corpus file decodes the same with them on and off")
    {
        std::vector<std::string> missing;
        const std::vector<CorpusFile> files = read_corpus({VTINPUT_FUZZ_CORPUS}, missing);
        CHECK(missing.empty());
        REQUIRE(files.size() > 1000);
        std::vector<Setup> setups = fuzz_setups();
        setups.emplace_back();
        for (const CorpusFile& file : files) {
            INFO(file.name);
            for (const Setup& setup : setups) {
                check_decoding(file.bytes, setup, k_corpus_plan);
            }
        }
    }

    TEST_CASE("fast paths: the short CSI forms, enumerated, decode as the general parser decodes them")
    {
        const std::vector<std::string> params = parameter_strings();
        struct Family {
            std::string_view prefix;
            std::string_view finals;
        };
        // The fast path's finals and their neighbours; SGR mouse (`<`) and the private
        // markers, which only the general parser takes.
        for (const Family& family : {Family{"\x1b[", "ABEFHPQSR~uMmGZ$"}, Family{"\x1b[<", "MmuA"},
                                     Family{"\x1b[?", "uR"}, Family{"\x1b[>", "c"}}) {
            for (char final : family.finals) {
                std::string stream;
                for (const std::string& p : params) {
                    stream += family.prefix;
                    stream += p;
                    stream += final;
                }
                INFO("CSI " << family.prefix.substr(2) << "... " << final);
                check_decoding(stream, {}, k_stream_plan);
            }
        }
    }

    TEST_CASE("fast paths: text, Alt + every byte and SS3 + every byte decode as the general parsers decode them")
    {
        std::string text;
        for (int c = 0x20; c < 0x7f; ++c) {
            text += static_cast<char>(c);
        }
        // Every lead byte the UTF-8 fast path looks at (and its neighbours) with continuation
        // bytes at their edges, and bytes that are none.
        static constexpr unsigned char seconds[] = {0x00, 0x1b, 0x41, 0x7f, 0x80, 0x8f,
                                                    0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
        for (int lead = 0xc0; lead <= 0xf4; ++lead) {
            for (unsigned char b1 : seconds) {
                for (unsigned char b2 : seconds) {
                    text += static_cast<char>(lead);
                    text += static_cast<char>(b1);
                    text += static_cast<char>(b2);
                }
            }
        }
        std::string alt;
        std::string ss3;
        for (int c = 0; c < 0x100; ++c) {
            alt += "\x1b";
            alt += static_cast<char>(c);
            for (std::string_view param : {"", "5", "1;5", "1;99999999"}) {
                ss3 += "\x1bO";
                ss3 += param;
                ss3 += static_cast<char>(c);
            }
        }
        for (const Setup& setup : {Setup(), Setup(caps(2, 16, 16)), Setup(caps(3, 16, 16))}) {
            INFO("csi_cap " << setup.options.csi_cap);
            check_decoding(text, setup, k_stream_plan);
            check_decoding(alt, setup, k_stream_plan);
            check_decoding(ss3, setup, k_stream_plan);
        }
    }
}
