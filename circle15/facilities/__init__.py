"""Facility layers: schema, loaders, validation, OpenStreetMap.

- :mod:`circle15.facilities.source` — :class:`LayerSource`, where a layer comes from (the
  loaders' only option; fields named like the config's ``[[layers]]`` keys).
- :mod:`circle15.facilities.schema` — built-in layers (托育, 卫生, 养老, 健身, 残疾人之家),
  :func:`~circle15.facilities.schema.layer_spec`, the run's :class:`Layer` list from
  :func:`~circle15.facilities.schema.resolve_layers`.
- :mod:`circle15.facilities.loaders` — :func:`load_layer`, :func:`load_layers` (CSV in
  UTF-8/GBK, XLSX, GeoJSON, GeoPackage, Shapefile), in steps: ``read`` → ``columns`` →
  ``coords`` → ``rows`` → frame.
- :mod:`circle15.facilities.validate` — row checks and the issues table.
- :mod:`circle15.facilities.osm` — layers from an .osm.pbf with pyrosm.
"""

from circle15.facilities.loaders import load_layer, load_layers
from circle15.facilities.schema import Layer, LayerSpec, layer_spec, resolve_layers
from circle15.facilities.source import LayerSource

__all__ = ["Layer", "LayerSource", "LayerSpec", "layer_spec", "load_layer", "load_layers",
           "resolve_layers"]
