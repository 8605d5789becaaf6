#!/usr/bin/env python3
"""How much of a PNG is drawn: the pixels that differ from white, and those
of a given colour. Decoded with zlib alone (8-bit RGB or RGBA, not
interlaced: what Chromium's --screenshot writes), for
tests/show-timeline.bats.

    python3 png-ink.py FILE [RRGGBB]...
    -> "WIDTH HEIGHT INK [COUNT]..."
"""
import struct
import sys
import zlib


def pixels(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s: not a PNG" % path)
    pos, idat, head = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = head
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise SystemExit("%s: depth %d, colour type %d, interlace %d: "
                         "not read here" % (path, depth, colour, interlace))
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                row[i] = (row[i] + a) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + b) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                row[i] = (row[i] + pred) & 0xFF
        rows.append(row)
        prev = row
    return width, height, bpp, rows


def main():
    width, height, bpp, rows = pixels(sys.argv[1])
    wanted = [tuple(bytes.fromhex(c)) for c in sys.argv[2:]]
    counts = [0] * len(wanted)
    ink = 0
    for row in rows:
        for x in range(0, len(row), bpp):
            rgb = tuple(row[x:x + 3])
            if rgb != (255, 255, 255):
                ink += 1
            for i, w in enumerate(wanted):
                if rgb == w:
                    counts[i] += 1
    print(" ".join(str(n) for n in [width, height, ink] + counts))


if __name__ == "__main__":
    main()
