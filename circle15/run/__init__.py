"""circle15.run."""
