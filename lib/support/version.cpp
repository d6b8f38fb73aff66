// vtinput::version(): the version this library was built as, from the generated
// vtinput/version.hpp (the one version in meson.build).
#include "vtinput/version.hpp"

namespace vtinput {

Version version() noexcept { return {VTINPUT_VERSION_MAJOR, VTINPUT_VERSION_MINOR, VTINPUT_VERSION_PATCH}; }

std::string_view version_string() noexcept { return VTINPUT_VERSION_STRING; }

}  // namespace vtinput
