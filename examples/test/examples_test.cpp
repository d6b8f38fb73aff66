// The examples' tests: each case runs one example on a real pseudo-terminal, types what a user
// would type, and checks what the user would see (and, for the picker, what lands on standard
// output). Usage: examples_test CASE EXAMPLE [EXTRA]; exit 0 pass, 1 fail, 77 skipped (no PTY).
#include "pty_session.hpp"

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace {

using example_test::Program;
using example_test::PtySession;

// Keys as a terminal sends them with no keyboard protocol asked for.
constexpr const char* k_up = "\x1b[A";
constexpr const char* k_down = "\x1b[B";
constexpr const char* k_ctrl_up = "\x1b[1;5A";
constexpr const char* k_f5 = "\x1b[15~";
constexpr const char* k_escape = "\x1b";
constexpr const char* k_enter = "\r";

// What a user would see of terminal output: without escape sequences (CSI ... final, and ESC
// plus one byte), such as the modes the device restores when it closes.
std::string visible(const std::string& out)
{
    std::string text;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] != '\x1b') {
            text += out[i];
        } else if (i + 1 < out.size() && out[i + 1] == '[') {
            i += 2;
            while (i < out.size() && (out[i] < 0x40 || out[i] > 0x7e)) {
                ++i;
            }
        } else {
            ++i;
        }
    }
    return text;
}

void keys(const std::string& exe, const std::string&)
{
    PtySession s(Program({exe}));
    s.expect("Press keys; q quits.\r\n");
    s.type("a");
    s.expect("a\r\n");
    s.type(k_ctrl_up);
    s.expect("Ctrl+Up\r\n");
    s.type("\x03");  // Ctrl+C: a key in raw mode, not SIGINT
    s.expect("Ctrl+c\r\n");
    s.type(k_escape);  // a lone ESC: Escape once the decoder's 50 ms have passed
    s.expect("Escape\r\n");
    s.type("q");
    s.expect("Bye.\r\n");
    s.finish(0);
    if (!visible(s.rest()).empty()) {
        s.fail("output after \"Bye.\"");
    }
}

void libuv(const std::string& exe, const std::string&)
{
    PtySession s(Program({exe}));
    s.expect("Press keys; q quits.\r\n");
    s.type("a");
    s.expect("a\r\n");
    s.type(k_down);
    s.expect("Down\r\n");
    s.type("q");
    s.expect("uv_loop_close: 0, every handle closed\r\n");
    s.finish(0);
}

void poll(const std::string& exe, const std::string&)
{
    PtySession s(Program({exe}));
    s.expect("Press keys; w starts a job; q quits.\r\n");
    s.type("a");
    s.expect("a\r\n");
    s.type("w");  // the worker's result arrives on the other fd
    s.expect("job started\r\n");
    s.expect("job finished: 9592 primes below 100000\r\n");
    s.type(k_up);
    s.expect("Up\r\n");
    s.type("q");
    s.expect("Bye.\r\n");
    s.finish(0);
}

// ncurses sends only what changed on the screen, so the checks look for words that change as a
// whole; the resize repaints everything.
void ncurses(const std::string& exe, const std::string&)
{
    PtySession s(Program({exe}));
    s.expect("vtinput + ncurses: press keys, q quits");
    s.expect("80x24");
    s.type(k_f5);
    s.expect("F5");
    s.type(k_ctrl_up);
    s.expect("Ctrl+Up");
    s.resize(100, 30);
    s.expect("Window: 100x30");
    s.expect("Resize 100x30");
    s.type("q");
    s.expect("\x1b[?1049l");  // endwin(): the alternate screen is left
    s.finish(0);
}

// The editor's test types a line for a stand-in editor (test/fake_editor.sh, passed as EXTRA),
// then a key for the application as soon as the editor has said it is done.
void editor(const std::string& exe, const std::string& fake_editor)
{
    Program p({exe});
    p.env = {"EDITOR=sh " + fake_editor};
    PtySession s(std::move(p));
    s.expect("e edits, q quits.\r\nEditor: not run yet\r\n");
    s.type("e");
    s.expect("\x1b[?1049l");  // the application's screen is left for the editor
    s.expect("fake-editor: editing /tmp/vtinput-notes-");
    s.type("hello from the editor\r");
    s.expect("hello from the editor\r\n");  // echoed: the terminal is cooked for the editor
    s.expect("fake-editor: saved\r\n");
    s.type("z");  // maybe before the application has taken the terminal back: it must get it
    s.expect("\x1b[?1049h");
    s.expect("hello from the editor\r\n\r\n--\r\ne edits, q quits.\r\nEditor: exited with status 0\r\n");
    s.expect("Last event: z\r\n");
    s.type("q");
    s.finish(0);
    // The keys typed for the editor never reached the application.
    s.expect_absent("Last event: h");
    s.expect_absent("Last event: Enter");
}

// The picker reads its items from a pipe on standard input while the PTY is its controlling
// terminal (the keys come through /dev/tty); the result goes to standard output, a pipe too.
Program picker_program(const std::string& exe)
{
    Program p({exe});
    p.stdin_bytes = "apple\nbanana\ncherry\navocado\nblueberry\n";
    p.capture_stdout = true;
    return p;
}

void picker(const std::string& exe, const std::string&)
{
    PtySession s(picker_program(exe));
    s.expect("pick>    (5/5)\r\n> apple\r\n  banana\r\n  cherry\r\n  avocado\r\n  blueberry\r\n");
    s.type("a");
    s.expect("pick> a   (3/5)\r\n> apple\r\n  banana\r\n  avocado\r\n");
    s.type(k_down);
    s.expect("pick> a   (3/5)\r\n  apple\r\n> banana\r\n  avocado\r\n");
    s.type(k_enter);
    s.finish(0);
    if (s.stdout_text() != "banana\n") {
        s.fail("standard output should be exactly the chosen item");
    }
}

void picker_escape(const std::string& exe, const std::string&)
{
    PtySession s(picker_program(exe));
    s.expect("pick>    (5/5)\r\n");
    s.type("xyz");
    s.expect("pick> xyz   (0/5)\r\n");
    s.type(k_enter);  // nothing to choose: no effect
    s.type(k_escape);
    s.finish(1);
    if (!s.stdout_text().empty()) {
        s.fail("standard output should be empty when nothing was chosen");
    }
}

}  // namespace

int main(int argc, char** argv)
{
    const std::map<std::string, void (*)(const std::string&, const std::string&)> cases = {
        {"editor", editor},   {"keys", keys},     {"libuv", libuv},
        {"ncurses", ncurses}, {"picker", picker}, {"picker-escape", picker_escape},
        {"poll", poll},
    };
    auto it = argc >= 3 ? cases.find(argv[1]) : cases.end();
    if (it == cases.end()) {
        std::fprintf(stderr, "usage: examples_test CASE EXAMPLE [EXTRA]\n");
        return 2;
    }
    it->second(argv[2], argc >= 4 ? argv[3] : "");
    std::printf("PASS %s\n", argv[1]);
    return 0;
}
