"""The FastAPI application: dataset and query engine for its lifetime, and the route modules.

Route modules (``sparql``, ``wikidata``, ``downloads``, ``vocabulary``, ``provenance``, ``pages``)
each expose ``router``; they reach the served dataset and the engine through
``request.app.state.service``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dipkg.graph.resources import package_version
from dipkg.server.config import Settings
from dipkg.server.dataset import ServedDataset, load_dataset
from dipkg.server.engine import QueryEngine
from dipkg.server.middleware import ServiceMiddleware, configure_access_log, log_format
from dipkg.server.negotiation import error_response
from dipkg.server.openapi import without_422
from dipkg.server.versions import PinVersion, Service, Versions, make_engine, service_of

__all__ = ["Service", "create_app", "service_of"]


def create_app(settings: Settings | None = None, dataset: ServedDataset | None = None) -> FastAPI:
    """The application; ``dataset``, when given, is served as loaded (so a caller that loaded it
    to fail fast does not load it twice)."""
    settings = settings or Settings()
    configure_access_log()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal dataset
        served, dataset = dataset or load_dataset(settings), None  # a given dataset serves one lifespan
        versions = Versions(settings, Service(settings, served, make_engine(served, settings), time.time()),
                            app.state)
        app.state.versions = versions
        follower = None
        if versions.follows and settings.reload_interval > 0:
            follower = asyncio.create_task(versions.follow(settings.reload_interval))
        try:
            yield
        finally:
            if follower is not None:
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower
            versions.close()

    # No /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a CDN and start them with
    # an inline script, which an offline machine cannot fetch and SECURITY_HEADERS forbids. The
    # API is described by /openapi.json (for tools) and by the README and /about (for people).
    app = FastAPI(title="dipkg", description="A knowledge graph of diplomacy, with provenance.",
                  version=package_version(), lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                       allow_headers=["*"], expose_headers=["*"])
    # outermost of ours (added last): ids, security headers and the log on every answer, errors too
    app.add_middleware(ServiceMiddleware, log_format=log_format(settings.log_format))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Routing errors (404, 405) in the service's one error shape, like every other error."""
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404:
            detail = (f"no such page or endpoint: {request.url.path} "
                      "(the service: /, /sparql, /browse, /about, /openapi.json)")
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return error_response(exc.status_code, detail, headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return error_response(400, f"bad request: {problems}")

    # outermost, so that a request stays pinned to its version until its body is sent
    app.add_middleware(PinVersion)

    @app.get("/health")
    async def health(request: Request) -> JSONResponse:
        """On the event loop itself (it only reads counters), so it answers even when every
        thread is busy."""
        service = service_of(request)
        return JSONResponse({
            "status": "ok", "graphs": len(service.dataset.graphs),
            "release": service.release, "reloads": request.app.state.versions.reloads,
            "last_reload_s": request.app.state.versions.last_reload_s,
            "uptime_s": round(time.time() - service.started, 1),
            "workers": service.settings.workers, "workers_replaced": service.engine.killed,
            "sandbox": service.engine.sandbox,
            **({"lanes": {**service.engine.lanes.counts(), "demoted": service.engine.lanes.demoted}}
               if isinstance(service.engine, QueryEngine) else {}),
            "query_timeout_s": service.settings.query_timeout,
            **({"backend": service.settings.backend} if service.settings.backend else {}),
        })

    # wikidata before downloads: its /download/wikidata.qs is more specific than /download/{filename}
    for module_name in ("dipkg.server.sparql", "dipkg.server.wikidata", "dipkg.server.downloads",
                        "dipkg.server.vocabulary", "dipkg.server.provenance",
                        "dipkg.server.pages", "dipkg.server.articles"):
        try:
            module = __import__(module_name, fromlist=["router"])
        except ModuleNotFoundError as err:
            if err.name != module_name:
                raise
            continue  # a route module not written yet
        app.include_router(module.router)
    openapi = app.openapi

    def described() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = without_422(openapi())
        return app.openapi_schema

    app.openapi = described  # type: ignore[method-assign]
    return app
