#!/usr/bin/env python3
"""Draws the packages' icon, src/Packaging/icon.png (128x128 RGBA), with the standard library only.

A batch of objects as a 4x4 grid of tiles on a dark rounded square: most tiles green (Succeeded),
one amber (TemporaryFailure, redriven), one red (PermanentFailure) - a completion report at a glance.
The output is deterministic: run `python3 src/Packaging/make-icon.py` and commit icon.png.
"""
import os
import struct
import zlib

SIZE = 128
BACKGROUND = (35, 47, 62)
COLOURS = {"S": (46, 160, 67), "T": (240, 160, 32), "P": (214, 56, 56)}
GRID = ["SSSS",
        "SSTS",
        "SSSS",
        "SPSS"]


def inside_rounded(x, y, left, top, size, radius):
    """Whether pixel centre (x, y) lies in the square at (left, top) with corners rounded by radius."""
    px, py = x + 0.5, y + 0.5
    if not (left <= px < left + size and top <= py < top + size):
        return False
    cx = min(max(px, left + radius), left + size - radius)
    cy = min(max(py, top + radius), top + size - radius)
    return (px - cx) ** 2 + (py - cy) ** 2 <= radius ** 2


def pixel(x, y):
    if not inside_rounded(x, y, 0, 0, SIZE, 20):
        return (0, 0, 0, 0)
    tile, gap, margin = 22, 6, 17
    for row, line in enumerate(GRID):
        for column, status in enumerate(line):
            left, top = margin + column * (tile + gap), margin + row * (tile + gap)
            if inside_rounded(x, y, left, top, tile, 5):
                return COLOURS[status] + (255,)
    return BACKGROUND + (255,)


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    image = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png")
    with open(target, "wb") as out:
        out.write(png(SIZE, SIZE, image))
    print(target)
