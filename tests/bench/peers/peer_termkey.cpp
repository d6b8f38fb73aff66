// libtermkey as a peer of tests/bench/program_latency: termkey_new on standard input (it sets
// the terminal's raw mode itself) and termkey_waitkey on the caller's thread, which polls,
// reads and decodes; one line per key or mouse event, in termkey_strfkey's form.
// Debian 12's xterm terminfo says kmous=\E[< (SGR mouse), which libtermkey 0.22's terminfo
// driver takes for the X10 mouse prefix, splitting every SGR report into a mouse event and
// five keys; as embedders do (neovim), key_mouse is hidden from it so that the CSI driver
// decodes SGR reports (the method of ../shared/bench/peer_termkey.c).
//
//   peer_termkey       (protocol: peer.hpp)
#include <cstdio>
#include <cstring>

#include <termkey.h>
#include <unistd.h>

#include "peer.hpp"

namespace {

const char* hide_key_mouse(const char* name, const char* value, void*)
{
    return std::strcmp(name, "key_mouse") == 0 ? nullptr : value;
}

}  // namespace

int main()
{
    TermKey* tk = termkey_new(STDIN_FILENO, TERMKEY_FLAG_SPACESYMBOL | TERMKEY_FLAG_NOSTART);
    if (tk == nullptr) {
        std::fprintf(stderr, "peer_termkey: termkey_new failed\n");
        return 1;
    }
    termkey_hook_terminfo_getstr(tk, hide_key_mouse, nullptr);
    if (termkey_start(tk) == 0) {
        std::fprintf(stderr, "peer_termkey: termkey_start failed\n");
        return 1;
    }
    peer::line("ready");
    TermKeyKey key;
    for (;;) {
        TermKeyResult r = termkey_waitkey(tk, &key);
        if (r != TERMKEY_RES_KEY) {
            break;  // EOF or error
        }
        if (key.type == TERMKEY_TYPE_UNICODE && key.code.codepoint == 'q' && key.modifiers == 0) {
            break;
        }
        char text[128] = "ev ";
        if (key.type == TERMKEY_TYPE_MOUSE) {
            TermKeyMouseEvent ev;
            int button = 0, line = 0, col = 0;
            termkey_interpret_mouse(tk, &key, &ev, &button, &line, &col);
            std::snprintf(text + 3, sizeof text - 3, "mouse %d %d %d %d", static_cast<int>(ev), button, line, col);
        } else {
            termkey_strfkey(tk, text + 3, sizeof text - 3, &key, TERMKEY_FORMAT_VIM);
        }
        peer::line(text);
    }
    termkey_destroy(tk);
    return 0;
}
