"""Study-area geography: zones (townships), villages, assigning points to zones, profiles.

- :class:`ZoneSource` and :func:`load_zones` (polygon files), :func:`zones_from_osm`;
- :func:`assign_zones` (point → zone id);
- :func:`load_villages`, :func:`match_villages` (administrative villages);
- :mod:`circle15.geo.areas.zhuji` (the built-in Zhuji profile).
"""

from circle15.geo.areas.assign import assign_zones
from circle15.geo.areas.compounds import assign_compounds, load_compounds
from circle15.geo.areas.source import ZoneSource
from circle15.geo.areas.villages import load_villages, match_villages
from circle15.geo.areas.zones import load_zones, zones_from_osm

__all__ = ["ZoneSource", "assign_compounds", "assign_zones", "load_compounds", "load_villages",
           "load_zones", "match_villages", "zones_from_osm"]
