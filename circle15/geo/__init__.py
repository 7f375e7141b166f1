"""circle15.geo."""
