"""circle15.maps."""
