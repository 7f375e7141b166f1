"""The Chinese font every output uses: Noto Sans CJK SC, installed with circle15 from PyPI.

Never a system font: PNG maps and charts (matplotlib), the briefing PDF and the map page
all draw Chinese from the OFL-licensed ``NotoSansCJK-Regular.ttc`` of the
``noto-cjk-sans-otc`` package (face 2, Simplified Chinese forms), so they look the same on
a fresh machine without any CJK font. Pages embed only the glyphs they use
(:func:`font_face_css`); subsets are cached on disk by their character set, so a rerun of
the same county does not subset again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path
from typing import Any

from circle15.errors import InputError

#: The font package, file and face used: Simplified Chinese glyph forms.
BUNDLED_FONT_PACKAGE = "noto_cjk_sans_otc"
BUNDLED_FONT_FILE = "NotoSansCJK-Regular.ttc"
BUNDLED_FAMILY = "Noto Sans CJK SC"
FACE_INDEX = 2
#: The family name embedded fonts get in pages.
EMBEDDED_FAMILY = "C15 Noto Sans CJK SC"
#: Always in a subset: digits, Latin letters and common punctuation.
_BASE_CHARS = ("0123456789%.,:;/()-–—+<>=≥≤*▲△·• ABCDEFGHIJKLMNOPQRSTUVWXYZ"
               "abcdefghijklmnopqrstuvwxyz，。、；：（）《》“”〔〕")


def bundled_font_path() -> Path:
    """Path of the bundled CJK font collection (installed with circle15 from PyPI).

    Raises
    ------
    InputError
        If the font package is missing (a broken install).
    """
    from importlib import resources

    try:
        path = Path(str(resources.files(BUNDLED_FONT_PACKAGE) / BUNDLED_FONT_FILE))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise InputError("the bundled Chinese font is missing",
                         hint="reinstall circle15 (pip install circle15) to restore "
                              "the noto-cjk-sans-otc package")
    return path


def find_cjk_font() -> Any:
    """The bundled Noto Sans CJK SC as a :class:`matplotlib.font_manager.FontProperties`.

    It is registered with matplotlib's font manager the first time (adding a font changes
    no setting).
    """
    from matplotlib import font_manager

    path = bundled_font_path()
    if BUNDLED_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(family=BUNDLED_FAMILY)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "circle15" / "fonts"


def subset_font(text: str) -> bytes:
    """The bundled face subset to the characters of ``text`` (OpenType bytes), cached."""
    chars = "".join(sorted(set(text) | set(_BASE_CHARS)))
    path = bundled_font_path()
    key = hashlib.sha256(f"{path.stat().st_size}:{FACE_INDEX}:{chars}".encode()).hexdigest()
    cached = _cache_dir() / f"{key[:32]}.otf"
    if cached.is_file():
        return cached.read_bytes()
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # the original time stamp, not now: the same characters give the same bytes
    font = TTFont(str(path), fontNumber=FACE_INDEX, lazy=False, recalcTimestamp=False)
    opts = subset.Options(hinting=False, desubroutinize=True, name_IDs=["*"],
                          layout_features=["*"], notdef_outline=True)
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    try:
        from circle15.io import write_bytes

        write_bytes(cached, data)
    except OSError:
        pass  # no writable cache: subset again next time
    return data


def font_face_css(text: str, family: str = EMBEDDED_FAMILY) -> str:
    """An ``@font-face`` rule embedding the bundled font, subset to ``text``'s characters."""
    data = base64.b64encode(subset_font(text)).decode("ascii")
    return (f'@font-face{{font-family:"{family}";'
            f'src:url(data:font/otf;base64,{data}) format("opentype");'
            "font-weight:100 900;font-style:normal}\n")
