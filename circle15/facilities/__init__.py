"""circle15.facilities."""
