"""The ready-made examples by name, for ``circle15 demo --example NAME``.

:data:`EXAMPLES` names each example and says what it is (printed before writing it);
:func:`write_example` writes one example's inputs and returns its config path.
"""

from __future__ import annotations

from pathlib import Path

from circle15.errors import InputError

__all__ = ["EXAMPLES", "write_example"]

#: Example name -> what it is, as told to the user before it is written.
EXAMPLES = {
    "county": "the synthetic demo county (示例县, generated data, not a real place)",
    "helsinki": "central Helsinki from OpenStreetMap (real data, © OpenStreetMap contributors, "
                "ODbL; offline, English, no plan)",
}


def write_example(name: str, out_dir: str | Path, *, seed: int = 15) -> Path:
    """Write the inputs of the example ``name`` into ``out_dir`` and return the config path.

    Parameters
    ----------
    name : str
        A key of :data:`EXAMPLES` (case and surrounding spaces ignored).
    out_dir : str or Path
        Folder for the inputs (usually ``DIR/inputs``; the config writes its results to
        ``DIR``).
    seed : int
        Generator seed of the synthetic county (the Helsinki example has no randomness).

    Returns
    -------
    Path
        The written ``config.toml``.

    Raises
    ------
    InputError
        If ``name`` is not an example (``key="name"``).
    """
    key = str(name).strip().lower()
    if key == "county":
        from circle15.demo.county import write_demo_inputs

        return write_demo_inputs(Path(out_dir), seed=seed)
    if key == "helsinki":
        from circle15.demo.helsinki import write_helsinki_inputs

        return write_helsinki_inputs(Path(out_dir))
    raise InputError(f"no example called {name!r}", key="name",
                     hint=f"examples: {', '.join(EXAMPLES)}")
