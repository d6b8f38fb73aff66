// One form for every error vtinput reports (internal).
//
// At the API edge vtinput throws std::system_error; at run time it sends ErrorEvents. Both
// carry an error code in the generic (errno) category, so callers compare with std::errc
// whatever failed, and a message that starts "vtinput: " and says what was being done
// ("vtinput: cannot open the terminal (/dev/tty)"); std::system_error appends the errno text.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace vtinput::detail {

// The error code of an errno value (generic category).
inline std::error_code errno_code(int err) { return {err, std::generic_category()}; }

// "vtinput: " + what.
std::string error_message(std::string_view what);

[[noreturn]] void throw_error(std::error_code code, std::string_view what);
[[noreturn]] inline void throw_error(std::errc code, std::string_view what)
{
    throw_error(std::make_error_code(code), what);
}
// The errno value `err` (pass errno right after the failing call).
[[noreturn]] inline void throw_errno(int err, std::string_view what) { throw_error(errno_code(err), what); }

}  // namespace vtinput::detail
