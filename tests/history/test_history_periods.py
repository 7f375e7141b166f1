"""Periods: parsing, order, plan year, and the facility matching rule of ``compare``."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from circle15.errors import InputError
from circle15.history.compare import compare_facilities, metres
from circle15.history.periods import parse_period, previous_quarters
from circle15.history.record import plan_year


@pytest.mark.parametrize("text, key, kind", [
    ("2025Q3", "2025Q3", "quarter"), ("2025q1", "2025Q1", "quarter"),
    (" 2025 Q4 ", "2025Q4", "quarter"), ("2025", "2025", "year"),
])
def test_parse(text, key, kind):
    p = parse_period(text)
    assert (p.key, p.kind, p.year) == (key, kind, int(key[:4]))


@pytest.mark.parametrize("bad", ["2025Q5", "2025Q0", "25Q1", "2025-09", "", "Q3", "1999",
                                 "2025H1"])
def test_malformed(bad):
    with pytest.raises(InputError, match="malformed period"):
        parse_period(bad)


@given(st.integers(2000, 2100), st.integers(1, 4), st.integers(2000, 2100),
       st.integers(1, 4))
def test_order_is_time(y1, q1, y2, q2):
    a, b = parse_period(f"{y1}Q{q1}"), parse_period(f"{y2}Q{q2}")
    assert (a < b) == ((y1, q1) < (y2, q2))
    assert previous_quarters(a, b) == (y2 - y1) * 4 + q2 - q1


def test_year_sorts_as_its_fourth_quarter():
    assert parse_period("2025Q3") < parse_period("2025") < parse_period("2026Q1")
    assert previous_quarters(parse_period("2025Q2"), parse_period("2025")) == 2


def test_plan_year():
    years = [2023, 2024, 2025, 2026, 2027]
    assert plan_year(years, parse_period("2025Q3")) == 2025
    assert plan_year(years, parse_period("2022Q4")) == 2023
    assert plan_year(years, parse_period("2030")) == 2027
    assert plan_year([], parse_period("2025")) is None


def test_metres_hand_checked():
    # one degree of latitude on the mean sphere: pi * 6371008.8 / 180
    assert float(metres(120, 29, 120, 30)) == pytest.approx(111_195.08, abs=0.1)


def _fac(rows):
    return pd.DataFrame(rows, columns=["facility_id", "name", "layer", "capacity", "zone_id",
                                       "lon", "lat"])


def test_facility_changes_by_id_then_name_and_location():
    d = 60 / 111_195.08  # 60 m north, in degrees
    a = _fac([["A1", "甲", "clinic", 10, "Z", 120, 29],
              ["A2", "乙", "clinic", 10, "Z", 120.01, 29],
              [None, "丙", "clinic", 5, "Z", 120.02, 29],
              [None, "丁", "clinic", 5, "Z", 120.03, 29],
              ["A9", "戊", "clinic", 5, "Z", 120.04, 29]])
    b = _fac([["A1", "甲（改名）", "clinic", 10, "Z", 120, 29 + d],  # moved 60 m, by id
              ["A2", "乙", "clinic", 20, "Z", 120.01, 29],  # capacity 10 -> 20
              [None, "丙", "clinic", 5, "Z", 120.02, 29 + d / 2],  # 30 m: same, by name
              [None, "丁", "clinic", 5, "Z", 120.03, 29 + d],  # 60 m, no id: closed + added
              ["B1", "己", "clinic", 5, "Z", 120.05, 29]])  # new
    ch = compare_facilities(a, b)
    got = sorted(zip(ch["change"], ch["name"], strict=True))
    assert got == sorted([("moved", "甲（改名）"), ("capacity", "乙"), ("added", "丁"),
                          ("added", "己"), ("closed", "丁"), ("closed", "戊")])
    moved = ch[ch["change"] == "moved"].iloc[0]
    assert moved["moved_m"] == pytest.approx(60, abs=0.1)
