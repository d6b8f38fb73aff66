// Whether this build runs under AddressSanitizer or ThreadSanitizer (g++ and clang spell it
// differently), for tests whose expectations differ there: sanitizers install their own crash
// handlers and keep extra memory.
#pragma once

namespace vtinput::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool k_sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool k_sanitized = true;
#else
inline constexpr bool k_sanitized = false;
#endif
#else
inline constexpr bool k_sanitized = false;
#endif

}  // namespace vtinput::test
