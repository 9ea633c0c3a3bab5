"""dipkg: a knowledge graph of diplomacy built from news articles.

The package is laid out in the order the data flows:
articles → sentences → mentions → (rules → facts) → rdf → reasoning → validation → publish.
"""

__version__ = "0.1.0"
