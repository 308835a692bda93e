"""Mading: a static site generator for teacher blog directories."""

__version__ = "0.1.0"
