"""Facility layers from users' files: read, map columns, coordinates, rows, frame."""

from circle15.facilities.loaders.layer import load_layer, load_layers

__all__ = ["load_layer", "load_layers"]
