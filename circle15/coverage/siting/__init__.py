"""circle15.coverage.siting."""
