// poll: a plain poll() loop over the device's receiver and another fd. The receiver's fd() is
// readable whenever events are pending; here the other fd is a pipe on which a worker thread
// delivers a result (it could be a socket, or a child's output). w starts the worker, q quits.
//
//   build-dir/examples/poll
#include <vtinput/input_device.hpp>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <variant>

#include <poll.h>
#include <unistd.h>

namespace {

// Work that takes a while: counts the primes below `n`, then writes the count to `fd`.
void count_primes(int n, int fd)
{
    int count = 0;
    for (int i = 2; i < n; ++i) {
        bool prime = true;
        for (int d = 2; d * d <= i && prime; ++d) {
            prime = i % d != 0;
        }
        count += prime ? 1 : 0;
    }
    std::string line = std::to_string(count) + " primes below " + std::to_string(n);
    (void)!::write(fd, line.data(), line.size());  // one short write: atomic on a pipe
}

}  // namespace

int main()
try {
    vtinput::InputDevice device = vtinput::InputDevice::open();
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe");
    }
    std::thread worker;
    std::printf("Press keys; w starts a job; q quits.\n");
    std::fflush(stdout);

    pollfd fds[2] = {{device.events().fd(), POLLIN, 0}, {pipe_fds[0], POLLIN, 0}};
    for (bool running = true; running && !device.events().closed();) {
        ::poll(fds, 2, -1);  // -1: no timeout; a number of ms here would make a timer
        if (fds[1].revents & POLLIN) {
            char buf[128];
            ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
            std::printf("job finished: %.*s\n", static_cast<int>(n > 0 ? n : 0), buf);
            worker.join();
        }
        // The readiness contract: readable means "look", not "an event is certainly there"
        // (it can be spurious), so take events with try_receive() until it returns nullopt;
        // a blocking receive() here could stall the loop.
        while (std::optional<vtinput::Event> event = device.try_receive()) {
            const auto* key = std::get_if<vtinput::KeyEvent>(&*event);
            if (key && key->key == vtinput::char_key(U'q') && key->mods.empty()) {
                running = false;
                break;
            }
            if (key && key->key == vtinput::char_key(U'w') && !worker.joinable()) {
                worker = std::thread(count_primes, 100000, pipe_fds[1]);
                std::printf("job started\n");
            } else {
                std::printf("%s\n", vtinput::to_string(*event).c_str());
            }
        }
        std::fflush(stdout);
    }
    if (worker.joinable()) {
        worker.join();
    }
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::printf("Bye.\n");
    return 0;
} catch (const std::system_error& e) {
    std::fprintf(stderr, "poll example: %s\n", e.what());
    return 1;
}
