// UTF-8 and hex, written once (internal). Header-only and constexpr-friendly: the decoder,
// the JSON and human forms and the tests share these definitions.
//
// decode_utf8 is the one definition of what a valid UTF-8 character is: shortest form, no
// surrogates, nothing above U+10FFFF. Its answer for a broken character also says how many
// bytes belong to it, which the decoder needs to keep continuation bytes from being read as
// 8-bit C1 controls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vtinput::detail {

inline constexpr char k_hex_digits[] = "0123456789abcdef";

// The value of a hex digit (either case), or -1.
inline constexpr int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Appends lower-case hex, two digits a byte, no separators.
inline void append_hex(std::string& out, std::string_view bytes)
{
    for (char ch : bytes) {
        auto c = static_cast<unsigned char>(ch);
        out += k_hex_digits[c >> 4];
        out += k_hex_digits[c & 15];
    }
}

inline constexpr bool is_scalar(std::uint32_t v) { return v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff); }

enum class Utf8Status : std::uint8_t {
    valid,       // `cp` is the character, `len` its bytes
    invalid,     // `len` bytes (at least 1) are a broken character: the lead and the
                 // continuation bytes that follow it, up to the length the lead announces
    incomplete,  // the input ended after `len` continuation bytes of a character still open
};

struct Utf8 {
    Utf8Status status;
    std::uint8_t len;
    char32_t cp;
};

// One UTF-8 character at p (p < end).
constexpr Utf8 decode_utf8(const unsigned char* p, const unsigned char* end)
{
    unsigned char c = *p;
    if (c < 0x80) {
        return {Utf8Status::valid, 1, c};
    }
    std::uint8_t need = c < 0xc0 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf8 ? 3 : 0;
    if (need == 0) {
        return {Utf8Status::invalid, 1, 0};  // a stray continuation byte, or F8..FF
    }
    // The second byte's range depends on the lead (no overlongs, surrogates or > U+10FFFF).
    bool valid = c >= 0xc2 && c <= 0xf4;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xe0) {
        lo = 0xa0;
    } else if (c == 0xed) {
        hi = 0x9f;
    } else if (c == 0xf0) {
        lo = 0x90;
    } else if (c == 0xf4) {
        hi = 0x8f;
    }
    char32_t cp = c & (0x3fu >> need);
    std::uint8_t i = 1;
    for (; i <= need; ++i) {
        if (p + i >= end) {
            return {Utf8Status::incomplete, i, 0};
        }
        unsigned char b = p[i];
        if (b < 0x80 || b > 0xbf) {
            return {Utf8Status::invalid, i, 0};
        }
        valid = valid && b >= lo && b <= hi;
        lo = 0x80;
        hi = 0xbf;
        cp = (cp << 6) | (b & 0x3fu);
    }
    return valid ? Utf8{Utf8Status::valid, i, cp} : Utf8{Utf8Status::invalid, i, 0};
}

inline Utf8 decode_utf8(std::string_view s, std::size_t i)
{
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    return decode_utf8(p + i, p + s.size());
}

// The UTF-8 form of `cp` in out[0..3]; returns its length. A value that is not a scalar
// becomes U+FFFD.
constexpr std::size_t encode_utf8(char32_t cp, char (&out)[4])
{
    if (!is_scalar(cp)) {
        cp = 0xfffd;
    }
    if (cp < 0x80) {
        out[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<char>(0xc0 | (cp >> 6));
        out[1] = static_cast<char>(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<char>(0xe0 | (cp >> 12));
        out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out[2] = static_cast<char>(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = static_cast<char>(0xf0 | (cp >> 18));
    out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out[3] = static_cast<char>(0x80 | (cp & 0x3f));
    return 4;
}

}  // namespace vtinput::detail
