"""The travel modes and their default speeds (no heavy imports: the config reads them)."""

from __future__ import annotations

#: Travel modes, in the order shown to users.
MODES = ("walk", "bike", "ebike", "drive")
#: Default travel speed in km/h per mode (drive uses road-class speeds; this is the fallback).
DEFAULT_SPEEDS_KMH = {"walk": 4.5, "bike": 12.0, "ebike": 18.0, "drive": 30.0}
#: Walking speed of the elderly scenario (60+), km/h.
ELDERLY_WALK_KMH = 3.6
#: Named walking-speed profiles (km/h) a population group can be judged at: older people
#: at 3.6 km/h (1 m/s, the pace pedestrian signal timing assumes for the elderly) and a
#: manual wheelchair at 3.0 km/h. Speed only: steps and kerbs are not excluded.
SPEED_PROFILES_KMH = {"elderly": ELDERLY_WALK_KMH, "wheelchair": 3.0}
