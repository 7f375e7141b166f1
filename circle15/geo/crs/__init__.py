"""circle15.geo.crs."""
