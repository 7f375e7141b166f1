"""circle15: planner for China's 15-minute public-service circle (15分钟公共服务圈).

For each township of a county, circle15 computes how many people reach each kind of
public service (childcare, clinics, elderly care, fitness, disability homes) within
5/10/15 minutes on the street network, compares it with the targets of the county plan,
and proposes sites that close the gaps.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("circle15")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
