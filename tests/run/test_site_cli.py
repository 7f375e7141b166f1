"""``circle15 site`` end to end on the tiny hand-checked street: the proposed sites, added to
the facility file and rerun through ``circle15 run``, give exactly the predicted coverage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from circle15.cli import app
from support.tiny import write_tiny_inputs

runner = CliRunner()


def _cov(out: Path) -> pd.DataFrame:
    df = pd.read_csv(out / "coverage_by_zone.csv", encoding="utf-8-sig", dtype={"zone_id": str})
    return df[(df["layer"] == "clinic") & (df["group"] == "total")]


def test_site_then_run_reproduces_prediction(tmp_path: Path):
    cfg = write_tiny_inputs(tmp_path / "in")
    # every township should reach 100 % within 10 minutes; the east zone has nobody covered
    res = runner.invoke(app, ["site", str(cfg), "--layer", "clinic", "--target-rate", "1.0",
                              "--minutes", "10", "--max-sites", "5", "--out",
                              str(tmp_path / "site")])
    assert res.exit_code == 0, res.output
    sites = pd.read_csv(tmp_path / "site" / "proposed_sites.csv", encoding="utf-8-sig")
    ba = pd.read_csv(tmp_path / "site" / "siting_before_after.csv", encoding="utf-8-sig",
                     dtype={"zone_id": str}).set_index("zone_id")
    assert len(sites) >= 1
    assert ba.loc["E", "covered_before"] == 0 and ba.loc["E", "covered_after"] == 50
    assert (ba["status_after"] == "met").all()

    # add the proposed sites to the clinic register and run again
    clinic = tmp_path / "in" / "clinic.csv"
    lines = [f"S{r.rank},新址{r.rank},社区卫生服务站,{r.lon:.7f},{r.lat:.7f},拟建"
             for r in sites.itertuples()]
    clinic.write_text(clinic.read_text(encoding="utf-8") + "\n".join(lines) + "\n",
                      encoding="utf-8")
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "after")])
    assert res.exit_code == 0, res.output
    after = _cov(tmp_path / "after")
    at10 = after[after["minutes"] == 10].set_index("zone_id")
    for z in ("W", "E", "ALL"):
        assert at10.loc[z, "covered_population"] == pytest.approx(ba.loc[z, "covered_after"])


def test_site_unknown_layer_exit_2(tmp_path: Path):
    cfg = write_tiny_inputs(tmp_path / "in")
    res = runner.invoke(app, ["site", str(cfg), "--layer", "nope", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "nope" in res.output and "Traceback" not in res.output
