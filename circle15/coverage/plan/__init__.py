"""circle15.coverage.plan."""
