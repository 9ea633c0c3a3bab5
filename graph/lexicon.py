"""Word lists the rules share: how English news names offices, speech, and kinds of events.

These are data, kept apart from the rules so that extending coverage (a new title, a new
speech verb) never means touching rule code.
"""

from __future__ import annotations

# Formal titles, longest first where one is a prefix of another.  "<title> <Name>" introduces
# a person (graph.mentions) and the capitalised spellings are the canonical role names
# (graph.rdf).  Which offices a person phrase gives is read by the grammar of graph.titles,
# from the cue tables ontology/cues/titles.tsv and title-modifiers.tsv — extend those.
TITLES = (
    "Deputy Prime Minister", "Prime Minister", "Foreign Minister", "Defense Minister",
    "Defence Minister", "Finance Minister", "Economy Minister", "Trade Minister",
    "Vice Foreign Minister", "Deputy Foreign Minister", "Chief Cabinet Secretary",
    "Cabinet Secretary", "Secretary of State", "Secretary-General", "Secretary General",
    "Treasury Secretary", "Defense Secretary", "Defence Secretary", "Commerce Secretary",
    "Foreign Secretary", "Home Secretary", "Secretary",
    "National Security Adviser", "National Security Advisor", "Minister", "President",
    "Vice President", "Premier", "Chancellor", "Speaker", "Chairman", "Chairwoman", "Chair",
    "Ambassador", "Envoy", "Governor", "Mayor", "Senator", "King", "Emperor", "Crown Prince",
    "spokesman", "spokeswoman", "spokesperson", "press secretary", "foreign policy aide",
    "foreign policy adviser", "aide", "adviser", "advisor", "ambassador", "envoy",
    "secretary", "speaker", "chairman", "chairwoman", "chair", "head", "director",
    "deputy director", "senior associate", "associate professor", "assistant professor",
    "professor", "senior fellow", "research fellow", "fellow", "president", "minister",
    "deputy minister", "vice minister", "governor", "mayor", "leader of the opposition",
    "lawmaker", "legislator", "editor", "analyst", "researcher", "economist",
)
# Titles that name the role of a state's leader, in the order a summit prefers them.
LEADER_TITLES = ("President", "Prime Minister", "Chancellor", "Premier", "King", "Emperor")
# Words that make a description, not a formal title ("a Putin confidant", "an expert on");
# "former" marks a past office, which is a position too, and is read from title-modifiers.tsv.
NON_TITLES = ("confidant", "expert", "ally", "friend", "critic", "spy", "aide to")

SPEECH_VERBS = (
    "said", "says", "say", "added", "adds", "told", "tells", "stated", "states", "noted",
    "notes", "wrote", "writes", "warned", "warns", "asked", "asks", "argued", "argues",
    "insisted", "insists", "stressed", "stresses", "explained", "explains", "declared",
    "declares", "promised", "promises", "pointed out", "points out", "commented", "remarked",
    "announced", "announces", "replied", "responded", "acknowledged", "conceded", "claimed",
    "claims", "emphasized", "emphasised", "suggested", "predicted", "vowed", "urged",
    "according to", "quoted", "quoting", "has said", "have said", "had said",
    "called", "calls", "described", "describes", "dubbed", "termed",
)

FEMALE_PRONOUNS = ("she", "her", "hers", "herself")

# Nouns for events a person can attend, that a later "the <noun>" refers back to.
EVENT_NOUNS = ("ceremony", "commemoration", "parade", "event", "forum", "celebration",
               "Olympics", "Games", "funeral", "inauguration", "conference", "summit")

