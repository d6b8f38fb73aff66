// KeyMap fallbacks: a terminal's key table (built by hand, or from terminfo where there is one:
// not on Windows) gives meaning only to what the built-in grammar has none for, and waits for
// the longer of two entries.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "decoder_test.hpp"
#include "support/doctest_checks.hpp"
#include "vtinput/decoder.hpp"
#include "vtinput/event.hpp"

using namespace std::literals;
using namespace vtinput;
using namespace vtinput::test;

namespace {

std::shared_ptr<const KeyMap> keymap(std::vector<KeyMap::Entry> entries)
{
    return std::make_shared<const KeyMap>(std::move(entries));
}

}  // namespace

TEST_SUITE("decoder")
{
    TEST_CASE("a KeyMap gives meaning only where the built-in grammar has none")
    {
        auto km = keymap({
            {"\x1b[[A", function_key(13), {}},    // built-in F1 wins
            {"\x1b[[Z", function_key(14), {}},    // unknown to the grammar
            {"\x1b[[25~", function_key(15), {}},  // longer than the grammar's unit
            {"\x1b[G", Key::kp_begin, {}},        // TERM=linux kb2
            {"\x1bOz", function_key(16), Mod::shift},
            {"\x08", Key::backspace, {}},         // kbs=^H
            {"\x1b[1;2P", function_key(13), {}},  // built-in Shift+F1 wins
        });
        const Row rows[] = {
            {"\x1b[[A", R"({"type":"key","key":"f1","mods":[]})"},
            {"\x1b[[Z", R"({"type":"key","key":"f14","mods":[]})"},
            {"\x1b[[25~", R"({"type":"key","key":"f15","mods":[]})"},
            {"\x1b[G", R"({"type":"key","key":"kp_begin","mods":[]})"},
            {"\x1bOz", R"({"type":"key","key":"f16","mods":["shift"]})"},
            {"\x08", R"({"type":"key","key":"backspace","mods":[]})"},
            {"\x1b\x08", R"({"type":"key","key":"backspace","mods":["alt"]})"},
            {"\x1b[1;2P", R"({"type":"key","key":"f1","mods":["shift"]})"},
            {"\x7f", R"({"type":"key","key":"backspace","mods":[]})"},
            {"\x01", R"({"type":"key","key":"a","mods":["ctrl"]})"},
            // A strict prefix of an entry waits for the rest; at the end of input it is not
            // the entry.
            {"\x1b[[2", R"({"type":"unknown","bytes":"1b5b5b"} {"type":"key","key":"2","mods":[],"text":"2"})"},
            {"\x1b[[25~x", R"({"type":"key","key":"f15","mods":[]} {"type":"key","key":"x","mods":[],"text":"x"})"},
            {"\x1b[[2x",
             R"({"type":"unknown","bytes":"1b5b5b"} {"type":"key","key":"2","mods":[],"text":"2"} {"type":"key","key":"x","mods":[],"text":"x"})"},
            {"\x1b[Gx", R"({"type":"key","key":"kp_begin","mods":[]} {"type":"key","key":"x","mods":[],"text":"x"})"},
        };
        for (const Row& r : rows) {
            INFO(context(r));
            CHECK(json(check_decoding(r.in, Setup({}, km))) == r.want);
        }
    }

    TEST_CASE("a KeyMap entry that is a strict prefix of another waits for the longer one")
    {
        auto km = keymap({
            {"\x1b[[1", function_key(13), {}},
            {"\x1b[[12", function_key(14), {}},
        });
        CHECK(decode_json("\x1b[[1", {}, km) == R"({"type":"key","key":"f13","mods":[]})");
        CHECK(decode_json("\x1b[[12", {}, km) == R"({"type":"key","key":"f14","mods":[]})");
        CHECK(decode_json("\x1b[[1x", {}, km) ==
              R"({"type":"key","key":"f13","mods":[]} {"type":"key","key":"x","mods":[],"text":"x"})");
        Decoder d({}, km);
        std::vector<Event> out;
        d.feed("\x1b[[1", t0, out);
        CHECK(out.empty());  // could still grow into F14
        REQUIRE(d.deadline().has_value());
        d.flush(*d.deadline(), out);
        CHECK(json(out) == R"({"type":"key","key":"f13","mods":[]})");
        out.clear();
        d.feed("\x1b[[1", t0, out);
        d.feed("2", t0 + 1ms, out);
        CHECK(json(out) == R"({"type":"key","key":"f14","mods":[]})");
    }

#if !defined(_WIN32)
    // Maps read from terminfo: none on Windows (no terminfo there); the hand-made maps above
    // cover the fallback.
    TEST_CASE("KeyMap::from_terminfo: the built-in grammar wins over terminfo")
    {
        KeyMap xterm = KeyMap::from_terminfo("xterm-256color");  // ncurses-base ships it
        auto km = std::make_shared<const KeyMap>(std::move(xterm));
        // terminfo says kf13 = CSI 1;2P; the built-in reading is Shift+F1.
        CHECK(decode_json("\x1b[1;2P", {}, km) == R"({"type":"key","key":"f1","mods":["shift"]})");
        CHECK(decode_json("\x1bOP", {}, km) == R"({"type":"key","key":"f1","mods":[]})");
        CHECK(decode_json("\x1b[1;5A", {}, km) == R"({"type":"key","key":"up","mods":["ctrl"]})");
        CHECK(decode_json("\x7f", {}, km) == R"({"type":"key","key":"backspace","mods":[]})");
    }

    TEST_CASE("KeyMap::from_terminfo(\"linux\") adds what only the console sends")
    {
        KeyMap linux_map = KeyMap::from_terminfo("linux");  // ncurses-base ships it
        auto km = std::make_shared<const KeyMap>(std::move(linux_map));
        CHECK(decode_json("\x1b[[A", {}, km) == R"({"type":"key","key":"f1","mods":[]})");
        CHECK(decode_json("\x1b[[E", {}, km) == R"({"type":"key","key":"f5","mods":[]})");
        // kb2 = CSI G, the keypad centre: no built-in meaning.
        CHECK(decode_json("\x1b[G", {}, km) == R"({"type":"key","key":"kp_begin","mods":[]})");
        CHECK(decode_json("\x1b[G") == R"({"type":"unknown","bytes":"1b5b47"})");
        // kf16 = CSI 29 ~; the built-in Menu wins.
        CHECK(decode_json("\x1b[29~", {}, km) == R"({"type":"key","key":"menu","mods":[]})");
    }
#endif

    TEST_CASE("an empty KeyMap changes nothing")
    {
        auto empty = std::make_shared<const KeyMap>();
        CHECK(decode_json("\x08\x1b[G", {}, empty) ==
              R"({"type":"key","key":"h","mods":["ctrl"]} {"type":"unknown","bytes":"1b5b47"})");
    }
}
