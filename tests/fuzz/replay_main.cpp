// Replays fuzz inputs through LLVMFuzzerTestOneInput without libFuzzer, so that the corpus
// (and every crash once fixed) runs as an ordinary unit test under any compiler.
//
//   decoder_fuzz_replay PATH...   each PATH is a file or a directory of files (not recursive)
//
// An invariant breach aborts inside the target, which fails the test. Finding no input at
// all is a failure too: a mistyped corpus path must not pass as "nothing to check".
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "support/corpus.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
    std::vector<std::string> missing;
    const auto files = vtinput::test::read_corpus(std::vector<std::string>(argv + 1, argv + argc), missing);
    for (const std::string& m : missing) {
        std::fprintf(stderr, "cannot read %s\n", m.c_str());
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: %s FILE|DIR...  (no input found)\n", argc > 0 ? argv[0] : "replay");
        return 1;
    }
    for (const auto& file : files) {
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(file.bytes.data()), file.bytes.size());
    }
    std::printf("replayed %zu inputs\n", files.size());
    return missing.empty() ? 0 : 1;
}
