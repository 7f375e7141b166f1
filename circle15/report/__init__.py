"""circle15.report."""
