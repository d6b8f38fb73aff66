// Which terminal to read and to put into raw mode, written once (see source.hpp).
//
// Invariants: the fds this file opens are close-on-exec and never make a terminal the
// process's controlling terminal (O_NOCTTY). The reading side is always a description of our
// own or one whose flags are put back, so the caller's file status flags are never changed for
// good. No state: the terminal name is looked up anew on each call (ttyname_r, which unlike
// ttyname is safe when two threads open at once).
#include "device/source.hpp"

#include <cerrno>
#include <climits>
#include <string>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/platform.hpp"
#include "support/error.hpp"

namespace vtinput::detail {
namespace {

UniqueFd open_path(const char* path, int flags) { return UniqueFd(::open(path, flags | O_NOCTTY | O_CLOEXEC)); }

}  // namespace

std::string terminal_path()
{
    char name[PATH_MAX];
    if (::isatty(STDIN_FILENO) && ::ttyname_r(STDIN_FILENO, name, sizeof name) == 0) {
        return name;
    }
    return "/dev/tty";
}

SourceIdentity source_identity(const DeviceOptions& options)
{
    if (options.fd < 0) {
        return {};
    }
    struct stat st {};
    if (::fstat(options.fd, &st) != 0) {
        throw_errno(errno, "fd " + std::to_string(options.fd) + " is not open");
    }
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

InputFd open_input(const DeviceOptions& options)
{
    constexpr int flags = O_RDONLY | O_NONBLOCK;
    if (options.fd < 0) {
        std::string path = terminal_path();
        UniqueFd fd = open_path(path.c_str(), flags);
        if (!fd) {
            throw_errno(errno, "cannot open the terminal (" + path + ")");
        }
        return {std::move(fd), -1};
    }
    UniqueFd fd = platform::reopen(options.fd, flags);
    if (fd) {
        return {std::move(fd), -1};
    }
    // Sockets cannot be re-opened (nor, on the portable backend, anything but a terminal):
    // share the description and put its flags back afterwards.
    int old_flags = ::fcntl(options.fd, F_GETFL);
    fd.reset(::fcntl(options.fd, F_DUPFD_CLOEXEC, 0));
    if (!fd || old_flags < 0) {
        throw_errno(errno, "cannot use fd " + std::to_string(options.fd));
    }
    return {std::move(fd), old_flags};
}

ModesFd open_for_modes(const DeviceOptions& options)
{
    ModesFd out;
    if (options.fd >= 0) {
        out.fd = ::isatty(options.fd) ? options.fd : -1;
        return out;
    }
    // The reading side opened this terminal a moment ago; if writing is refused, the device
    // goes without modes rather than failing. Running out of fds is no refusal.
    std::string path = terminal_path();
    out.owned = open_path(path.c_str(), O_RDWR);
    if (!out.owned && errno != EACCES && errno != EPERM && errno != EROFS) {
        throw_errno(errno, "cannot open the terminal (" + path + ") to set its modes");
    }
    out.fd = out.owned.get();
    return out;
}

std::optional<ResizeEvent> window_size(int fd)
{
    winsize ws{};
    if (fd < 0 || ::ioctl(fd, TIOCGWINSZ, &ws) != 0) {
        return std::nullopt;
    }
    return ResizeEvent{ws.ws_col, ws.ws_row, ws.ws_xpixel, ws.ws_ypixel};
}

std::optional<ResizeEvent> terminal_size(const DeviceOptions& options)
{
    if (options.fd >= 0) {
        return window_size(options.fd);
    }
    UniqueFd fd = open_path(terminal_path().c_str(), O_RDONLY | O_NONBLOCK);
    return window_size(fd.get());
}

}  // namespace vtinput::detail
