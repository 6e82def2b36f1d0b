"""Older/newer links on every briefing, which Pelican does not provide by itself.

The same idea as the pelican-neighbors plugin, in a few lines: one pass over the
date-sorted articles once they are all read, so the cost is linear like sitegen's.
"""

from pelican import signals


def link_neighbors(generator):
    articles = generator.articles  # newest first
    for index, article in enumerate(articles):
        article.newer = articles[index - 1] if index > 0 else None
        article.older = articles[index + 1] if index + 1 < len(articles) else None


def register():
    signals.article_generator_finalized.connect(link_neighbors)
