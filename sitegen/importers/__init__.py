"""``sitegen import``: raw source articles become Markdown briefings with front matter.

Modules, in the order a raw file passes through them: :mod:`.source` (bytes to
text), :mod:`.formats` (masthead and plain articles), :mod:`.tags` (topics and
key terms), :mod:`.writer` (escaped Markdown and front matter), :mod:`.batch`
(the run: what to write, what to leave alone, the report).
"""

from .batch import Change, ImportOptions, ImportReport, find_raw_files, import_articles
from .formats import FORMATS

__all__ = ["FORMATS", "Change", "ImportOptions", "ImportReport", "find_raw_files", "import_articles"]
