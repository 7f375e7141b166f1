"""Where one facility layer comes from: :class:`LayerSource`, the loaders' only option.

Its fields are named like the keys of a ``[[layers]]`` table of the config, so the run
stage builds one with ``LayerSource(**fields)``; stage code never sees the config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class LayerSource:
    """One facility layer: its key, file and how to read and label it.

    Attributes
    ----------
    key : str
        Layer key (``"clinic"``, or a user layer such as ``"library"``).
    source : Path, optional
        CSV/TXT/TSV, XLSX, GeoJSON, GeoPackage, Shapefile or ``.osm.pbf``.
    label_zh, label_en : str
        Labels (default: the built-in layer's, else the key).
    crs : str, default "wgs84"
        Coordinate system of the file's coordinates (``gcj02``, ``bd09``, ``EPSG:4549``...).
    sheet : str
        Sheet of a workbook, or layer of a GeoPackage (default: the first).
    columns : mapping
        Input column -> standard field (``{"Lng": "lon"}``).
    group : str
        Population group the layer is judged by (empty: the built-in layer's).
    color, icon : str
        Map colour and Font Awesome 4 icon (empty: the built-in layer's).
    osm_tags : Path, optional
        With an ``.osm.pbf`` source: a TOML tag mapping overriding the bundled one.
    required : bool, default True
        Whether the layer counts for the composite "full circle" rate.
    standard : tuple of str
        Standards catalogue entries the layer is judged by (read by the run's standards
        stage; the loader does not use it).
    config_key : str
        Config key prefix named in errors (default ``"layers.<key>"``; the run stage may
        pass ``"layers[2]"``).
    """

    key: str
    source: Path | None = None
    label_zh: str = ""
    label_en: str = ""
    crs: str = "wgs84"
    sheet: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)
    group: str = ""
    color: str = ""
    icon: str = ""
    osm_tags: Path | None = None
    required: bool = True
    standard: tuple[str, ...] = ()
    config_key: str = ""

    @property
    def prefix(self) -> str:
        """The config key prefix of this layer's errors."""
        return self.config_key or f"layers.{self.key}"
