"""The review server: Starlette (routing, Range requests, host check) served by uvicorn on
127.0.0.1 only.

Safety, since any web page the editor opens can send requests to 127.0.0.1:
- the ``Host`` header must name this machine (``127.0.0.1`` or ``localhost``): a page of
  another site that rebinds its DNS name to 127.0.0.1 is refused (DNS rebinding);
- every write carries this run's token in the ``X-Review-Token`` header (a header another
  site cannot set without CORS, which this server never grants), and an ``Origin``, when
  the browser sends one, must be this server's;
- files are served by name from a fixed set of places: a video's own output folder, its
  media file when it lies in the media or download folder, and the page's two assets.
  Any other path, ``..`` included, is not found.
"""

from __future__ import annotations

import json
import secrets
from importlib.resources import files

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..errors import SubtitlerError
from .page import render_index, render_review_page
from .session import ReviewSession

ALLOWED_HOSTS = ("127.0.0.1", "localhost")
TOKEN_HEADER = "x-review-token"
ASSETS = {"review.js": "text/javascript; charset=utf-8", "review.css": "text/css; charset=utf-8"}
OUTPUT_TYPES = {".vtt": "text/vtt; charset=utf-8", ".svg": "image/svg+xml", ".srt": "text/plain; charset=utf-8",
                ".txt": "text/plain; charset=utf-8", ".html": "text/html; charset=utf-8"}
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
MAX_BODY = 1_000_000


def create_app(session: ReviewSession, token: str | None = None) -> Starlette:
    """The application; ``token`` is this run's write token (a fresh random one by default)."""
    token = token or secrets.token_urlsafe(24)

    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    async def index(request: Request) -> Response:
        views = await run_in_threadpool(lambda: [session.view(slug) for slug in session.paths])
        return headers(HTMLResponse(render_index(views)))

    async def review(request: Request) -> Response:
        slug = request.path_params["slug"]
        if slug not in session.paths:
            return _not_found()
        view = await run_in_threadpool(session.view, slug)
        svg = view.qa_svg.read_text(encoding="utf-8") if view.qa_svg else None
        version = str(view.vtt.stat().st_mtime_ns) if view.vtt else "0"
        return headers(HTMLResponse(render_review_page(view, token, svg, version)))

    async def media(request: Request) -> Response:
        slug = request.path_params["slug"]
        if slug not in session.paths:
            return _not_found()
        view = await run_in_threadpool(session.view, slug)
        if view.media is None:
            return _not_found()
        return headers(FileResponse(view.media))  # answers Range requests (seeking)

    async def output(request: Request) -> Response:
        slug, name = request.path_params["slug"], request.path_params["name"]
        if slug not in session.paths:
            return _not_found()
        folder = session.layout.video(slug).folder.resolve()
        path = (folder / name).resolve()
        if path.parent != folder or not path.is_file() or path.suffix not in OUTPUT_TYPES:
            return _not_found()
        return headers(FileResponse(path, media_type=OUTPUT_TYPES[path.suffix]))

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return _not_found()
        content = files(__package__).joinpath("static", name).read_bytes()
        return headers(Response(content, media_type=ASSETS[name]))

    async def save(request: Request) -> Response:
        refused = _refused(request, token)
        if refused:
            return refused
        slug = request.path_params["slug"]
        body = await request.body()
        try:
            changes = json.loads(body)["changes"] if len(body) <= MAX_BODY else None
            if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'expected {"changes": [{...}, ...]}'}, status_code=400)
        try:
            written = await run_in_threadpool(session.save, slug, changes)
        except SubtitlerError as error:
            return JSONResponse({"error": error.message}, status_code=409)
        return headers(JSONResponse({"saved": written}))

    async def rebuild(request: Request) -> Response:
        refused = _refused(request, token)
        if refused:
            return refused
        slug = request.path_params["slug"]
        if slug not in session.paths:
            return _not_found()
        result = await run_in_threadpool(session.rebuild, slug)
        body = {"status": result.status, "error": result.error, "seconds": result.seconds,
                "flagged": len(result.flagged_cues), "orphaned": list(result.orphaned_anchors)}
        return headers(JSONResponse(body, status_code=200 if result.succeeded else 422))

    routes = [
        Route("/", index),
        Route("/static/{name}", asset),
        Route("/v/{slug}/", review),
        Route("/v/{slug}/media", media),
        Route("/v/{slug}/out/{name:path}", output),
        Route("/v/{slug}/save", save, methods=["POST"]),
        Route("/v/{slug}/rebuild", rebuild, methods=["POST"]),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(ALLOWED_HOSTS))])
    app.state.token = token
    return app


def _refused(request: Request, token: str) -> Response | None:
    """A write without this run's token, or from another site's page, is refused."""
    given = request.headers.get(TOKEN_HEADER, "")
    if not secrets.compare_digest(given.encode(), token.encode()):
        return PlainTextResponse("missing or wrong review token", status_code=403)
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if origin is not None and origin not in {f"http://{host}"}:
        return PlainTextResponse("cross-site request refused", status_code=403)
    return None


def _not_found() -> Response:
    return PlainTextResponse("not found", status_code=404)


def serve(app: Starlette, port: int, on_ready=None) -> None:  # type: ignore[no-untyped-def]
    """Serve on 127.0.0.1:``port`` (0: any free port) until interrupted; ``on_ready(url)``
    is called once the socket listens."""
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(128)  # connections wait in the queue until uvicorn serves them
    except OSError as error:
        raise SubtitlerError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    if on_ready is not None:
        on_ready(url)
    server.run(sockets=[sock])
