"""circle15.data."""
