"""Where a site's theme files are: the site's own folders, its chosen theme's, then the built-in default theme.

Lookup order, first match wins, file by file: the site's ``templates/``, the
site's ``themes/<theme>/templates/``, then the default theme shipped inside the
package. Kept apart from :mod:`sitegen.render` (the Jinja environment) so the
build's inventory, which decides whether anything changed, lists these folders
without importing Jinja.
"""

from __future__ import annotations

from pathlib import Path

from .config import SiteConfig

PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_theme_dir() -> Path:
    """The default theme: packaged inside the wheel, or the repository's copy in a source checkout."""
    packaged = PACKAGE_DIR / "themes" / "default"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "themes" / "default"


def theme_dirs(config: SiteConfig) -> list[Path]:
    """Theme roots from most to least specific, without repeats (``load_config`` checked that the theme exists)."""
    candidates = [config.root / "themes" / config.theme, builtin_theme_dir()]
    unique: list[Path] = []
    for path in candidates:
        if path.is_dir() and path.resolve() not in unique:
            unique.append(path.resolve())
    return unique


def template_dirs(config: SiteConfig) -> list[Path]:
    return [config.root / "templates"] + [theme / "templates" for theme in theme_dirs(config)]


def static_dirs(config: SiteConfig) -> list[Path]:
    """Static folders from least to most specific, so later ones win when copied in order."""
    return [theme / "static" for theme in reversed(theme_dirs(config))] + [config.root / "static"]
