// The install test's consumer (tests/install/run.sh): a program built against an installed or
// bundled vtinput the way its users build theirs, by each supported build system.
//
// It decodes its standard input (a pipe) with vtinput::Decoder and prints each event's JSON, one
// per line; checks that the library linked in is the version its headers say; and uses the
// device layer, so that libuv and the threads library must really link: opening the device on
// an fd that is not open must fail with std::system_error, and opening it on a pipe whose
// writer has gone must deliver the end of input. Exit status 0 when all of that holds, else 1
// with a message on stderr.
#include <vtinput/decoder.hpp>
#include <vtinput/event.hpp>
#include <vtinput/input_device.hpp>
#include <vtinput/version.hpp>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace {

int fail(const char* what)
{
    std::fprintf(stderr, "consumer: %s\n", what);
    return 1;
}

// The device on an fd that is not open: set-up fails, with nothing left behind.
bool device_refuses_closed_fd()
{
    int fds[2];
    if (::pipe(fds) != 0) {
        return false;
    }
    ::close(fds[0]);
    ::close(fds[1]);
    vtinput::DeviceOptions options;
    options.fd = fds[0];
    options.terminal = std::nullopt;
    try {
        auto device = vtinput::InputDevice::open(options);
    } catch (const std::system_error&) {
        return true;
    }
    return false;
}

// The device on a pipe with no writer: the poller thread (libuv) reads the end of input.
bool device_reads_end_of_pipe()
{
    int fds[2];
    if (::pipe(fds) != 0) {
        return false;
    }
    ::close(fds[1]);
    vtinput::DeviceOptions options;
    options.fd = fds[0];
    options.terminal = std::nullopt;
    bool eof = false;
    try {
        auto device = vtinput::InputDevice::open(options);
        auto event = device.receive_for(std::chrono::seconds(10));
        eof = event && std::holds_alternative<vtinput::EofEvent>(*event);
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
    }
    ::close(fds[0]);
    return eof;
}

}  // namespace

int main()
{
    constexpr vtinput::Version headers{VTINPUT_VERSION_MAJOR, VTINPUT_VERSION_MINOR, VTINPUT_VERSION_PATCH};
    if (vtinput::version() != headers || vtinput::version_string() != VTINPUT_VERSION_STRING) {
        return fail("the library's version is not the headers' VTINPUT_VERSION_*");
    }
    if (!device_refuses_closed_fd()) {
        return fail("InputDevice::open on a closed fd did not throw std::system_error");
    }
    if (!device_reads_end_of_pipe()) {
        return fail("InputDevice::open on an empty pipe did not deliver EofEvent");
    }

    vtinput::Decoder decoder;
    std::vector<vtinput::Event> events;
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail("cannot read standard input");
        }
        if (n == 0) {
            break;
        }
        decoder.feed(std::string_view(buffer, static_cast<std::size_t>(n)), vtinput::Decoder::clock::now(), events);
    }
    decoder.finish(events);
    for (const auto& event : events) {
        std::printf("%s\n", vtinput::to_json(event).c_str());
    }
    return 0;
}
