"""The FastAPI application: dataset and query engine for its lifetime, and the route modules.

Route modules (``sparql``, ``downloads``, ``provenance``, ``pages``) each expose ``router``;
they reach the served dataset and the engine through ``request.app.state.service``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus

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


@dataclass
class Service:
    settings: Settings
    dataset: ServedDataset
    engine: QueryEngine
    started: float


def create_app(settings: Settings | None = None, dataset: ServedDataset | None = None) -> FastAPI:
    """The application; ``dataset``, when given, is served as loaded (so a caller that loaded it
    to fail fast does not load it twice)."""
    settings = settings or Settings()
    configure_access_log()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal dataset
        served, dataset = dataset or load_dataset(settings), None  # a given dataset serves one lifespan
        engine = QueryEngine(served, settings)
        app.state.service = Service(settings, served, engine, time.time())
        try:
            yield
        finally:
            engine.close()
            served.close()

    app = FastAPI(title="dipkg", description="A knowledge graph of diplomacy, with provenance.",
                  version=package_version(), lifespan=lifespan)
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
            detail = f"no such page or endpoint: {request.url.path} (the service: /, /sparql, /browse, /about, /docs)"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return error_response(exc.status_code, detail, headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return error_response(400, f"bad request: {problems}")

    @app.get("/health")
    def health(request: Request) -> JSONResponse:
        service: Service = request.app.state.service
        return JSONResponse({
            "status": "ok", "graphs": len(service.dataset.graphs),
            "uptime_s": round(time.time() - service.started, 1),
            "workers": service.settings.workers, "workers_replaced": service.engine.killed,
            "sandbox": service.engine.sandbox,
            "query_timeout_s": service.settings.query_timeout,
        })

    for module_name in ("dipkg.server.sparql", "dipkg.server.downloads", "dipkg.server.provenance",
                        "dipkg.server.pages"):
        try:
            module = __import__(module_name, fromlist=["router"])
        except ModuleNotFoundError as err:
            if err.name != module_name:
                raise
            continue  # a route module not written yet
        app.include_router(module.router)
    return app
