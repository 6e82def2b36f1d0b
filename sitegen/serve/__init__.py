"""``sitegen serve``: a live preview beside the author's editor.

The rooms: :mod:`.http` (the server, which names it answers to, what it sends),
:mod:`.paths` (request paths to files, safely), :mod:`.reload` (build outcomes,
the live-reload script, the error page), :mod:`.watch` (the watcher and the
coalescing worker) and :mod:`.session` (the builds and ``sitegen serve`` itself).
What changed between builds is a :class:`sitegen.changes.ChangeSet`.
"""

from __future__ import annotations

from .session import ServeOptions, serve

__all__ = ["ServeOptions", "serve"]
