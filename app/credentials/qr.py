"""QR rendering for credential texts: alphanumeric mode, error correction Q."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import qrcode
from PIL import Image
from qrcode import constants, util

QUIET_ZONE = 4  # modules of white border the QR standard requires


def _alphanumeric(text: str) -> bool:
    return all(c.encode() in util.ALPHA_NUM for c in text) if text.isascii() else False


def make_qr(text: str) -> qrcode.QRCode:
    """The smallest QR code at level Q for `text`, with the standard's best mask.

    FG1/HC1 texts (uppercase base45) are encoded as one alphanumeric segment, 5.5 bits a
    character instead of 8; any other text falls back to qrcode's own mode choice.
    """
    qr = qrcode.QRCode(error_correction=constants.ERROR_CORRECT_Q, border=QUIET_ZONE)
    if _alphanumeric(text):
        qr.add_data(util.QRData(text, mode=util.MODE_ALPHA_NUM))
    else:
        qr.add_data(text)
    qr.best_fit()
    # qrcode scores the 8 masks by building 8 matrices and walking them in pure Python
    # (~50 ms for a version 10 code). We build one matrix and score each mask with a few
    # big-integer operations; the score is the same function (tests compare it with
    # qrcode.util.lost_point), so the chosen mask and the symbol are identical.
    qr.makeImpl(True, 0)
    layout = _layout(qr.version)
    rows = [_bits(row) for row in qr.modules]
    masked_0 = _pack(rows + _transpose(rows, layout.n), layout.stride)
    unmasked = masked_0 ^ layout.flips[0]
    scores = [_score(unmasked ^ flips, layout) for flips in layout.flips]
    best = scores.index(min(scores))  # first minimum, as qrcode picks it
    matrix = unmasked ^ layout.flips[best]
    qr.modules = [
        [bool(matrix >> (r * layout.stride + c) & 1) for c in range(layout.n)]
        for r in range(layout.n)
    ]
    qr.setup_type_info(False, best)
    if qr.version >= 7:
        qr.setup_type_number(False)
    qr.mask_pattern = best
    return qr


def _bits(row: list[bool]) -> int:
    return sum(1 << c for c, dark in enumerate(row) if dark)


def _transpose(rows: list[int], n: int) -> list[int]:
    return [sum(1 << r for r, row in enumerate(rows) if row >> c & 1) for c in range(n)]


def _pack(lines: list[int], stride: int) -> int:
    """All lines in one int, `stride` bits apart: the gap bit keeps runs from joining."""
    packed = 0
    for i, line in enumerate(lines):
        packed |= line << (i * stride)
    return packed


def _windows(x: int, width: int) -> int:
    """Bit p set where bits p .. p+width-1 of x are all set."""
    result = x
    for k in range(1, width):
        result &= x >> k
    return result


@dataclass(frozen=True)
class _Layout:
    n: int
    stride: int
    inside: int  # every module bit, rows then columns
    finder_ok: int  # positions where an 11-module window lies inside one line
    block_ok: int  # row-part positions that are the top-left of a 2x2 block
    flips: tuple[int, ...]  # per mask: the data modules it inverts (rows and columns)


@functools.lru_cache(maxsize=40)
def _layout(version: int) -> _Layout:
    blank = qrcode.QRCode(version=version)
    n = blank.modules_count = version * 4 + 17
    blank.modules = [[None] * n for _ in range(n)]
    blank.setup_position_probe_pattern(0, 0)
    blank.setup_position_probe_pattern(n - 7, 0)
    blank.setup_position_probe_pattern(0, n - 7)
    blank.setup_position_adjust_pattern()
    blank.setup_timing_pattern()
    blank.setup_type_info(True, 0)
    if version >= 7:
        blank.setup_type_number(True)
    data = [[cell is None for cell in row] for row in blank.modules]  # what map_data fills
    flips = []
    for mask in range(8):
        flip = util.mask_func(mask)
        rows = [_bits([data[r][c] and flip(r, c) for c in range(n)]) for r in range(n)]
        flips.append(_pack(rows + _transpose(rows, n), n + 1))
    return _geometry(n, tuple(flips))


def _geometry(n: int, flips: tuple[int, ...]) -> _Layout:
    stride = n + 1
    full = (1 << n) - 1
    inside = _pack([full] * (2 * n), stride)
    block_ok = _pack([full >> 1] * (n - 1), stride)
    return _Layout(n, stride, inside, _windows(inside, 11), block_ok, flips)


_FINDER_LIKE = (0b00001011101, 0b10111010000)  # 1:1:3:1:1 with 4 light modules on one side


def _score(matrix: int, layout: _Layout) -> int:
    """ISO 18004 mask penalty, with the rules and numbers of qrcode.util.lost_point."""
    n, stride = layout.n, layout.stride
    dark = matrix
    light = ~matrix & layout.inside
    score = 0
    # Rule 1: each run of 5+ modules of one colour costs 3 + (length - 5) = length - 2,
    # i.e. one point per 5-module window in it plus 2 per run.
    for colour in (dark, light):
        windows = _windows(colour, 5)
        score += windows.bit_count() + 2 * (windows & ~(windows << 1)).bit_count()
    # Rule 2: 3 per 2x2 block of one colour (rows part only; row r+1 is `stride` above).
    same_h = ~(matrix ^ matrix >> 1)
    same_v = ~(matrix ^ matrix >> stride)
    score += 3 * (same_h & same_v & (same_h >> stride) & layout.block_ok).bit_count()
    # Rule 3: 40 per finder-like pattern in a row or column.
    for pattern in _FINDER_LIKE:
        hits = layout.finder_ok
        for k in range(11):
            hits &= (matrix if pattern >> k & 1 else ~matrix) >> k
        score += 40 * hits.bit_count()
    # Rule 4: 10 per full 5 % that the dark share departs from 50 %.
    dark_modules = (matrix & ((1 << (n * stride)) - 1)).bit_count()
    score += int(abs(float(dark_modules) / (n * n) * 100 - 50) / 5) * 10
    return score


def penalty(modules: list[list[bool]]) -> int:
    """The mask penalty of a square matrix of modules (exposed for tests)."""
    n = len(modules)
    rows = [_bits(row) for row in modules]
    layout = _geometry(n, ())
    return _score(_pack(rows + _transpose(rows, n), layout.stride), layout)


def qr_version(text: str) -> int:
    """QR version (1-40) `text` needs at error correction Q."""
    return int(make_qr(text).version)


def qr_matrix(text: str, *, border: int = QUIET_ZONE) -> list[list[bool]]:
    """Module matrix (True = dark) including a quiet zone of `border` modules."""
    modules = make_qr(text).modules
    size = len(modules)
    blank = [False] * (size + 2 * border)
    rows = [list(blank) for _ in range(border)]
    rows += [[False] * border + [bool(m) for m in row] + [False] * border for row in modules]
    rows += [list(blank) for _ in range(border)]
    return rows


def render_qr_svg(text: str, *, size: str | None = None, border: int = QUIET_ZONE) -> str:
    """SVG with one path (a horizontal run of dark modules per subpath), 1 unit = 1 module.

    `size` sets width/height (e.g. "40mm"); without it the SVG scales to its container.
    """
    matrix = qr_matrix(text, border=border)
    n = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    dims = f' width="{size}" height="{size}"' if size else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}"{dims}'
        ' shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def render_qr_png(text: str, box_size: int = 8, *, border: int = QUIET_ZONE) -> bytes:
    """PNG (1-bit) with `box_size` pixels per module."""
    matrix = qr_matrix(text, border=border)
    n = len(matrix)
    image = Image.new("1", (n, n), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    if box_size != 1:
        image = image.resize((n * box_size, n * box_size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
