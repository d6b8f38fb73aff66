// The fuzz corpus as test input: reading its files, and the decoder setups the fuzz target
// checks every input under (tests/fuzz/decoder_fuzz.cpp), which the corpus was grown with.
#pragma once

#include <string>
#include <vector>

#include "support/decoding.hpp"

namespace vtinput::test {

struct CorpusFile {
    std::string name;  // the path as found
    std::string bytes;
};

// Each path is a file or a directory of files (not recursive); a directory's files in sorted
// order, so that a failure names the same file on every run. A path that is neither, or a file
// that cannot be read, is an error for `missing` to list.
std::vector<CorpusFile> read_corpus(const std::vector<std::string>& paths, std::vector<std::string>& missing);

// Both with caps far below the defaults, so that short inputs reach them: the built-in grammar
// with tiny caps, and mouse_utf8 + mouse_pixels + a small KeyMap of the kind terminfo adds,
// with caps that still fit every real sequence.
const std::vector<Setup>& fuzz_setups();

// The fuzz target's budget: bounded split checks (byte by byte, and handed over after every
// byte, only up to 128 bytes; otherwise the chunking read from the input; no single cuts or
// random chunkings) and, with the fast paths off, the whole input and that chunking only.
Plan fuzz_plan();

}  // namespace vtinput::test
