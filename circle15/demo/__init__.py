"""circle15.demo."""
