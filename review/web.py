"""`flywheel review serve`: the review web app (FastAPI + Jinja2), one queue item at a time.

In: the lake (verdicts go to its `reviews` table through `review.verdicts.record_verdict`) and a review queue
(`--queue FILE`, else the queues the sampler recorded in the lake). Out: pages for a reviewer: the item with
its context, the written guideline of its kind, accept / reject (with a reason code) / fix (edit the answer),
keyboard shortcuts, progress, and "my reviews".

What it refuses, and why:
- Bound beyond loopback without a token: `serve` stops at start (ConfigError naming `--token` /
  FLYWHEEL_REVIEW_TOKEN). With a token, every request but the sign-in page and the static files needs it, as
  `Authorization: Bearer <token>` or once on the sign-in form (compared in constant time); a 401 shows the form.
  Server-side sessions exist only for reviewers who signed in (and proved the token), so nobody else can fill
  or churn the session store.
- A state-changing request without its CSRF token: every POST of a signed-in reviewer carries the session's
  token in a hidden field; the sign-in form carries a nonce that must match its cookie (double submit). Cookies
  are HttpOnly and SameSite=Strict (and Secure behind https).
- Item content is untrusted log text (scrubbed, but written by users and models): templates autoescape
  everything and never mark content safe; only the guideline (repo Markdown, rendered with raw HTML disabled)
  is inserted as HTML. A Content-Security-Policy allows scripts and styles from this app only.

Reviewer names live in server memory for the session only; the lake stores `datalake.reviews.reviewer_hash`.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import get_args

import uvicorn
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from markdown_it import MarkdownIt
from markupsafe import Markup

from datalake.reviews import read_reviews, reviewer_hash
from review import TOKEN_ENV
from review.guidelines import Guideline, load_guideline
from review.queue import read_queue, recorded_queue
from review.verdicts import DEFAULT_REVIEW_SCRUB, record_verdict
from schemas.errors import ConfigError, FlywheelError
from schemas.review import MAX_REVIEWER_CHARS, Review, ReviewItem, VerdictKind
from transforms.scrub.config import ScrubConfig

HERE = Path(__file__).parent
SESSION_COOKIE = "flywheel_review_session"
# The sign-in form's CSRF nonce: a cookie the form must repeat (double submit), so no server state is kept for
# anyone who has not signed in (and with a token: proved it).
SIGN_IN_COOKIE = "flywheel_review_sign_in"
NONCE_BYTES = 32
NONCE_CHARS = 43  # secrets.token_urlsafe(32): 32 bytes in unpadded base64
MIN_TOKEN_CHARS = 16
MAX_SESSIONS = 1000  # signed-in sessions live in memory: past this many the oldest go first
# Pages may load this app's own scripts, styles and images, nothing else; forms post back to it only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
# Paths open without the token: the sign-in page and the app's own CSS/JS (repo files, nothing from the lake).
OPEN_PATHS = ("/login", "/static/")


@dataclass
class ReviewerSession:
    """A signed-in reviewer's session (with a token configured, one that proved it): name and CSRF token."""

    name: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(NONCE_BYTES))
    # The queue this reviewer works through and their verdicts so far, read from the lake at "/" (so a newly
    # sampled queue or an import shows up) and kept up to date with this session's verdicts in between: the
    # reviews table is one file per verdict, too many to read on every page.
    items: list[ReviewItem] | None = None
    reviews: list[Review] = field(default_factory=list)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost"; any other name or address reaches beyond this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so the time taken does not tell how much of a guess was right."""
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@lru_cache(maxsize=None)
def guideline_html(kind: str) -> tuple[Guideline, Markup]:
    """The guideline of `kind` and its Markdown as HTML. Raw HTML in the Markdown is escaped (html=False) and
    links are checked by markdown-it's validator, so only Markdown's own tags come out."""
    guideline = load_guideline(kind)
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    return guideline, Markup(renderer.render(guideline.markdown))


@dataclass(frozen=True)
class ContentBlock:
    """One field of an item's content as the page shows it: a chat transcript (`messages`) or a text."""

    field: str
    title: str
    messages: list[dict] | None = None
    text: str | None = None


# Content fields in reading order, with their headings; other fields follow under their own names.
FIELD_TITLES = {
    "messages": "Context", "prompt": "Prompt", "answer": "Answer", "chosen": "Chosen answer",
    "rejected": "Rejected answer", "completion": "Completion", "desirable": "Desirable (KTO)",
    "rules_label": "Rules' label", "judge_label": "Judge's label", "quality": "Judge's quality",
    "rationale": "Judge's rationale",
}
# The content field a fix rewrites, per kind (the guidelines say what a fix means; judgments have none).
FIXED_FIELDS = {"sft": ("answer",), "preference": ("chosen", "completion")}


