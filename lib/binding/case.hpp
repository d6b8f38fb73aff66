// Letter case for bindings (internal): the upper and lower case of a character, for folding
// Shift into a letter ("shift+a" is "A") and for the text a key types under CapsLock.
//
// Simple one-to-one case pairs of the scripts whose keyboards terminals commonly report:
// ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and Armenian. A character outside them
// has no case here, which only means Shift is kept beside it (Shift+1 stays Shift+1): never a
// wrong fold. Pairs that are not one-to-one (Turkish dotless i, German sharp s, Greek final
// sigma's upper case aside) are left out for the same reason.
#pragma once

namespace vtinput::detail {

// The upper case of `c`, or `c` when it has none here.
constexpr char32_t upper_case(char32_t c)
{
    if ((c >= U'a' && c <= U'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7)) {
        return c - 0x20;
    }
    if (c == 0xff) {
        return 0x178;
    }
    // Latin Extended-A: pairs, upper case first, on even or odd code points by block.
    if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) || (c >= 0x14a && c <= 0x177)) {
        return (c & 1) ? c - 1 : c;
    }
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) {
        return (c & 1) ? c : c - 1;
    }
    // Greek: alpha..omega (final sigma is sigma), then the accented vowels.
    if (c >= 0x3b1 && c <= 0x3c9) {
        return c == 0x3c2 ? 0x3a3 : c - 0x20;
    }
    if (c == 0x3ac) {
        return 0x386;
    }
    if (c >= 0x3ad && c <= 0x3af) {
        return c - 0x25;
    }
    if (c == 0x3cc) {
        return 0x38c;
    }
    if (c == 0x3cd || c == 0x3ce) {
        return c - 0x3f;
    }
    // Cyrillic: а..я, ѐ..џ, then the pairs of the extended blocks.
    if (c >= 0x430 && c <= 0x44f) {
        return c - 0x20;
    }
    if (c >= 0x450 && c <= 0x45f) {
        return c - 0x50;
    }
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) || (c >= 0x4d0 && c <= 0x4ff)) {
        return (c & 1) ? c - 1 : c;
    }
    // Armenian.
    if (c >= 0x561 && c <= 0x586) {
        return c - 0x30;
    }
    return c;
}

// The lower case of `c`, or `c` when it has none here (the inverse of upper_case).
constexpr char32_t lower_case(char32_t c)
{
    if ((c >= U'A' && c <= U'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7)) {
        return c + 0x20;
    }
    if (c == 0x178) {
        return 0xff;
    }
    if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) || (c >= 0x14a && c <= 0x177)) {
        return (c & 1) ? c : c + 1;
    }
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e)) {
        return (c & 1) ? c + 1 : c;
    }
    if ((c >= 0x391 && c <= 0x3a9 && c != 0x3a2)) {
        return c + 0x20;
    }
    if (c == 0x386) {
        return 0x3ac;
    }
    if (c >= 0x388 && c <= 0x38a) {
        return c + 0x25;
    }
    if (c == 0x38c) {
        return 0x3cc;
    }
    if (c == 0x38e || c == 0x38f) {
        return c + 0x3f;
    }
    if (c >= 0x410 && c <= 0x42f) {
        return c + 0x20;
    }
    if (c >= 0x400 && c <= 0x40f) {
        return c + 0x50;
    }
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) || (c >= 0x4d0 && c <= 0x4ff)) {
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x531 && c <= 0x556) {
        return c + 0x30;
    }
    return c;
}

// A character that types nothing visible: C0, DEL and C1 controls.
constexpr bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7f && c <= 0x9f); }

}  // namespace vtinput::detail
