"""Service settings: command-line options, with ``DIPKG_*`` environment variables as defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dipkg.graph.articles import max_article_bytes


def _env(name: str, default: str) -> str:
    return os.environ.get(f"DIPKG_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    """Everything the service can be told; each field has a ``DIPKG_<NAME>`` variable."""

    data_dir: Path | None = field(default_factory=lambda: Path(_env("DATA", "build")))
    # --rdf FILE (the default graph) and --graph IRI=FILE (named graphs): serve these instead.
    rdf_files: list[Path] = field(default_factory=list)
    graph_files: list[tuple[str, Path]] = field(default_factory=list)
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    query_timeout: float = field(default_factory=lambda: float(_env("QUERY_TIMEOUT", "10")))
    max_rows: int = field(default_factory=lambda: int(_env("MAX_ROWS", "10000")))
    max_query_bytes: int = field(default_factory=lambda: int(_env("MAX_QUERY_BYTES", "65536")))
    # seconds a connection may take to send a request's headers; seconds an idle keep-alive
    # connection stays open; connections (and requests) at once, past which new ones get 503
    header_timeout: float = field(default_factory=lambda: float(_env("HEADER_TIMEOUT", "10")))
    keep_alive_timeout: int = field(default_factory=lambda: int(_env("KEEP_ALIVE_TIMEOUT", "5")))
    max_connections: int = field(default_factory=lambda: int(_env("MAX_CONNECTIONS", "1000")))
    # a result's budget in bytes (its terms' text, about what any format's body holds): a row cap
    # alone lets ten thousand huge literals through
    max_result_bytes: int = field(default_factory=lambda: int(_env("MAX_RESULT_BYTES", str(64 * 2**20))))
    # the heap one query worker may use (MiB; 0 = no limit): past it the worker dies and is
    # replaced, as after a time-out, instead of taking the machine's memory
    worker_memory_mb: int = field(default_factory=lambda: int(_env("WORKER_MEMORY_MB", "2048")))
    workers: int = field(default_factory=lambda: int(_env("WORKERS", str(max(2, os.cpu_count() or 2)))))
    # the slow lane (server.lanes): its workers, how many of its queries one client may run at
    # once, and the CPU seconds a query may use in a fast worker before it is moved there
    slow_workers: int = field(default_factory=lambda: int(_env("SLOW_WORKERS", "1")))
    slow_per_client: int = field(default_factory=lambda: int(_env("SLOW_PER_CLIENT", "1")))
    fast_budget: float = field(default_factory=lambda: float(_env("FAST_BUDGET", "0.5")))
    include_inferred: bool = field(default_factory=lambda: _env_bool("INFERRED", True))
    allow_service: bool = field(default_factory=lambda: _env_bool("ALLOW_SERVICE", False))
    # --allow-service ENDPOINT: SERVICE may call exactly these endpoint IRIs (every other SERVICE
    # is still refused); DIPKG_SERVICE_ENDPOINTS holds them separated by spaces
    service_endpoints: tuple[str, ...] = field(
        default_factory=lambda: tuple(_env("SERVICE_ENDPOINTS", "").split()))
    # --backend URL: queries are answered by this SPARQL 1.1 endpoint (the release pushed there
    # by `dipkg push`) instead of the release's own store; --backend-default-graph IRI: the named
    # graph the merge was pushed to, for stores whose default graph is the union of all graphs
    backend: str | None = field(default_factory=lambda: _env("BACKEND", "") or None)
    backend_default_graph: str | None = field(default_factory=lambda: _env("BACKEND_DEFAULT_GRAPH", "") or None)
    # FROM <http://…> naming no graph of this dataset: refused (default), or an empty graph
    lenient_from: bool = field(default_factory=lambda: _env_bool("LENIENT_FROM", False))
    # seconds between looks at the published release (0: serve the loaded one until restart)
    reload_interval: float = field(default_factory=lambda: float(_env("RELOAD_INTERVAL", "1")))
    # the bearer token that POST/DELETE /articles need; empty: writing is off (never printed)
    write_token: str = field(default_factory=lambda: _env("WRITE_TOKEN", ""), repr=False)
    # the largest article accepted, in bytes (the build's limit, DIPKG_MAX_ARTICLE_BYTES)
    max_article_bytes: int = field(default_factory=max_article_bytes)
    # access log: "json" lines, "text" for people, or "auto" (text when stderr is a terminal)
    log_format: str = field(default_factory=lambda: _env("LOG_FORMAT", "auto"))
    # the HTTP parser: "auto" (httptools where installed, else h11), "httptools" or "h11"
    http: str = field(default_factory=lambda: _env("HTTP", "auto"))
    # set when --rdf/--graph were given at all, even with no file (an empty dataset)
    serve_files: bool = False

    @property
    def files_mode(self) -> bool:
        """Serving arbitrary RDF files (``--rdf``/``--graph``) rather than a dipkg build."""
        return self.serve_files or bool(self.rdf_files or self.graph_files)
