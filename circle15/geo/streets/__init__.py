"""circle15.geo.streets."""
