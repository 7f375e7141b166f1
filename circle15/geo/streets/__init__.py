"""Street networks: readers per format, the download cache, travel modes, projection.

- :mod:`~circle15.geo.streets.load` — :func:`~circle15.geo.streets.load.load_graph`
  (dispatch by source kind, clipping, finishing);
- readers: :mod:`~circle15.geo.streets.osm_xml`, :mod:`~circle15.geo.streets.pbf`,
  :mod:`~circle15.geo.streets.graphml`, :mod:`~circle15.geo.streets.download` (online
  queries and their cache); :mod:`~circle15.geo.streets.ways` builds graphs from OSM ways;
- :mod:`~circle15.geo.streets.modes` — modes, road classes, speeds, travel times;
- :mod:`~circle15.geo.streets.project` — reprojection to a metric CRS;
- :mod:`~circle15.geo.streets.connectivity` — the reverse-twin rule, street km, the
  largest strongly connected part;
- :mod:`~circle15.geo.streets.prepare` — the whole preparation with plain arguments;
- :mod:`~circle15.geo.streets.graphml_arrays` and
  :mod:`~circle15.geo.streets.prepare_arrays` — the same preparation of a GraphML file on
  numpy arrays, without a networkx graph;
- :mod:`~circle15.geo.streets._nx` — the only module touching networkx internals.
"""
