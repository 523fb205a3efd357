"""Pages and API answers kept until a table they read changes.

A desk page at a large trust reads thousands of rows and draws tens of kilobytes, and
the same person opens it again and again (a coach's caseload between visits, the board
page through a meeting) while nothing it shows has changed. ``kept_page`` keeps what
such a view drew, per person and address, and draws it again only once a table it read
has changed; ``kept_answer`` does the same for an API view's JSON answers (the caseload,
the portfolio, the summary table), which the same people's apps ask for as often.
Nobody declares what a page depends on, so nothing can be forgotten:

- every SQL statement on every connection passes through ``watch``. A statement that
  writes renews the token of each table it names once its transaction commits (one it
  cannot name renews every page; a sign-in's stamp of ``last_login``, which no kept
  page shows, renews nothing); while a kept page is being drawn, the tables its
  statements read are noted;
- a kept page carries the tokens its tables had *before* it was drawn, so a write
  committed at any moment after that makes it stale, whichever process made it;
- nothing is kept or served inside a transaction that has written and not committed:
  such a transaction sees its own writes, which no token tells of yet;
- the header (the navigation and its unread counts) is drawn afresh every time and is
  not part of what the page depends on; who may read the page (the people, their
  memberships and organisations) always is, so a changed role is never served a page
  drawn for the old one;
- a page is kept for ``KEPT_SECONDS`` at most and for one day's date, so wording that
  depends on the time ("3 days overdue") moves on by itself.

Data written to the database other than through Django (a hand-run ``psql``) renews
nothing: ``manage.py pages_forget`` (or a deploy's ``migrate``) does. A value a view
reads from a cache of its own rather than from the database is not seen here, so such
a cache says which tables it stands for with ``reads``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache as once
from functools import wraps
from threading import local
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.cache import cache
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

KEPT_SECONDS = 600
HEADER_TEMPLATE = "backend/includes/header.html"
HEADER_START, HEADER_END = "<!--ripple:header-->", "<!--/ripple:header-->"
_HEADER_HERE = "\x00header\x00"
_TOKEN = "tables:{}"
_EVERY = "*"  # renewed by a write whose tables cannot be named: every kept page reads it
_READING = frozenset({"SELECT", "VALUES", "EXPLAIN"})
# Statements that neither read nor write rows.
_NEUTRAL = frozenset(
    {"SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW", "PRAGMA", "ANALYZE"}
)
_ROW_WRITES = frozenset({"INSERT", "UPDATE", "DELETE"})
_TARGET_CHARS = 200
_WRITING = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
# A one-column update by id: the column may be one no kept page shows.
_ONE_COLUMN = re.compile(r'UPDATE "(\w+)" SET "(\w+)" = %s WHERE "\w+"\."id" = %s')
# Signing in stamps the user's last_login, which no kept page shows: every page reads the
# users table, and counting it would make each sign-in draw every kept page again.
_UNSHOWN = frozenset({("backend_user", "last_login")})


@once
def _tables() -> frozenset[str]:
    """Every table the installed models live in (link tables too)."""
    return frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))


@once
def _scope_tables() -> frozenset[str]:
    """The tables that say who may read what: the user, their memberships and their
    organisations, read before any view runs."""
    names = ("backend.User", "backend.Membership", "backend.Organisation")
    return frozenset(apps.get_model(name)._meta.db_table for name in names)


def _named(sql: str) -> set[str]:
    return set(_WORD.findall(sql)) & _tables()


# --- tokens ---------------------------------------------------------------------------


def renew(tables: Iterable[str]) -> None:
    """Give ``tables`` new tokens: every page kept from them is stale from now on."""
    cache.set_many({_TOKEN.format(table): uuid.uuid4().hex for table in tables}, timeout=None)


def forget_all() -> None:
    """Make every kept page stale (after data changed behind Django's back)."""
    renew([_EVERY])


def _tokens(tables: Iterable[str]) -> dict[str, str]:
    """The tables' tokens now, made for those that have none yet. Two processes making
    one at once is harmless: a token overwritten by a fresh one only makes more stale."""
    keys = {table: _TOKEN.format(table) for table in tables}
    found = cache.get_many(list(keys.values()))
    made = {key: uuid.uuid4().hex for key in keys.values() if key not in found}
    if made:
        cache.set_many(made, timeout=None)
    return {table: found.get(key) or made[key] for table, key in keys.items()}


# --- watching the statements ----------------------------------------------------------


class _Reading(local):
    tables: set[str] | None = None
    paused: int = 0


_reading = _Reading()


class _Renewal:
    """Renews what a transaction wrote, once it commits (Django drops it on rollback)."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self) -> None:
        renew(self.tables)


def _pending(connection: BaseDatabaseWrapper) -> _Renewal | None:
    """The renewal waiting on the connection's open transaction, if it has written."""
    renewal = getattr(connection, "_kept_renewal", None)
    if renewal is None:
        return None
    # Django only appends to its list of commit hooks, or replaces the list when it runs
    # or drops them (a commit, a rollback): the same list still holds the renewal.
    hooks = connection.run_on_commit
    if connection._kept_hooks is hooks or any(func is renewal for _, func, _ in hooks):
        connection._kept_hooks = hooks
        return renewal
    connection._kept_renewal = None
    return None


def _written(sql: str, head: str) -> set[str]:
    """The tables a writing statement changes (every page's token when none is named)."""
    one_column = _ONE_COLUMN.fullmatch(sql.strip()) if head == "UPDATE" else None
    if one_column and one_column.groups() in _UNSHOWN:
        return set()
    if head in _ROW_WRITES:
        # A row write names its table first: reading past it would cost a bulk insert's
        # whole text (hundreds of kilobytes of placeholders).
        named = _named(sql[:_TARGET_CHARS])
        if named:
            return named
    return _named(sql) or {_EVERY}


def _wrote(connection: BaseDatabaseWrapper, tables: set[str]) -> None:
    if not tables:
        return
    if not connection.in_atomic_block:  # autocommit: it is committed already
        renew(tables)
        return
    renewal = _pending(connection)
    if renewal is None:
        renewal = connection._kept_renewal = _Renewal()
        connection.on_commit(renewal)
        connection._kept_hooks = connection.run_on_commit
    renewal.tables |= tables


def watch(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    """The execute wrapper on every connection (see the module's docstring)."""
    result = execute(sql, params, many, context)
    words = sql.lstrip(" \t\r\n(")[:10].split(None, 1)
    head = words[0].upper() if words else ""
    if head in _READING or (head == "WITH" and not _WRITING.search(sql)):
        if _reading.tables is not None and not _reading.paused:
            _reading.tables |= _named(sql)
    elif head not in _NEUTRAL:
        _wrote(context["connection"], _written(sql, head))
    return result


def watch_connection(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created``'s receiver: put ``watch`` on the connection, once."""
    if watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch)


@contextmanager
def unnoted() -> Iterator[None]:
    """What is read inside is not what the page depends on (the header's counts)."""
    _reading.paused += 1
    try:
        yield
    finally:
        _reading.paused -= 1


def reads(*models: Any) -> None:
    """Say that the page being drawn depends on ``models``' tables although it read them
    from a cache of its own (called by that cache when it answers)."""
    if _reading.tables is not None and not _reading.paused:
        _reading.tables |= {model._meta.db_table for model in models}


@contextmanager
def _noting() -> Iterator[set[str]]:
    outer, _reading.tables = _reading.tables, set()
    try:
        yield _reading.tables
    finally:
        _reading.tables = outer


# --- keeping pages and answers ------------------------------------------------------


def _uncommitted() -> bool:
    return any(_pending(c) is not None for c in connections.all(initialized_only=True))


def _hashed(prefix: str, *about: str) -> str:
    about = (*about, timezone.localdate().isoformat())
    return prefix + hashlib.sha256("\n".join(about).encode()).hexdigest()


def _key(request: HttpRequest) -> str | None:
    """Where the page is kept, or None when it may not be: not a plain GET by a signed-in
    person, a message waiting to be shown, no CSRF cookie yet (the forms' tokens are kept
    with the page, so each browser keeps its own), or a write not yet committed."""
    csrf = request.META.get("CSRF_COOKIE")
    if request.method != "GET" or not request.user.is_authenticated or not csrf:
        return None
    if len(messages.get_messages(request)) or _uncommitted():
        return None
    return _hashed("page:", str(request.user.pk), csrf, request.get_full_path())


def _fresh(tokens: dict[str, str]) -> bool:
    found = cache.get_many([_TOKEN.format(table) for table in tokens])
    return all(found.get(_TOKEN.format(table)) == token for table, token in tokens.items())


def _kept(key: str) -> dict[str, Any] | None:
    """What is kept at ``key``, while every table it was drawn from is unchanged."""
    kept = cache.get(key)
    return kept if kept is not None and _fresh(kept["tokens"]) else None


def _served(kept: dict[str, Any], body: str) -> HttpResponse:
    response = HttpResponse(body)
    for name, value in kept["headers"]:
        response[name] = value
    return response


def _keepable(response: HttpResponse, tables: set[str], content_type: str) -> bool:
    """Whether a response just drawn may be kept: a whole 200 of the type, drawn from
    tables read here (not later, unwatched), with nothing written and uncommitted."""
    return (
        response.status_code == 200
        and not response.streaming
        and getattr(response, "is_rendered", True)
        and response.get("Content-Type", "").startswith(content_type)
        and bool(tables)
        and not _uncommitted()
    )


def _keep(key: str, response: HttpResponse, body: str, *, before: dict, tables: set) -> None:
    depends = tables | _scope_tables() | {_EVERY}
    kept = {
        "tokens": {table: before[table] for table in depends},
        "body": body,
        "headers": [(k, v) for k, v in response.items() if k.lower() != "content-length"],
    }
    cache.set(key, kept, timeout=KEPT_SECONDS)


def _header(request: HttpRequest) -> str:
    return render_to_string(HEADER_TEMPLATE, request=request)


def kept_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep the page ``view`` draws for a GET, per person, browser and address, until a
    table it read changes (see the module's docstring). Put it inside ``login_required``;
    the view's own checks of who may read it run whenever it is drawn."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        kept = _kept(key)
        if kept is not None:
            return _served(kept, kept["body"].replace(_HEADER_HERE, _header(request), 1))
        before = _tokens(_tables() | {_EVERY})
        with _noting() as tables:
            response = view(request, *args, **kwargs)
        if not _keepable(response, tables, "text/html") or len(messages.get_messages(request)):
            return response
        body = response.content.decode(response.charset)
        start, end = body.find(HEADER_START), body.find(HEADER_END)
        if start >= 0 and end > start:
            body = body[: start + len(HEADER_START)] + _HEADER_HERE + body[end:]
            _keep(key, response, body, before=before, tables=tables)
        return response

    return wrapper


def _answer_key(request: Request) -> str | None:
    """Where an API answer is kept, or None when it may not be: not a GET by a signed-in
    person answered as JSON (the browsable API draws forms for its browser), or a write
    not yet committed. The whole address, host too: answers link to themselves."""
    renderer = getattr(request, "accepted_renderer", None)
    if request.method != "GET" or not request.user.is_authenticated:
        return None
    if renderer is None or renderer.format != "json" or _uncommitted():
        return None
    return _hashed(
        "answer:", str(request.user.pk), request.accepted_media_type, request.build_absolute_uri()
    )


def kept_answer(handler: Callable[..., Response]) -> Callable[..., HttpResponse]:
    """Keep what an API view's ``get`` (or ``list``) answers as JSON, per person and
    address, until a table it read changes, as ``kept_page`` keeps pages. It runs after
    the view's authentication, permissions and throttles, which apply to every request;
    the handler's own checks run whenever the answer is drawn."""

    @wraps(handler)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _answer_key(request)
        if key is None:
            return handler(view, request, *args, **kwargs)
        kept = _kept(key)
        if kept is not None:
            return _served(kept, kept["body"])
        before = _tokens(_tables() | {_EVERY})
        with _noting() as tables:
            response = handler(view, request, *args, **kwargs)
            # Rendered here, not after the view returns, so what the renderer reads (a
            # lazy queryset) is noted too; the view's own finalising later changes nothing.
            response = view.finalize_response(request, response, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()
        if _keepable(response, tables, "application/json"):
            _keep(
                key,
                response,
                response.content.decode(response.charset),
                before=before,
                tables=tables,
            )
        return response

    return wrapper
