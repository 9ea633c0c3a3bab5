"""Discourse: what later words refer back to (events, speakers, territories), read between mentions and rules."""
