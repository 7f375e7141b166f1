"""circle15.coverage."""
