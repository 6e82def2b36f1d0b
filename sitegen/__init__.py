"""Briefing: a static site generator for archives of news briefings."""

__version__ = "0.1.0"
