"""Stage 4: the extraction rules, one module per fact kind.

Every rule reads sentences through ``graph.rules.common.Context``: the masked text of a
sentence ("⟦P0⟧ met with ⟦P1⟧ in ⟦C2⟧ on ⟦D3⟧") and the mentions behind its tokens.  Rules
describe how English news states a fact, never a particular sentence.
"""

from __future__ import annotations

from dipkg.graph.articles import Article
from dipkg.graph.facts import ArticleFacts
from dipkg.graph.mentions import ArticleMentions
from dipkg.graph.registry import Registry
from dipkg.graph.rules import meetings, memberships, positions, quotes, sanctions, territories
from dipkg.graph.rules.common import Context


def extract(article: Article, mentions: ArticleMentions, registry: Registry) -> ArticleFacts:
    """All facts of one article.  Positions come first: later rules use them to know whose
    leader a person is and which state a person speaks for."""
    context = Context(registry, mentions, ArticleFacts(article))
    positions.extract(context)
    quotes.extract(context)
    territories.extract(context)
    sanctions.extract(context)
    memberships.extract(context)
    meetings.extract(context)
    context.collect_entities()
    return context.facts
