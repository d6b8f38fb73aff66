// SIGWINCH for the input device (internal).
//
// libuv's uv_signal_t cannot be used for SIGWINCH: it replaces the application's handler while
// it watches and puts SIG_DFL back when it stops, and it does not chain. Instead the process
// has one SIGWINCH handler of ours, installed while at least one listener is registered: it
// calls the handler that was installed before it (the application's), then every listener.
// When the last listener goes, the previous handler is put back, but only if ours is still the
// one installed (an application that installed its own after us keeps it).
//
// Listeners run inside the signal handler: they may only do async-signal-safe things
// (uv_async_send, write to a pipe, store to an atomic).
#pragma once

namespace vtinput::detail {

using WinchListener = void (*)(void* arg) noexcept;

// Registers `fn(arg)`; installs the handler if it is the first listener. Thread: any. Throws
// std::system_error if the handler cannot be installed, or if too many listeners are registered.
void add_winch_listener(WinchListener fn, void* arg);

// Unregisters `fn(arg)`. When it returns, no handler is running or will run `fn(arg)`, so `arg`
// may be destroyed. Thread: any but a signal handler.
void remove_winch_listener(WinchListener fn, void* arg) noexcept;

}  // namespace vtinput::detail
