#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the decoder fuzz corpus (corpus/seed-*).

One file per grammar family, so that a failing replay names the family. The inputs found
by the fuzzer itself (SHA-1 names, added with -merge=1) live beside them. Re-running this
script rewrites the seed-* files only.

usage: python3 gen_seeds.py [CORPUS_DIR]   (default: corpus/ next to this script)
"""
import os
import sys

ESC = b"\x1b"
CSI = ESC + b"["
SS3 = ESC + b"O"
ST = ESC + b"\\"

SEEDS = {
    # text and controls
    "text-ascii": b"hello, world!\r~ `{|}",
    "text-utf8": "é€😀日本ßΩ".encode(),
    "c0-controls": bytes(range(0x00, 0x1b)) + bytes(range(0x1c, 0x20)) + b"\x7f",
    "alt-keys": ESC + b"a" + ESC + b"B" + ESC + b"\x7f" + ESC + b"\r" + ESC + b" " + ESC + "é".encode(),
    "esc-lone": ESC,
    "esc-esc": ESC + ESC,
    "esc-bracket": CSI,
    "esc-esc-csi": ESC + CSI + b"A" + ESC + CSI + b"<0;1;1M" + ESC + CSI,
    # legacy keys
    "keys-cursor": CSI + b"A" + CSI + b"B" + SS3 + b"C" + SS3 + b"D" + CSI + b"H" + CSI + b"F" + SS3 + b"H" + CSI + b"E",
    "keys-modified": CSI + b"1;5A" + CSI + b"1;2P" + CSI + b"1;8S" + CSI + b"Z" + CSI + b"1;3Z" + CSI + b"1;16D",
    "keys-tilde": b"".join(CSI + s + b"~" for s in
                           [b"2", b"3;5", b"5", b"6;2", b"15", b"24;8", b"29", b"34", b"1", b"4", b"7", b"8", b"99"]),
    "keys-rxvt": CSI + b"2$" + CSI + b"3^" + CSI + b"5@" + CSI + b"a" + CSI + b"b" + SS3 + b"a" + SS3 + b"d",
    "keys-ss3-keypad": b"".join(SS3 + bytes([c]) for c in b"pyMXjklmnoI ") + SS3 + b"5A" + SS3 + b"1;5B",
    "keys-linux-console": CSI + b"[A" + CSI + b"[E" + CSI + b"[F" + CSI + b"[",
    "keys-modify-other": CSI + b"27;5;97~" + CSI + b"27;2;13~" + CSI + b"27;5;0~",
    # kitty keyboard protocol
    "kitty-basic": CSI + b"97u" + CSI + b"97;5u" + CSI + b"97;5:3u" + CSI + b"13;1:2u" + CSI + b"57399u" + CSI + b"57441;2u",
    "kitty-alternates-text": CSI + b"97:65;2;65u" + CSI + b"97:65:97;2:1;65u" + CSI + b"1;5:3A" + CSI + b"3;5:2~" +
                             CSI + b"57376u" + CSI + b"57358u" + CSI + b"97;;97:98:99u",
    "kitty-invalid": CSI + b"55296u" + CSI + b"1114112u" + CSI + b"97;300u" + CSI + b"97:0u" + CSI + b"u" + CSI + b"99999999999u",
    # replies
    "reports-csi": CSI + b"?31u" + CSI + b"?62;22c" + CSI + b">1;10;0c" + CSI + b"?997;1n" + CSI + b"?2004;1$y" +
                   CSI + b"12;2$y" + CSI + b"0n",
    "reports-cpr": CSI + b"12;40R" + CSI + b"1;5R" + CSI + b"R" + CSI + b"1;2:3R" + CSI + b"?12;40R",
    "reports-window-focus": CSI + b"48;24;80;480;640t" + CSI + b"8;24;80t" + CSI + b"I" + CSI + b"O",
    # mouse
    "mouse-sgr": b"".join(CSI + b"<" + s for s in
                          [b"0;10;5M", b"0;10;5m", b"32;11;5M", b"35;12;6M", b"64;1;1M", b"65;1;1M", b"66;1;1M",
                           b"4;1;1M", b"28;3;4M", b"128;2;2M", b"0;500;300m"]),
    "mouse-sgr-invalid": CSI + b"<256;1;1M" + CSI + b"<0;1M" + CSI + b"<0:1;1;1M" + CSI + b"<;;M" + CSI + b"<0;1;1;1M",
    "mouse-x10": CSI + b"M !!" + CSI + b"M#!!" + CSI + b"M`!!" + CSI + b"Ma!!" + CSI + b"M@\x7f\x7f" + CSI + b"M\xff\xff\xff",
    "mouse-x10-utf8": CSI + b"M \xc4\x80\xc4\x80" + CSI + b"M \xc2\x7f!" + CSI + b"M \xc3",
    "mouse-x10-invalid": CSI + b"M\x01!!" + CSI + b"M !",
    "mouse-urxvt": CSI + b"32;10;5M" + CSI + b"35;1;1M" + CSI + b"96;2;2M" + CSI + b"31;1;1M",
    # bracketed paste
    "paste-basic": CSI + b"200~hello\r\nworld" + CSI + b"201~",
    "paste-esc-inside": CSI + b"200~a" + CSI + b"Ab" + CSI + b"201x" + CSI + b"20" + ESC + CSI + b"201~x",
    "paste-unterminated": CSI + b"200~unterminated " + CSI + b"20",
    "paste-over-cap": CSI + b"200~" + bytes(0x21 + i % 90 for i in range(1500)) + CSI + b"201~" + b"z",
    "paste-nested-marker": CSI + b"200~" + CSI + b"200~x" + CSI + b"201~" + CSI + b"201~",
    # The end marker straddles the chunk boundaries the harness derives from the first bytes.
    "paste-split-marker": CSI + b"200~" + b"0123456789" * 3 + b"\x1b[2" + b"01~" + CSI + b"200~" + b"ab" + CSI + b"201~",
    # OSC / DCS / APC strings
    "osc-bel": ESC + b"]11;rgb:0000/0000/0000\x07",
    "osc-st": ESC + b"]10;rgb:ffff/ffff/ffff" + ST,
    "osc-8bit": b"\x9d11;rgb:1/2/3\x9c" + b"\x9d0;x\x07" + b"\x9d1;y" + ST,
    "dcs-replies": ESC + b"P>|xterm(388)" + ST + ESC + b"P!|7E565445" + ST + ESC + b"P1+r544e=787465726d" + ST +
                   ESC + b"P1$r0m" + ST + ESC + b"Pq#0;2;0;0;0" + ST,
    "dcs-8bit": b"\x90>|kitty\x9c" + b"\x900+r\x9c",
    "apc": ESC + b"_Gi=1;OK" + ST + ESC + b"_" + ST,
    "string-aborted": ESC + b"]11;rgb" + CSI + b"A" + ESC + b"P>|abc",
    "string-over-cap": ESC + b"]" + b"x" * 300 + b"\x07" + b"y",
    "string-8bit-7bit-terminator": b"\x9d2;t" + ST + ESC + b"]3;u\x9c" + b"\x07",
    # malformed input
    "utf8-invalid": b"\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xf4\x90\x80\x80\xf8\x88\x80\x80\x80\xff\xfe\x80\xbf\xe2\x82",
    "csi-over-long": CSI + b"1;" * 40 + b"A" + CSI + b"9" * 100 + b"~",
    "csi-too-many-params": CSI + b";" * 33 + b"u" + CSI + b"1" + b":" * 40 + b"u",
    "csi-odd": CSI + b"1 q" + CSI + b"?1;2$y" + CSI + b">0;1;2m" + CSI + b"=1c" + CSI + b"1<A" + CSI + b"?25h" +
               CSI + b"1\x01A",
    "c1-controls": b"\x9bA" + b"\x9b1;5B" + b"\x8fP" + b"\x85\x84\x9f" + b"\x9b200~p" + CSI + b"201~" + b"\x8f",
    "esc-c1": ESC + b"\xc3\xa9" + ESC + b"\x9bA" + ESC + b"\x90x\x9c" + ESC + b"\x8fQ",
    # KeyMap entries of the harness's second configuration
    "keymap": CSI + b"[F1" + CSI + b"Y" + SS3 + b"z" + CSI + b"2$x" + b"\x9b9z\x08" + CSI + b"[1;2;3;4;5Z" + CSI + b"[1;2;3",
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(SEEDS), out))


if __name__ == "__main__":
    main()
