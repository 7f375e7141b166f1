"""Benchmark of the 一张图 map page: size, render time, and time to draw in headless Chromium.

Builds the synthetic demo county (``circle15 demo``; SYNTHETIC data) unless ``--run DIR``
names a finished run, renders ``map.html``, then opens it ``--repeat`` times in Debian's
Chromium with every request blocked and measures, from navigation start, when the
choropleth and the markers are in the DOM (``window.circle15.ready``), plus the time of one
``circle15.show()`` switch over every layer x threshold x year. Prints one table.

    python benchmarks/bench_map.py            # demo county
    python benchmarks/bench_map.py --run out/zhuji --repeat 5
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def _demo(tmp: Path) -> Path:
    from typer.testing import CliRunner

    from circle15.cli import app

    out = tmp / "demo"
    res = CliRunner().invoke(app, ["demo", "--out", str(out)])
    if res.exit_code != 0:
        raise SystemExit(res.output)
    return out


def _sizes(page: str) -> dict[str, float]:
    m = re.search(r'<script type="application/json" id="c15-data">(.*?)</script>', page, re.S)
    data = json.loads(m.group(1).replace("<\\/", "</")) if m else {}
    out = {"page_MB": len(page.encode()) / 1e6, "data_MB": len(m.group(1).encode()) / 1e6}
    for k in ("views", "rows", "iso", "streets", "heat", "zones", "fac", "villages"):
        if k in data:
            out[f"  {k}_kB"] = len(json.dumps(data[k], ensure_ascii=False,
                                              separators=(",", ":")).encode()) / 1e3
    return out


def _browser(url: str, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    draws, switches = [], []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(repeat):
            pg = b.new_page(viewport={"width": 1400, "height": 900})
            pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                ("file://", "data:")) else r.abort())
            pg.goto(url)
            pg.wait_for_function("window.circle15 && window.circle15.ready && document"
                                 ".querySelectorAll('.leaflet-c15zones-pane path').length"
                                 " && document.querySelectorAll('.c15-pin').length")
            draws.append(pg.evaluate("() => performance.now()") / 1000)
            switches.append(pg.evaluate("""() => { const c = window.circle15, d = c.data;
                let n = 0; const t0 = performance.now();
                for (const s of d.selectors) for (const m of d.thresholds)
                  for (const y of d.years) { c.show({layer: s.key, minutes: m, year: y}); n++; }
                return (performance.now() - t0) / n; }"""))
            pg.close()
        b.close()
    return {"draw_s_median": statistics.median(draws), "draw_s_max": max(draws),
            "show_ms_mean": statistics.mean(switches)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, help="a finished run directory (default: the demo)")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    from circle15.maps import render_map

    with tempfile.TemporaryDirectory() as tmp:
        run = a.run or _demo(Path(tmp))
        out = Path(tmp) / "map.html"
        t0 = time.perf_counter()
        render_map(run, out)
        render_s = time.perf_counter() - t0
        rows = {"render_s": render_s, **_sizes(out.read_text(encoding="utf-8")),
                **_browser(out.as_uri(), a.repeat)}
    label = "demo county (SYNTHETIC)" if a.run is None else str(a.run)
    print(f"# circle15 map benchmark - {platform.node()} ({platform.python_version()}), "
          f"{a.repeat} loads in headless Chromium, network blocked")
    print(f"{'metric':<22}{label:>28}")
    for k, v in rows.items():
        print(f"{k:<22}{v:>28.2f}")


if __name__ == "__main__":
    main()
