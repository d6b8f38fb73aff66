// keys: the smallest vtinput program. It opens the terminal, prints every event it gets in its
// human-readable form ("a", "Ctrl+c", "Alt+Up", "Resize 100x30"), and quits on 'q'.
//
//   build-dir/examples/keys
//
// Everything here is the public API: #include <vtinput/...> and link the `vtinput` dependency.
#include <vtinput/input_device.hpp>

#include <cstdio>
#include <optional>
#include <system_error>
#include <variant>

int main()
try {
    // One call does the set-up: it finds the terminal (standard input if it is one, else
    // /dev/tty), puts it in raw mode (no echo, no line editing, and Ctrl+C is a key, not a
    // signal), and starts a thread that reads and decodes it. The terminal is put back when
    // `device` goes out of scope, and also on exit(), on SIGINT/SIGTERM and on a crash.
    vtinput::InputDevice device = vtinput::InputDevice::open();

    // Raw mode keeps output processing on, so "\n" still starts a new line.
    std::printf("Press keys; q quits.\n");
    std::fflush(stdout);

    // receive() blocks until the next event. It returns nullopt only when the stream has
    // ended: an EofEvent or ErrorEvent (the terminal went away) is delivered first.
    while (std::optional<vtinput::Event> event = device.receive()) {
        // Events are a std::variant; a key press is a KeyEvent. char_key('q') is the key
        // labelled q; Ctrl+q would have mods set.
        if (const auto* key = std::get_if<vtinput::KeyEvent>(&*event)) {
            if (key->key == vtinput::char_key(U'q') && key->mods.empty()) {
                break;
            }
        }
        std::printf("%s\n", vtinput::to_string(*event).c_str());
        std::fflush(stdout);
    }
    std::printf("Bye.\n");
    return 0;  // ~InputDevice: the terminal is as it was before open()
} catch (const std::system_error& e) {
    // Set-up failures throw, with a message that says what was tried ("vtinput: cannot open
    // the terminal (/dev/tty): No such device or address").
    std::fprintf(stderr, "keys: %s\n", e.what());
    return 1;
}