def content_blocks(item: ReviewItem) -> list[ContentBlock]:
    """The item's content in reading order: transcripts stay transcripts, everything else becomes text."""
    order = [name for name in FIELD_TITLES if name in item.content]
    order += [name for name in item.content if name not in FIELD_TITLES]
    blocks = []
    for name in order:
        value = item.content[name]
        title = FIELD_TITLES.get(name, name.replace("_", " "))
        if is_transcript(value):
            blocks.append(ContentBlock(name, title, messages=[
                {"role": str(message["role"]), "content": str(message["content"])} for message in value]))
        elif value is not None:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            blocks.append(ContentBlock(name, title, text=text))
    return blocks


def is_transcript(value) -> bool:
    return isinstance(value, list) and all(
        isinstance(message, dict) and "role" in message and "content" in message for message in value)


def answer_of(item: ReviewItem) -> str | None:
    """The answer a fix starts from, or None where the kind has nothing to fix."""
    for name in FIXED_FIELDS.get(item.kind, ()):
        if isinstance(item.content.get(name), str):
            return item.content[name]
    return None


def create_app(lake_uri: str, queue_path: str | None = None, token: str | None = None, *,
               scrub: ScrubConfig = DEFAULT_REVIEW_SCRUB) -> FastAPI:
    """The review app over `lake_uri`, reviewing the queue at `queue_path` (else the queues sampled for the
    signed-in reviewer, `review.queue.recorded_queue`). With `token`, every request must carry it (see the
    module docstring). Fixed answers are scrubbed with `scrub` (the CLI passes the lake's own settings)."""
    fixed_queue = read_queue(queue_path) if queue_path is not None else None
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    sessions: dict[str, ReviewerSession] = {}
    app = FastAPI(title="flywheel review", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def session_of(request: Request) -> ReviewerSession | None:
        return sessions.get(request.cookies.get(SESSION_COOKIE, ""))

    def keep_session(session: ReviewerSession) -> str:
        """A new id for `session` (the oldest sessions go when there are too many)."""
        while len(sessions) >= MAX_SESSIONS:
            sessions.pop(next(iter(sessions)))
        session_id = secrets.token_urlsafe(NONCE_BYTES)
        sessions[session_id] = session
        return session_id

    def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")

    def page(name: str, status_code: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(**context), status_code=status_code)

    def login_page(request: Request, status_code: int = 200, error: str | None = None) -> HTMLResponse:
        """The sign-in form, with a CSRF nonce in the form and in a cookie (double submit). A browser keeps its
        nonce until it signs in: its other requests (a favicon) must not replace the one the open form carries."""
        nonce = request.cookies.get(SIGN_IN_COOKIE, "")
        if len(nonce) != NONCE_CHARS:
            nonce = secrets.token_urlsafe(NONCE_BYTES)
        response = page("login.html", status_code, nonce=nonce, error=error, max_name=MAX_REVIEWER_CHARS,
                        needs_token=not has_token(request))
        set_cookie(request, response, SIGN_IN_COOKIE, nonce)
        return response

    def has_token(request: Request) -> bool:
        """No token configured, a signed-in session (it proved the token), or the token in the header."""
        if token is None or session_of(request) is not None:
            return True
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and same_secret(given.strip(), token)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if has_token(request) or request.url.path.startswith(OPEN_PATHS):
            response = await call_next(request)
        else:
            response = login_page(request, 401, error="This review app needs its access token.")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def check_csrf(session: ReviewerSession | None, csrf: str) -> bool:
        return session is not None and same_secret(csrf, session.csrf)

    def refresh(session: ReviewerSession) -> None:
        """Read the reviewer's queue and verdicts from the lake."""
        session.items = fixed_queue if fixed_queue is not None else recorded_queue(lake_uri, session.name)
        mine = reviewer_hash(lake_uri, session.name)
        session.reviews = [review for review in read_reviews(lake_uri) if review.reviewer == mine]

    def forbidden() -> HTMLResponse:
        return page("message.html", 403, title="Forbidden", message="The form expired: reload the page.")

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request):
        return login_page(request)

    @app.post("/login")
    def login(request: Request, name: str = Form(""), csrf: str = Form(""), access_token: str = Form("")):
        nonce = request.cookies.get(SIGN_IN_COOKIE)
        if nonce is None or not same_secret(csrf, nonce):
            return login_page(request, 403, error="The form expired: please sign in again.")
        if not has_token(request) and not same_secret(access_token, token):
            return login_page(request, 401, error="Wrong access token.")
        name = " ".join(name.split())
        if not name or len(name) > MAX_REVIEWER_CHARS:
            return login_page(request, 422, error=f"Enter your name (1 to {MAX_REVIEWER_CHARS} characters).")
        old_id = request.cookies.get(SESSION_COOKIE)
        if old_id in sessions:  # signing in again, maybe as someone else: the old session ends
            sessions.pop(old_id)
        response = RedirectResponse("/", status_code=303)
        set_cookie(request, response, SESSION_COOKIE, keep_session(ReviewerSession(name)))
        response.delete_cookie(SIGN_IN_COOKIE, path="/")
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        session = session_of(request)
        if not check_csrf(session, csrf):
            return forbidden()
        sessions.pop(request.cookies[SESSION_COOKIE], None)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/")
    def start(request: Request):
        """The first item of the queue this reviewer has not judged yet."""
        session = session_of(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        refresh(session)
        if not session.items:
            return page("message.html", title="Nothing to review", session=session,
                        message="Your queue is empty: sample one with `flywheel review sample --reviewer NAME`.")
        done = {review.item_id for review in session.reviews}
        first_open = next((n for n, item in enumerate(session.items) if item.item_id not in done), 0)
        return RedirectResponse(f"/items/{first_open}", status_code=303)

    def item_page(session: ReviewerSession, position: int, status_code: int = 200, error: str | None = None):
        item = session.items[position]
        queued = {queued_item.item_id for queued_item in session.items}
        done = {review.item_id for review in session.reviews if review.item_id in queued}
        latest = next((review for review in reversed(session.reviews) if review.item_id == item.item_id), None)
        guideline, guideline_markup = guideline_html(item.kind)
        return page(
            "item.html", status_code, session=session, item=item, position=position, total=len(session.items),
            done=len(done), latest=latest, guideline=guideline, guideline_html=guideline_markup,
            reason_codes=list(guideline.reason_codes.items()), blocks=content_blocks(item), answer=answer_of(item),
            error=error,
        )

    def no_such_item(session: ReviewerSession) -> HTMLResponse:
        return page("message.html", 404, title="No such item", session=session,
                    message=f"Your queue has {len(session.items)} items.")

    @app.get("/items/{position}")
    def show_item(request: Request, position: int):
        session = session_of(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        if session.items is None:
            refresh(session)
        if not 0 <= position < len(session.items):
            return no_such_item(session)
        return item_page(session, position)

    @app.post("/items/{position}/verdict")
    def give_verdict(request: Request, position: int, csrf: str = Form(""), verdict: str = Form(""),
                     reason: str = Form(""), fixed_answer: str = Form("")):
        session = session_of(request)
        if not check_csrf(session, csrf):
            return forbidden()
        if session.items is None or not 0 <= position < len(session.items):
            return no_such_item(session)
        try:
            session.reviews.append(record_verdict(
                lake_uri, session.items[position], session.name, verdict, reason=reason or None,
                fixed_answer=fixed_answer if verdict == "fix" else None, source="web", scrub=scrub))
        except FlywheelError as exc:  # a verdict its guideline refuses: the vetted message says why
            return item_page(session, position, 422, error=str(exc))
        following = position + 1
        return RedirectResponse(f"/items/{following}" if following < len(session.items) else "/me?finished=1",
                                status_code=303)

    @app.get("/me")
    def my_page(request: Request, finished: int = 0):
        """What this reviewer has done: counts per verdict, progress through the queue, every verdict."""
        session = session_of(request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        if session.items is None:
            refresh(session)
        reviews = session.reviews
        position_of = {item.item_id: n for n, item in enumerate(session.items)}
        counts = {verdict: sum(review.verdict == verdict for review in reviews) for verdict in get_args(VerdictKind)}
        done = len({review.item_id for review in reviews if review.item_id in position_of})
        return page("me.html", session=session, reviews=list(reversed(reviews)), counts=counts,
                    position_of=position_of, total=len(position_of), done=done, finished=bool(finished))

    return app


def serve(lake_uri: str, queue_path: str | None = None, host: str = "127.0.0.1", port: int = 8765,
          token: str | None = None, *, scrub: ScrubConfig = DEFAULT_REVIEW_SCRUB) -> None:
    """Run the review app until interrupted. Refuses (ConfigError) to listen beyond loopback without a token,
    or with a token too short to resist guessing."""
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(f"review serve: the access token (--token / {TOKEN_ENV}) must have at least "
                          f"{MIN_TOKEN_CHARS} characters")
    if not is_loopback(host) and token is None:
        raise ConfigError(f"review serve: --host {host} reaches beyond this machine; set an access token with "
                          f"--token or {TOKEN_ENV}, or serve on 127.0.0.1")
    app = create_app(lake_uri, queue_path, token, scrub=scrub)
    print(f"Reviewing on http://{host}:{port}/  (Ctrl+C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
