"""The routing engine: street networks as arrays, points linked onto them.

- :func:`load_network` — a :class:`RoutingNetwork` from a street file or an online place;
- :func:`routing_network` — a :class:`RoutingNetwork` from any networkx/OSMnx graph;
- :class:`RoutingNetwork` — travel-time matrix and street segments;
- :func:`access_speed` — speed of the straight leg between a point and the street.
"""

from circle15.geo.routing.build import access_speed, load_network, routing_network
from circle15.geo.routing.network import RoutingNetwork

__all__ = ["RoutingNetwork", "access_speed", "load_network", "routing_network"]
