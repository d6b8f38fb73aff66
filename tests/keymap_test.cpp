// KeyMap tests: construction (sorting, empty and duplicate sequences), single_byte and match
// semantics, and loading from terminfo (keys, and the keypad-transmit strings smkx/rmkx). On
// Windows, built without terminfo, from_terminfo must say that every entry is unavailable.
#include "vtinput/keymap.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <system_error>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "support/events.hpp"

using namespace std::literals;
using namespace vtinput;

namespace {

using test::hex;

const KeyMap& sample()
{
    static const KeyMap km({
        {"\x1b[[A", function_key(1), {}},
        {"\x1b[[B", function_key(2), {}},
        {"\x1b[[A", function_key(13), {}},  // duplicate: the first one given wins
        {"\x1b[1", function_key(20), {}},
        {"\x1b[12", function_key(21), {}},
        {"\x1b[12~", function_key(22), {}},
        {"\x1bOu", Key::kp_begin, {}},
        {"", Key::up, {}},  // empty: dropped
        {"\x08", Key::backspace, {}},
        {"\x7f", Key::del, Mod::shift},
        {"\x00"s, Key::escape, {}},
        {"a", Key::enter, {}},  // not a control byte: never a single-byte key
        {"\x9b"
         "A",
         Key::up, Mod::alt},
    });
    return km;
}

// setenv/unsetenv are POSIX; the Windows CRT has _putenv_s, for which an empty value unsets.
void set_env(const char* name, const char* value)
{
#if defined(_WIN32)
    _putenv_s(name, value);
#else
    ::setenv(name, value, 1);
#endif
}

void unset_env(const char* name)
{
#if defined(_WIN32)
    _putenv_s(name, "");
#else
    ::unsetenv(name);
#endif
}

}  // namespace

