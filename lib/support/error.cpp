// The error helper: one message form and one category for everything vtinput throws.
#include "support/error.hpp"

namespace vtinput::detail {

std::string error_message(std::string_view what)
{
    std::string out = "vtinput: ";
    out += what;
    return out;
}

void throw_error(std::error_code code, std::string_view what) { throw std::system_error(code, error_message(what)); }

}  // namespace vtinput::detail
