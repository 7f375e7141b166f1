"""The travel modes and their default speeds (no heavy imports: the config reads them)."""

from __future__ import annotations

#: Travel modes, in the order shown to users.
MODES = ("walk", "bike", "ebike", "drive")
#: Default travel speed in km/h per mode (drive uses road-class speeds; this is the fallback).
DEFAULT_SPEEDS_KMH = {"walk": 4.5, "bike": 12.0, "ebike": 18.0, "drive": 30.0}
#: Walking speed of the elderly scenario (60+), km/h.
ELDERLY_WALK_KMH = 3.6
