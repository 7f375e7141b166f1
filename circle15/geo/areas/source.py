"""Where the zones come from: :class:`ZoneSource`, the zone loader's only option.

Its fields are named like the keys of the config's ``[area]`` section, so the run stage
builds one with ``ZoneSource(**fields)``; stage code never sees the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ZoneSource:
    """The study area's zones (townships).

    Attributes
    ----------
    zones : Path, optional
        Polygon file of zones (GeoJSON, GeoPackage, Shapefile).
    place : str
        Instead of a file: a place whose OpenStreetMap township boundaries are used
        (:func:`~circle15.geo.areas.zones.zones_from_osm`).
    id_column, name_column : str
        Columns with the zone id and name.
    crs : str, default "wgs84"
        Coordinate system of the file when it does not declare one (GCJ-02/BD-09 always
        from here).
    layer : str
        Layer inside a GeoPackage (default: the first).
    profile : str
        Built-in profile (``"zhuji"``) to check zone ids against the official list.
    buffer_m : float
        Buffer (m) around the study area kept when clipping networks (not used here).
    villages : Path, optional
        Table of administrative villages (:func:`~circle15.geo.areas.villages.load_villages`).
    villages_crs : str, default "wgs84"
        Coordinate system of the village centres in the villages table.
    compounds : Path, optional
        Polygons of residential compounds (:func:`~circle15.geo.areas.compounds.load_compounds`).
    compounds_crs : str, default "wgs84"
        Coordinate system of the compounds file when it declares none.
    config_key : str, default "area"
        Config key prefix named in errors (``"area.zones"``, ``"area.crs"``...).
    """

    zones: Path | None = None
    place: str = ""
    id_column: str = "id"
    name_column: str = "name"
    crs: str = "wgs84"
    layer: str = ""
    profile: str = ""
    buffer_m: float = 2000.0
    villages: Path | None = None
    villages_crs: str = "wgs84"
    compounds: Path | None = None
    compounds_crs: str = "wgs84"
    config_key: str = "area"

    def key(self, name: str) -> str:
        """The config key of field ``name`` (``"area.crs"``)."""
        return f"{self.config_key}.{name}"
