// libuv: vtinput inside the application's own libuv loop. The device reads the terminal on its
// own thread; the application's loop watches the receiver's fd (readable whenever events are
// pending: an eventfd on Linux, a pipe elsewhere) with a uv_poll_t and takes the events without blocking. A timer
// stands for the rest of the application's work. q quits; then every handle is closed and the
// loop closes cleanly.
//
//   build-dir/examples/libuv
#include <vtinput/input_device.hpp>

#include <cstdio>
#include <optional>
#include <system_error>
#include <variant>

#include <uv.h>

namespace {

// The device outlives the handles: the poll handle watches its receiver's fd, which closes with
// the device, so the handle is closed (and the loop run dry) first.
struct App {
    vtinput::InputDevice device;
    uv_poll_t input;  // the device's receiver is readable
    uv_timer_t idle;  // fires after 5 s without input
};

uv_handle_t* handle(auto* h) { return reinterpret_cast<uv_handle_t*>(h); }

// Closing the handles is what ends uv_run: a loop with no active handle returns.
void quit(App& app)
{
    for (uv_handle_t* h : {handle(&app.input), handle(&app.idle)}) {
        if (!uv_is_closing(h)) {
            uv_close(h, nullptr);  // the handles live in `app`: nothing to free
        }
    }
}

void on_input(uv_poll_t* poll, int status, int /*events*/)
{
    App& app = *static_cast<App*>(poll->data);
    // Readiness can be spurious (the events were taken already): never call the blocking
    // receive() here, only try_receive(), until it says there is nothing left.
    while (std::optional<vtinput::Event> event = app.device.try_receive()) {
        const auto* key = std::get_if<vtinput::KeyEvent>(&*event);
        if (key && key->key == vtinput::char_key(U'q') && key->mods.empty()) {
            return quit(app);
        }
        std::printf("%s\n", vtinput::to_string(*event).c_str());
    }
    std::fflush(stdout);
    // The fd is also readable once the stream has ended (the terminal went away).
    if (status < 0 || app.device.events().closed()) {
        return quit(app);
    }
    uv_timer_again(&app.idle);
}

void on_idle(uv_timer_t* /*timer*/)
{
    std::printf("(no key for 5 s; q quits)\n");
    std::fflush(stdout);
}

}  // namespace

int main()
try {
    App app{vtinput::InputDevice::open(), {}, {}};
    uv_loop_t loop;
    uv_loop_init(&loop);
    uv_poll_init(&loop, &app.input, app.device.events().fd());
    app.input.data = &app;
    uv_poll_start(&app.input, UV_READABLE, on_input);
    uv_timer_init(&loop, &app.idle);
    uv_timer_start(&app.idle, on_idle, 5000, 5000);

    std::printf("Press keys; q quits.\n");
    std::fflush(stdout);
    uv_run(&loop, UV_RUN_DEFAULT);  // until quit() has closed every handle

    // 0 means every handle was closed; UV_EBUSY would mean one was left behind.
    int rc = uv_loop_close(&loop);
    std::printf("uv_loop_close: %s\n", rc == 0 ? "0, every handle closed" : uv_strerror(rc));
    return rc == 0 ? 0 : 1;
} catch (const std::system_error& e) {
    std::fprintf(stderr, "libuv example: %s\n", e.what());
    return 1;
}
