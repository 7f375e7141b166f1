"""The briefing as PDF (``briefing.pdf``), printed by Chromium, and the embedded font.

Chromium is optional: fresh machines have none, so a missing browser (or Playwright) is
a warning naming what was skipped, never a failed run. The page uses no system font:
:func:`font_face_css` embeds a subset of the bundled Noto Sans CJK SC (only the
characters the page shows) as an ``@font-face`` data URI.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from circle15 import fonts
from circle15.io import atomic_file

log = logging.getLogger(__name__)

#: Font family name of the embedded subset (distinct from any installed font).
FONT_FAMILY = fonts.EMBEDDED_FAMILY
#: Chromium used when no path is given: Debian's, then one on PATH.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the bundled CJK font subset to ``text``
    (see :func:`circle15.fonts.font_face_css`)."""
    return fonts.font_face_css(text, FONT_FAMILY)


#: Debian's /usr/bin/chromium is a launcher script for this binary; without the binary
#: (a half-removed install) the launcher is there but no browser starts.
_DEBIAN_BINARY = Path("/usr/lib/chromium/chromium")


def find_chromium(path: str | Path | None = None) -> Path | None:
    """The Chromium executable to print with, or ``None`` when there is none."""
    if path:
        return Path(path) if Path(path).is_file() else None
    for c in CHROMIUM_CANDIDATES:
        if Path(c).is_file():
            return Path(c) if _launchable(Path(c)) else None
    found = shutil.which("chromium")
    return Path(found) if found and _launchable(Path(found)) else None


def _launchable(exe: Path) -> bool:
    """Whether ``exe`` is a browser, not a Debian launcher left without its binary."""
    try:
        head = exe.read_bytes()[:2]
    except OSError:
        return False
    return head != b"#!" or _DEBIAN_BINARY.is_file()


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF (the ``/Type /Page`` objects Chromium writes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def html_to_pdf(html_text: str, out_path: str | Path, *, chromium: str | Path | None = None,
                max_pages: int | None = None) -> Path | None:
    """Print an HTML page to PDF (A4, backgrounds) with headless Chromium.

    With ``max_pages``, the page is printed at decreasing scales (1.0 to 0.7) until it
    fits. Returns ``None`` with a WARNING when Chromium or Playwright is missing.
    """
    exe = find_chromium(chromium)
    if exe is None:
        log.warning("briefing.pdf skipped: no Chromium found (install chromium to get the "
                    "printable briefing)")
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        log.warning("briefing.pdf skipped: playwright is not installed (pip install playwright)")
        return None
    from playwright.sync_api import Error as PlaywrightError

    out_path = Path(out_path)
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=str(exe), args=_ARGS)
        except PlaywrightError as exc:
            log.warning("briefing.pdf skipped: Chromium (%s) did not start: %s", exe,
                        str(exc).splitlines()[0])
            return None
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                ("data:", "about:")) else r.abort())
            page.set_content(html_text, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            data = b""
            for scale in (1.0, 0.93, 0.86, 0.8, 0.75, 0.7):
                data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                                scale=scale)
                if max_pages is None or pdf_page_count(data) <= max_pages:
                    break
        finally:
            browser.close()
    with atomic_file(out_path) as tmp:
        Path(tmp).write_bytes(data)
    return out_path


