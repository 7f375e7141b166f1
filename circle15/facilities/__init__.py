"""Facility layers: schema, loaders, coordinate systems, validation, OpenStreetMap.

- :mod:`circle15.facilities.schema` — built-in layers (托育, 卫生, 养老, 健身, 残疾人之家),
  :func:`~circle15.facilities.schema.layer_spec`.
- :mod:`circle15.facilities.loaders` — :func:`~circle15.facilities.loaders.load_layer`,
  :func:`~circle15.facilities.loaders.load_layers` (CSV in UTF-8/GBK, XLSX, GeoJSON,
  GeoPackage, Shapefile).
- :mod:`circle15.geo.crs` — WGS-84, GCJ-02, BD-09, CGCS2000, EPSG conversions and
  checks for swapped or undeclared-GCJ-02 coordinates.
- :mod:`circle15.facilities.validate` — row checks and the issues table.
- :mod:`circle15.facilities.osm` — layers from an .osm.pbf with pyrosm.
"""
