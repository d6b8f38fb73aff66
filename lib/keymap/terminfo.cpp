// Reading terminfo string capabilities through ncurses' tinfo.
//
// This is the only file that includes <term.h>: its macros (`lines`, `columns`, `tab` and every
// other capability name) would poison any other translation unit, so nothing here mentions a
// vtinput type. tinfo keeps its state in the global `cur_term`, which an application using
// ncurses owns; we save it, load our entry, copy the strings out, and put the application's
// terminal back. A process-wide mutex serialises our own uses (tinfo is not thread-safe); an
// application calling setupterm concurrently on another thread is beyond what we can guard.
#include "keymap/terminfo.hpp"

#include <mutex>

#include <curses.h>
#include <term.h>

namespace vtinput::detail {
namespace {
std::mutex g_tinfo_mutex;
}

std::optional<std::vector<std::string>> read_terminfo_strings(const std::string& term,
                                                              const std::vector<std::string>& names, std::string& error)
{
    std::lock_guard lock(g_tinfo_mutex);
    TERMINAL* saved = cur_term;
    int err = 0;
    // fd -1: we only read capabilities; tinfo must not touch a terminal.
    if (setupterm(term.c_str(), -1, &err) != OK) {
        set_curterm(saved);
        error = err == 0 ? "terminfo entry '" + term + "' not found" : "terminfo database unusable for '" + term + "'";
        return std::nullopt;
    }
    TERMINAL* ours = cur_term;
    std::vector<std::string> values;
    values.reserve(names.size());
    for (const std::string& name : names) {
        const char* s = tigetstr(name.c_str());
        // NULL: absent; (char*)-1: not a string capability.
        values.emplace_back(s != nullptr && s != reinterpret_cast<const char*>(-1) ? s : "");
    }
    set_curterm(saved);
    del_curterm(ours);
    return values;
}

}  // namespace vtinput::detail
