// Reading the fuzz corpus, and the fuzz target's setups and budget (see corpus.hpp).
#include "support/corpus.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <system_error>

namespace vtinput::test {

namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::vector<CorpusFile>& out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    out.push_back({path.string(), std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())});
    return true;
}

// Terminal-specific entries of the kind terminfo adds: sequences the built-in grammar gives
// no meaning to (so the KeyMap is consulted), one that is a prefix of a longer one (so a
// partial match waits for more), and single C0 bytes.
std::shared_ptr<const KeyMap> fuzz_keymap()
{
    return std::make_shared<const KeyMap>(std::vector<KeyMap::Entry>{
        {"\x1b[[F", function_key(6), {}},
        {"\x1b[[F1", function_key(7), {}},
        {"\x1b[[1;2;3;4;5Z", function_key(8), Mod::shift},
        {"\x1b[Y", Key::home, Mod::ctrl},
        {"\x1bOz", Key::end, Mod::ctrl},
        {"\x1b[2$x", Key::insert, Mod::alt},
        {"\x9b"
         "9z",
         Key::del, Mod::alt},
        {"\x08", Key::backspace, {}},
        {"\x7f", Key::del, {}},
    });
}

}  // namespace

std::vector<CorpusFile> read_corpus(const std::vector<std::string>& paths, std::vector<std::string>& missing)
{
    std::vector<CorpusFile> files;
    for (const std::string& arg : paths) {
        const fs::path path(arg);
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<fs::path> names;
            for (const auto& entry : fs::directory_iterator(path, ec)) {
                if (entry.is_regular_file()) {
                    names.push_back(entry.path());
                }
            }
            std::sort(names.begin(), names.end());
            for (const fs::path& name : names) {
                if (!read_file(name, files)) {
                    missing.push_back(name.string());
                }
            }
        } else if (!fs::is_regular_file(path, ec) || !read_file(path, files)) {
            missing.push_back(arg);
        }
    }
    return files;
}

const std::vector<Setup>& fuzz_setups()
{
    static const std::vector<Setup> setups = [] {
        DecoderOptions variant = caps(64, 256, 512);
        variant.mouse_utf8 = true;
        variant.mouse_pixels = true;
        return std::vector<Setup>{Setup(caps(16, 32, 64)), Setup(variant, fuzz_keymap())};
    }();
    return setups;
}

Plan fuzz_plan()
{
    return {.bytewise_max = 128,
            .handover_bytewise_max = 128,
            .handover_chunks_max = std::numeric_limits<std::size_t>::max(),
            .every_cut_max = 0,
            .random_cuts = 0,
            .random_chunkings = 0,
            .fast_off_every_check = false};
}

}  // namespace vtinput::test
