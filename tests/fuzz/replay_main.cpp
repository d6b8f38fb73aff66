// Replays fuzz inputs through LLVMFuzzerTestOneInput without libFuzzer, so that the seed
// corpus (and every crash once fixed) runs as an ordinary unit test under any compiler.
//
//   decoder_fuzz_replay PATH...   each PATH is a file or a directory of files (not recursive)
//
// An invariant breach aborts inside the target, which fails the test. Finding no input at
// all is a failure too: a mistyped corpus path must not pass as "nothing to check".
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool replay(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return false;
    }
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return true;
}

}  // namespace

int main(int argc, char** argv)
{
    std::size_t count = 0;
    bool ok = true;
    for (int i = 1; i < argc; ++i) {
        fs::path arg(argv[i]);
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            // Sorted, so that a failure names the same file on every run.
            std::vector<fs::path> files;
            for (const auto& entry : fs::directory_iterator(arg, ec)) {
                if (entry.is_regular_file()) {
                    files.push_back(entry.path());
                }
            }
            std::sort(files.begin(), files.end());
            for (const auto& f : files) {
                ok = replay(f) && ok;
                ++count;
            }
        } else if (fs::is_regular_file(arg, ec)) {
            ok = replay(arg) && ok;
            ++count;
        } else {
            std::fprintf(stderr, "no such file or directory: %s\n", argv[i]);
            ok = false;
        }
    }
    if (count == 0) {
        std::fprintf(stderr, "usage: %s FILE|DIR...  (no input found)\n", argc > 0 ? argv[0] : "replay");
        return 1;
    }
    std::printf("replayed %zu inputs\n", count);
    return ok ? 0 : 1;
}
