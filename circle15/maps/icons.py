"""Facility symbols: a colour-blind-safe palette kept apart from the status colours, and
small inline SVG glyphs (no icon font).

Status (met / close / far) owns green, amber and red. Facilities use blue, indigo, purple,
teal-blue, black and violet from Paul Tol's and Okabe & Ito's colour-blind-safe sets,
none of which reads as a status colour, and every layer has its own glyph so the colour is
never the only cue.
"""

from __future__ import annotations

#: Facility colours, in layer order (distinguishable with the common colour-vision
#: deficiencies; none is green, amber or red).
FACILITY_PALETTE = ("#0072B2", "#332288", "#AA4499", "#117799", "#222222", "#6A3D9A",
                    "#56B4E9", "#777777")

# 24 x 24 glyphs drawn in white on the coloured pin.
_GLYPHS: dict[str, str] = {
    # a child: head and body
    "child": '<circle cx="12" cy="6" r="3"/><path d="M7 10h10l-2 6h-1.5v5h-3v-5H9z"/>',
    # a medical cross
    "cross": '<path d="M9.5 4h5v5.5H20v5h-5.5V20h-5v-5.5H4v-5h5.5z"/>',
    # an elderly person with a walking stick
    "elderly": '<circle cx="10" cy="5" r="2.6"/><path d="M8 9h4l1.5 5 2.5 1-1 2-3-1.3-.5'
               '-1.2V21H9v-6L7 16l-1-2z"/><path d="M17 12v9" stroke="#fff" '
               'stroke-width="1.6" fill="none"/>',
    # a dumbbell
    "fitness": '<path d="M3 10h2V8h3v8H5v-2H3zM21 10h-2V8h-3v8h3v-2h2zM8 11h8v2H8z"/>',
    # a wheelchair
    "wheelchair": '<circle cx="11" cy="4.5" r="2.3"/><path d="M10 8h2.5v4H17v2h-6.5z"/>'
                  '<path d="M9 11.2a5 5 0 1 0 6.8 6.2" stroke="#fff" stroke-width="2" '
                  'fill="none"/><path d="M16 14l2.5 5" stroke="#fff" stroke-width="2"/>',
    # a book (education)
    "book": '<path d="M4 5c3 0 6 .5 8 2 2-1.5 5-2 8-2v13c-3 0-6 .5-8 2-2-1.5-5-2-8-2z"/>',
    # a bowl (meals)
    "meal": '<path d="M3 11h18a9 7 0 0 1-18 0zM8 4v5M12 3v6M16 4v5" stroke="#fff" '
            'stroke-width="1.6"/>',
    # a dot (anything else)
    "dot": '<circle cx="12" cy="12" r="5"/>',
    # a star (proposed site)
    "star": '<path d="M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9z"/>',
}

#: Layer keys and Font Awesome-style icon names of run.json -> glyph.
_ALIASES = {
    "childcare": "child", "child": "child", "baby": "child", "nursery": "child",
    "clinic": "cross", "health": "cross", "plus-square": "cross", "house-medical": "cross",
    "hospital": "cross", "plus": "cross",
    "elderly": "elderly", "home": "elderly", "elder": "elderly", "aged": "elderly",
    "fitness": "fitness", "heartbeat": "fitness", "dumbbell": "fitness", "sport": "fitness",
    "disability": "wheelchair", "wheelchair": "wheelchair",
    "school": "book", "education": "book", "book": "book",
    "meal": "meal", "canteen": "meal", "utensils": "meal",
}


def glyph(layer_key: str, icon: str = "") -> str:
    """The SVG glyph name for a layer: by its key, else its run.json icon, else a dot."""
    for name in (layer_key, icon):
        if name in _ALIASES:
            return _ALIASES[name]
    return "dot"


def glyph_svg(name: str, size: int = 14) -> str:
    """A white glyph as an inline ``<svg>`` element of ``size`` pixels."""
    body = _GLYPHS.get(name, _GLYPHS["dot"])
    return (f'<svg viewBox="0 0 24 24" width="{size}" height="{size}" fill="#fff" '
            f'aria-hidden="true">{body}</svg>')


def facility_color(index: int) -> str:
    """The palette colour of the ``index``-th facility layer."""
    return FACILITY_PALETTE[index % len(FACILITY_PALETTE)]
