"""A small PNG of a measure's SPC chart, for e-mails.

Mail clients (Gmail, Outlook) block SVG, so a celebration e-mail carries the chart as an
inline PNG. Pillow or matplotlib would draw it with anti-aliasing and labels, but neither
is a dependency; this draws the essentials (points coloured by Making Data Count point
type, centre line, process limits, target) with the standard library's zlib, at twice the
displayed size so clients scale it down smoothly. The numbers are in the e-mail's text.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from typing import Any

from projects import palette

Colour = tuple[int, int, int]

# The charts' own palette, so the e-mail looks like the charts people know.
POINT_COLOURS: dict[str, Colour] = {
    kind: palette.rgb(colour) for kind, colour in palette.POINT_COLOURS.items()
}
WHITE = palette.rgb(palette.WHITE)
SERIES = palette.rgb(palette.SERIES)
CENTRE = palette.rgb(palette.CENTRE)
LIMIT = palette.rgb(palette.COMMON_CAUSE)
TARGET = palette.rgb(palette.TARGET)

WIDTH, HEIGHT, SCALE, MARGIN = 640, 240, 2, 12
MOST_POINTS = 60


class Canvas:
    """An RGB raster with just enough drawing for a line chart."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(WHITE * (width * height))

    def dot(self, x: int, y: int, colour: Colour, size: int = 1) -> None:
        half = size // 2
        for py in range(y - half, y - half + size):
            if 0 <= py < self.height:
                for px in range(x - half, x - half + size):
                    if 0 <= px < self.width:
                        offset = (py * self.width + px) * 3
                        self.pixels[offset : offset + 3] = bytes(colour)

    def line(
        self,
        start: tuple[float, float],
        end: tuple[float, float],
        colour: Colour,
        width: int = 1,
        dash: int = 0,
    ) -> None:
        (x0, y0), (x1, y1) = start, end
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for step in range(int(steps) + 1):
            t = step / steps
            x, y = round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t)
            # Dashes keyed to the column, so a line drawn in segments dashes evenly.
            if dash and (x // dash) % 2:
                continue
            self.dot(x, y, colour, width)

    def disc(self, cx: float, cy: float, radius: int, colour: Colour) -> None:
        for dy in range(-radius, radius + 1):
            for dx in range(-radius, radius + 1):
                if dx * dx + dy * dy <= radius * radius:
                    self.dot(round(cx) + dx, round(cy) + dy, colour)

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self.pixels[row * stride : (row + 1) * stride])
            for row in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )


def _chunk(tag: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def chart_png(result: dict[str, Any], target: float | None = None) -> bytes | None:
    """The chart of an SPC result (the engine's contract) as PNG bytes; None if empty."""
    points: Sequence[dict[str, Any]] = (result.get("points") or [])[-MOST_POINTS:]
    if len(points) < 2:
        return None
    width, height, margin = WIDTH * SCALE, HEIGHT * SCALE, MARGIN * SCALE
    levels = [p["value"] for p in points] + [
        p[key] for p in points for key in ("lower", "upper", "centre") if p.get(key) is not None
    ]
    if target is not None:
        levels.append(target)
    low, high = min(levels), max(levels)
    pad = (high - low) * 0.08 or 1.0
    low, high = low - pad, high + pad

    def x_of(index: int) -> float:
        return margin + index * (width - 2 * margin) / (len(points) - 1)

    def y_of(value: float) -> float:
        return margin + (high - value) / (high - low) * (height - 2 * margin)

    canvas = Canvas(width, height)
    if target is not None:
        canvas.line((margin, y_of(target)), (width - margin, y_of(target)), TARGET, 2, dash=12)
    for first, last in _group_spans(points):
        for key, colour, size, dash in (
            ("lower", LIMIT, 2, 8),
            ("upper", LIMIT, 2, 8),
            ("centre", CENTRE, 2, 0),
        ):
            # Segment by segment, so the varying limits of p and u charts are drawn too.
            for index in range(first, last):
                here, there = points[index].get(key), points[index + 1].get(key)
                if here is not None and there is not None:
                    canvas.line(
                        (x_of(index), y_of(here)),
                        (x_of(index + 1), y_of(there)),
                        colour,
                        size,
                        dash,
                    )
    for index in range(1, len(points)):
        canvas.line(
            (x_of(index - 1), y_of(points[index - 1]["value"])),
            (x_of(index), y_of(points[index]["value"])),
            SERIES,
            3,
        )
    for index, point in enumerate(points):
        colour = POINT_COLOURS.get(point.get("point_type") or "", POINT_COLOURS["common_cause"])
        canvas.disc(x_of(index), y_of(point["value"]), 5 * SCALE // 2 + 1, colour)
    return canvas.png()


def _group_spans(points: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for index in range(1, len(points) + 1):
        if index == len(points) or points[index]["group"] != points[start]["group"]:
            spans.append((start, index - 1))
            start = index
    return spans
