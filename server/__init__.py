"""dipkg's SPARQL service: the graph ``dipkg build`` writes, served over the standard protocols.

Modules: ``config`` (settings), ``dataset`` (what is served, loaded into pyoxigraph),
``engine`` (query execution in killable worker processes), ``app`` (the FastAPI application
that the route modules plug into).
"""