TEST_SUITE("keymap")
{
    TEST_CASE("an empty map matches nothing")
    {
        KeyMap km;
        CHECK(km.empty());
        CHECK(km.entries().empty());
        for (int b = 0; b < 256; ++b) {
            CHECK(km.single_byte(static_cast<unsigned char>(b)) == nullptr);
        }
        auto m = km.match("\x1b[A");
        CHECK(m.entry == nullptr);
        CHECK_FALSE(m.could_grow);
        CHECK(KeyMap(std::vector<KeyMap::Entry>{{"", Key::up, {}}}).empty());
    }

    TEST_CASE("entries are sorted by sequence, without empty or duplicate sequences")
    {
        const auto& e = sample().entries();
        REQUIRE(e.size() == 11);
        for (std::size_t i = 1; i < e.size(); ++i) {
            CHECK(e[i - 1].sequence < e[i].sequence);
        }
        for (const auto& entry : e) {
            CHECK_FALSE(entry.sequence.empty());
            if (entry.sequence == "\x1b[[A") {
                CHECK(entry.key == function_key(1));
            }
        }
    }

    TEST_CASE("single_byte gives only C0 control bytes and DEL")
    {
        const KeyMap& km = sample();
        const KeyMap::Entry* bs = km.single_byte(0x08);
        REQUIRE(bs != nullptr);
        CHECK(bs->key == Key::backspace);
        CHECK(bs->mods.empty());
        const KeyMap::Entry* del = km.single_byte(0x7f);
        REQUIRE(del != nullptr);
        CHECK(del->key == Key::del);
        CHECK(del->mods == Mods(Mod::shift));
        const KeyMap::Entry* nul = km.single_byte(0x00);
        REQUIRE(nul != nullptr);
        CHECK(nul->key == Key::escape);
        CHECK(km.single_byte(0x01) == nullptr);
        CHECK(km.single_byte(0x1b) == nullptr);
        CHECK(km.single_byte('a') == nullptr);
        CHECK(km.single_byte(0x9b) == nullptr);
        CHECK(km.single_byte(0xff) == nullptr);
    }

    TEST_CASE("match finds the longest entry that prefixes the input and says whether it could grow")
    {
        const KeyMap& km = sample();
        struct Case {
            std::string_view input;
            const char* entry;  // expected sequence, or nullptr
            bool could_grow;
        };
        const Case cases[] = {
            {"\x1b[[A", "\x1b[[A", false},
            {"\x1b[[Axyz", "\x1b[[A", false},
            {"\x1b[[B", "\x1b[[B", false},
            {"\x1b[[", nullptr, true},
            {"\x1b[", nullptr, true},
            {"\x1b", nullptr, true},
            {"\x1b[[C", nullptr, false},
            {"\x1b[1", "\x1b[1", true},  // an entry, and a strict prefix of longer ones
            {"\x1b[12", "\x1b[12", true},
            {"\x1b[12~", "\x1b[12~", false},
            {"\x1b[12~~", "\x1b[12~", false},
            {"\x1b[13", "\x1b[1", false},
            {"\x1b[2", nullptr, false},
            {"\x1bOu", "\x1bOu", false},
            {"\x1bO", nullptr, true},
            {"\x9b"
             "A",
             "\x9b"
             "A",
             false},
            {"\x9b", nullptr, true},
            // Single bytes are single_byte()'s business.
            {"\x08", nullptr, false},
            {"\x08x", nullptr, false},
            {"\x7f", nullptr, false},
            {"a", nullptr, false},
            {"", nullptr, false},
            {"x", nullptr, false},
        };
        for (const Case& c : cases) {
            INFO("input " << hex(c.input));
            auto m = km.match(c.input);
            if (c.entry == nullptr) {
                CHECK(m.entry == nullptr);
            } else {
                REQUIRE(m.entry != nullptr);
                CHECK(m.entry->sequence == c.entry);
            }
            CHECK(m.could_grow == c.could_grow);
        }
    }

    TEST_CASE("smkx/rmkx: kept only as a pair")
    {
        std::vector<KeyMap::Entry> entries{{"\x1bOA", Key::up, {}}};
        KeyMap both(entries, "\x1b[?1h\x1b=", "\x1b[?1l\x1b>");
        CHECK(both.smkx() == "\x1b[?1h\x1b=");
        CHECK(both.rmkx() == "\x1b[?1l\x1b>");
        CHECK(both.entries().size() == 1);
        for (auto [on, off] : {std::pair{"\x1b=", ""}, std::pair{"", "\x1b>"}, std::pair{"", ""}}) {
            KeyMap half(entries, on, off);
            CHECK(half.smkx().empty());
            CHECK(half.rmkx().empty());
        }
        CHECK(KeyMap().smkx().empty());
        CHECK(KeyMap(entries).rmkx().empty());
    }

    TEST_CASE("from_terminfo with an unknown or empty terminal name")
    {
        auto error_of = [](std::string_view term) -> std::string {
            try {
                KeyMap::from_terminfo(term);
            } catch (const std::system_error& e) {
                CHECK(e.code() == (term.empty() ? std::errc::invalid_argument : std::errc::no_such_file_or_directory));
                return e.what();
            }
            return "";
        };
        std::string unknown = error_of("no-such-term-xyz");
        CHECK(unknown.starts_with("vtinput: "));
        CHECK(unknown.find("'no-such-term-xyz'") != std::string::npos);
        CHECK_FALSE(error_of("").empty());
    }

    TEST_CASE("term_name: the configured name, else $TERM, else xterm-256color")
    {
        CHECK(KeyMap::term_name("linux") == "linux");
        const char* saved = std::getenv("TERM");
        std::string saved_value = saved ? saved : "";
        set_env("TERM", "rxvt-unicode");
        CHECK(KeyMap::term_name() == "rxvt-unicode");
        set_env("TERM", "");  // set and empty; unset on Windows
        CHECK(KeyMap::term_name() == "xterm-256color");
        unset_env("TERM");
        CHECK(KeyMap::term_name() == "xterm-256color");
        if (saved) {
            set_env("TERM", saved_value.c_str());
        }
    }

#if defined(_WIN32)
    TEST_CASE("from_terminfo without terminfo (Windows): every entry unavailable")
    {
        // lib/keymap/terminfo_none.cpp: the built-in grammar alone serves, as for an unknown
        // terminal elsewhere.
        for (const char* term : {"xterm-256color", "linux", "dumb"}) {
            CAPTURE(term);
            try {
                KeyMap::from_terminfo(term);
                FAIL("from_terminfo(" << term << ") did not throw");
            } catch (const std::system_error& e) {
                CHECK(e.code() == std::errc::no_such_file_or_directory);
                CHECK(std::string(e.what()).find("no terminfo in this build") != std::string::npos);
            }
        }
    }
#else
    // The database (ncurses-base, ncurses-term): not on Windows.
    TEST_CASE("from_terminfo(\"xterm-256color\")")
    {
        KeyMap km = KeyMap::from_terminfo("xterm-256color");  // ncurses-base ships it
        auto find = [&](std::string_view seq) -> const KeyMap::Entry* {
            auto m = km.match(seq);
            return m.entry != nullptr && m.entry->sequence == seq ? m.entry : nullptr;
        };
        const KeyMap::Entry* f1 = find("\x1bOP");
        REQUIRE(f1 != nullptr);
        CHECK(f1->key == function_key(1));
        const KeyMap::Entry* up = find("\x1bOA");
        REQUIRE(up != nullptr);
        CHECK(up->key == Key::up);
        // terminfo's own numbering: kf13 is F13 (the decoder's grammar reads it as Shift+F1).
        const KeyMap::Entry* f13 = find("\x1b[1;2P");
        REQUIRE(f13 != nullptr);
        CHECK(f13->key == function_key(13));
        // ncurses' extended capabilities: kUP5 is Ctrl+Up.
        if (const KeyMap::Entry* ctrl_up = find("\x1b[1;5A")) {
            CHECK(ctrl_up->key == Key::up);
            CHECK(ctrl_up->mods == Mods(Mod::ctrl));
        }
        const KeyMap::Entry* kbs = km.single_byte(0x7f);
        REQUIRE(kbs != nullptr);
        CHECK(kbs->key == Key::backspace);
        const KeyMap::Entry* cbt = find("\x1b[Z");
        REQUIRE(cbt != nullptr);
        CHECK(cbt->key == Key::tab);
        CHECK(cbt->mods == Mods(Mod::shift));
    }

    TEST_CASE("from_terminfo(\"linux\")")
    {
        KeyMap km = KeyMap::from_terminfo("linux");  // ncurses-base ships it
        auto m = km.match("\x1b[[A");
        REQUIRE(m.entry != nullptr);
        CHECK(m.entry->key == function_key(1));
        m = km.match("\x1b[G");
        REQUIRE(m.entry != nullptr);
        CHECK(m.entry->key == Key::kp_begin);
        // "\x1b[[" is a strict prefix of kf1..kf5.
        CHECK(km.match("\x1b[[").could_grow);
    }

    TEST_CASE("from_terminfo: smkx/rmkx of xterm-256color, st-256color and rxvt-unicode; none for dumb and linux")
    {
        // xterm (ncurses-base): DECCKM and DECKPAM, which its kcuu1 = ESC O A assumes.
        KeyMap xterm = KeyMap::from_terminfo("xterm-256color");
        CHECK(xterm.smkx() == "\x1b[?1h\x1b=");
        CHECK(xterm.rmkx() == "\x1b[?1l\x1b>");
        REQUIRE(xterm.match("\x1bOA").entry != nullptr);
        CHECK(xterm.match("\x1bOA").entry->key == Key::up);
        // urxvt (ncurses-base): DECKPAM alone.
        KeyMap urxvt = KeyMap::from_terminfo("rxvt-unicode");
        CHECK(urxvt.smkx() == "\x1b=");
        CHECK(urxvt.rmkx() == "\x1b>");
        // Terminals whose keys do not depend on it have none.
        for (const char* term : {"dumb", "linux"}) {
            CAPTURE(term);
            KeyMap km = KeyMap::from_terminfo(term);
            CHECK(km.smkx().empty());
            CHECK(km.rmkx().empty());
        }
        // st (ncurses-term): the same as xterm's; its kdch1 ESC [ 3 ~ is what Delete sends in
        // that mode (ESC [ P otherwise: st's config.def.h, key[], appkey -1 / +1).
        KeyMap st;
        try {
            st = KeyMap::from_terminfo("st-256color");
        } catch (const std::system_error& e) {
            MESSAGE("st-256color not installed (package ncurses-term): " << e.what());
            return;
        }
        CHECK(st.smkx() == "\x1b[?1h\x1b=");
        CHECK(st.rmkx() == "\x1b[?1l\x1b>");
        auto m = st.match("\x1b[3~");
        REQUIRE(m.entry != nullptr);
        CHECK(m.entry->sequence == "\x1b[3~");
        CHECK(m.entry->key == Key::del);
    }

    TEST_CASE("from_terminfo: smkx/rmkx without terminfo's padding (wy75ap: \\E[?1h\\E=$<10/>)")
    {
        KeyMap km;
        try {
            km = KeyMap::from_terminfo("wy75ap");  // ncurses-term
        } catch (const std::system_error& e) {
            MESSAGE("wy75ap not installed (package ncurses-term): " << e.what());
            return;
        }
        CHECK(km.smkx() == "\x1b[?1h\x1b=");
        CHECK(km.rmkx() == "\x1b[?1l\x1b>");
    }

    TEST_CASE("from_terminfo from several threads at once gives the same map")
    {
        const KeyMap reference = KeyMap::from_terminfo("xterm-256color");
        std::vector<std::size_t> sizes(8);
        std::vector<char> same(8);  // not vector<bool>: each thread writes its own element
        {
            std::vector<std::thread> threads;
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                threads.emplace_back([&, i] {
                    KeyMap km;
                    try {
                        km = KeyMap::from_terminfo(i % 2 ? "xterm-256color" : "no-such-term-xyz");
                    } catch (const std::system_error&) {}
                    sizes[i] = km.entries().size();
                    same[i] = i % 2 == 0 || km.entries().size() == reference.entries().size();
                });
            }
            for (auto& t : threads) {
                t.join();
            }
        }
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            INFO("thread " << i);
            CHECK(same[i]);
            if (i % 2 == 0) {
                CHECK(sizes[i] == 0);
            }
        }
    }
#endif
}
