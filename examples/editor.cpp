// editor: runs $EDITOR (default vi) on a file and takes the terminal back afterwards, the way a
// mail client or a git front-end does. While the editor runs the terminal is as it was before
// the application started (cooked, main screen) and vtinput reads nothing, so the editor gets
// every key; afterwards the modes come back and keys reach the application again. e edits,
// q quits.
//
//   EDITOR=nano build-dir/examples/editor
#include <vtinput/input_device.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <variant>

#include <sys/wait.h>
#include <unistd.h>

namespace {

std::string read_file(const char* path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The whole screen, redrawn: cursor home, clear, then the lines.
void draw(const char* path, const std::string& editor_status, const std::string& last_event)
{
    std::printf("\x1b[H\x1b[2J%s:\n%s\n--\ne edits, q quits.\nEditor: %s\nLast event: %s\n", path,
                read_file(path).c_str(), editor_status.c_str(), last_event.c_str());
    std::fflush(stdout);
}

}  // namespace

int main()
try {
    char path[] = "/tmp/vtinput-notes-XXXXXX";  // no character the shell would need quoted
    int fd = ::mkstemp(path);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "mkstemp");
    }
    ::close(fd);
    const char* editor = std::getenv("EDITOR");
    std::string command = std::string(editor && *editor ? editor : "vi") + " " + path;

    // The application draws on the alternate screen; the device leaves it on every way out
    // (close, exit(), signals, and while the editor runs) and enters it again on resume.
    vtinput::DeviceOptions options;
    options.terminal->app_enter = "\x1b[?1049h";
    options.terminal->app_leave = "\x1b[?1049l";
    vtinput::InputDevice device = vtinput::InputDevice::open(options);

    std::string editor_status = "not run yet", last_event = "none";
    draw(path, editor_status, last_event);
    while (std::optional<vtinput::Event> event = device.receive()) {
        const auto* key = std::get_if<vtinput::KeyEvent>(&*event);
        if (key && key->key == vtinput::char_key(U'q') && key->mods.empty()) {
            break;
        }
        if (key && key->key == vtinput::char_key(U'e') && key->mods.empty()) {
            // suspend(), the function, resume(): resume() also if it throws. Afterwards every
            // receiver gets a ResizeEvent first, the cue to redraw (the editor drew over us).
            int status = device.with_terminal_released([&] { return std::system(command.c_str()); });
            editor_status = "exited with status " + std::to_string(WEXITSTATUS(status));
        } else {
            last_event = vtinput::to_string(*event);
        }
        draw(path, editor_status, last_event);
    }
    ::unlink(path);
    return 0;
} catch (const std::system_error& e) {
    std::fprintf(stderr, "editor example: %s\n", e.what());
    return 1;
}
