"""circle15.geo.routing."""
