"""circle15.geo.areas."""
