"""Comments on a record: the shape, rules, form and API shape every app's comments share.

Comments belong to the app that owns the thing they hang on (a project's in ``projects``,
a cycle's in ``pdsa``); each app subclasses ``Comment`` and writes through its own
service, which calls ``comment_text`` and ``ensure_comment_author`` here so that every
comment is refused, and deleted, by the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.errors import forbid, refuse
from backend.idempotency import idempotent
from backend.models import User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from backend.validators import NHS_NUMBER_MESSAGE, contains_nhs_number

COMMENT_MAX = 2000


class Comment(models.Model):
    """A short message on a record (coaching feedback, a team's reply): who, when, what."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:40]}"

    @property
    def author_name(self) -> str:
        """The author as the team knows them; a deleted account is "a former member"."""
        if self.author is None:
            return "A former member"
        return self.author.full_name or self.author.email


def comment_text(text: str) -> str:
    """The text of a new comment, trimmed; refused, naming ``text``, when it is empty,
    too long or holds an NHS number."""
    text = (text or "").strip()
    if not text:
        refuse("Write your comment.", field="text")
    if len(text) > COMMENT_MAX:
        refuse(f"A comment must be {COMMENT_MAX:,} characters or fewer.", field="text")
    if contains_nhs_number(text):
        refuse(NHS_NUMBER_MESSAGE, field="text")
    return text


def ensure_comment_author(*, comment: Comment, by: User) -> None:
    """Only the person who wrote a comment deletes it (403 saying so)."""
    if comment.author_id != by.pk:
        forbid("Only the person who wrote a comment can delete it.")


class CommentForm(PageForm):
    text = forms.CharField(
        label="Add a comment",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The team is told. Never a patient's details.",
        error_messages={
            "required": "Write your comment",
            "max_length": f"A comment must be {COMMENT_MAX:,} characters or fewer",
        },
    )


class CommentAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CommentSerializer(serializers.Serializer):
    """A comment as the API shows it; ``text`` is the only field a client writes."""

    id = serializers.IntegerField(read_only=True)
    author = serializers.SerializerMethodField()
    text = serializers.CharField(max_length=COMMENT_MAX)
    created_at = serializers.DateTimeField(read_only=True)
    can_delete = serializers.SerializerMethodField()

    @extend_schema_field(CommentAuthorSerializer(allow_null=True))
    def get_author(self, comment: Comment) -> dict[str, Any] | None:
        if comment.author_id is None:
            return None
        return {"id": comment.author_id, "name": comment.author_name}

    def get_can_delete(self, comment: Comment) -> bool:
        request = self.context.get("request")
        return request is not None and comment.author_id == request.user.pk


class CommentsView(APIView):
    """A record's comments: ``GET`` lists them oldest first, ``POST`` adds one (a retry
    with the same ``Idempotency-Key`` creates nothing). Each app names its record, its
    comments and its service; the record is looked up through the app's scoped
    selector, so another organisation's is a 404."""

    def record(self, request: Request, pk: int) -> models.Model:
        raise NotImplementedError

    def comment_list(self, record: models.Model) -> QuerySet:
        raise NotImplementedError

    def comment_create(self, record: models.Model, by: User, text: str) -> Comment:
        raise NotImplementedError

    def get(self, request: Request, pk: int) -> Response:
        comments = self.comment_list(self.record(request, pk))
        return Response(CommentSerializer(comments, many=True, context={"request": request}).data)

    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        record = self.record(request, pk)
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = self.comment_create(record, request.user, body.validated_data["text"])
        data = CommentSerializer(comment, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class CommentView(APIView):
    """One comment: ``DELETE`` by its author."""

    def comment(self, request: Request, pk: int, comment_id: int) -> Comment:
        raise NotImplementedError

    def comment_delete(self, comment: Comment, by: User) -> None:
        raise NotImplementedError

    def delete(self, request: Request, pk: int, comment_id: int) -> Response:
        self.comment_delete(self.comment(request, pk, comment_id), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _back(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    return wanted if wanted.startswith("/") and allowed else default


def comment_post_page(
    request: HttpRequest, *, create: Callable[[str], Comment], back: str, about: str
) -> HttpResponse:
    """A page's POST of a new comment: saved through ``create`` (the app's service) and
    back to where it was written (``next``, else ``back``) at the new comment; a refusal
    shows the form again with the message beside the text and nothing typed lost."""
    form = CommentForm(request.POST)
    if form.is_valid():
        comment = save_or_refuse(form, lambda: create(form.cleaned_data["text"]))
        if comment is not None:
            messages.success(request, "Comment posted. The team has been told.")
            return redirect(f"{_back(request, back)}#comment-{comment.pk}")
    context = {"form": form, "about": about, "back": _back(request, back), "action": request.path}
    return invalid_form_response(request, "backend/comment_form.html", context)


def comment_delete_page(
    request: HttpRequest, *, comment: Comment, delete: Callable[[], None], back: str
) -> HttpResponse:
    """A page's POST deleting a comment through ``delete`` (the app's service, which
    refuses anyone but the author with the 403 page)."""
    delete()
    messages.success(request, "Comment deleted.")
    return redirect(f"{_back(request, back)}#comments")
