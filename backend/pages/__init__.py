"""The app shell for the phone pages: sign in and out, the service worker, the web manifest,
and the form plumbing every app's pages share (NHS.UK field markup, errors from services).

Pages live in each app's ``pages.py`` and call the same services and selectors as its API.
The ground floor's own pages beside this module: ``accounts`` (password reset and change,
invitations, profile, single sign-on) and ``organisation`` (the administrators' pages).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.contrib.auth import login, logout
from django.contrib.staticfiles import finders
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from backend import services
from backend.errors import ApplicationError
from backend.navigation import home_url
from backend.throttles import SignInThrottle
from backend.validators import NHS_NUMBER_MESSAGE, TEXT_MAX_LENGTH, contains_nhs_number

# The static files a phone keeps so that any page it has opened opens again offline.
SHELL_STATIC = (
    "ripple/ripple.css",
    "ripple/ripple.js",
    "ripple/nhsuk/nhsuk-frontend.min.js",
    "ripple/icons/icon.svg",
)

T = TypeVar("T")

_INPUT_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "longselect": "nhsuk-select",
}


class LongSelect(forms.Select):
    """Django's select drawn in one pass. Django renders a template for every option,
    about a tenth of a millisecond each: a filter naming every unit and aim of a large
    trust has hundreds. Page forms draw every plain select with it (``PageForm``)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        choices = list(self.choices)  # once: a model field's choices are a query
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        wanted = set(self.format_value(value))
        options = []
        for key, label in choices:
            key = "" if key is None else str(key)
            chosen = key in wanted
            if chosen and not self.allow_multiple_selected:
                wanted = set()  # as Django's: one selected option in a single select
            options.append((key, mark_safe(" selected") if chosen else "", label))
        return format_html(
            "<select{}>{}</select>",
            flatatt(attrs),
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )


class NHSBoundField(BoundField):
    """Renders a widget with the NHS.UK classes and points it at its hint and error."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        base = _INPUT_CLASSES.get(self.widget_type, "nhsuk-input")
        # The widget's own classes (a width, say) are kept beside the NHS.UK ones.
        own = (widget or self.field.widget).attrs.get("class", "")
        classes = [base, own, attrs.get("class", "")]
        if self.errors:
            classes.append(f"{base}--error")
        attrs["class"] = " ".join(c for c in classes if c)
        described_by = []
        if self.help_text:
            described_by.append(f"{self.auto_id}-hint")
        if self.errors:
            described_by.append(f"{self.auto_id}-error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        else:
            attrs.pop("aria-describedby", None)
        return attrs


class PageForm(forms.Form):
    """A form for a page: NHS.UK markup, no browser-only validation bubbles online (the
    page script asks the browser to check required fields only when offline), and the
    one place a service's refusal becomes a message beside the field it names."""

    bound_field_class = NHSBoundField
    template_name = "backend/includes/form_fields.html"
    # Like the API's SafeTextMixin: no free text that holds an NHS number is ever saved,
    # and free text without a limit of its own is held to the API's.
    refuses_nhs_numbers = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget.__class__ = LongSelect  # the same widget, drawn in one pass
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = TEXT_MAX_LENGTH
                field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.refuses_nhs_numbers:
            for name, value in list(data.items()):
                if isinstance(value, str) and contains_nhs_number(value):
                    self.add_error(name, NHS_NUMBER_MESSAGE)
        return data

    def field_for(self, service_field: str | None) -> str | None:
        """The form field a service's field path (``point.value``, ``questions[0].x``)
        stands for, or None to show the message above the form. Forms whose fields are
        named differently from the service's override this."""
        if not service_field:
            return None
        name = service_field.rsplit(".", 1)[-1].split("[")[0]
        return name if name in self.fields else None

    def refusal_message(self, field: str | None, message: str) -> str:
        """A service message as the page shows it; a fragment such as "must be a finite
        number." is completed with the field's label."""
        if field and message[:1].islower():
            return f"{self.fields[field].label.split(' (')[0]} {message}"
        return message

    def add_refusal(self, error: ApplicationError | ValidationError) -> None:
        """Show a service's refusal beside each field it names, or above the form."""
        if isinstance(error, ApplicationError):
            gaps = error.extra.get("errors") or [{"field": error.field, "message": error.message}]
            pairs = [(gap["field"], gap["message"]) for gap in gaps]
        elif hasattr(error, "error_dict"):
            pairs = [
                (None if key == NON_FIELD_ERRORS else key, message)
                for key, messages in error.message_dict.items()
                for message in messages
            ]
        else:
            pairs = [(None, message) for message in error.messages]
        for service_field, message in pairs:
            field = self.field_for(service_field)
            self.add_error(field, self.refusal_message(field, message))


def save_or_refuse(form: PageForm, write: Callable[[], T]) -> T | None:
    """Run a service call for a page; a refusal (``ApplicationError`` or
    ``ValidationError``) becomes errors on the form and the call returns ``None``."""
    try:
        return write()
    except (ApplicationError, ValidationError) as refusal:
        form.add_refusal(refusal)
        return None


def invalid_form_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A form with errors is a 400, so the page script knows it was not saved."""
    return render(request, template, context, status=400)


class RefusalMiddleware:
    """A service's refusal that no form caught (a page refused as a whole, such as a role
    that may not open it) becomes the 403, 404 or "could not do that" page with the
    service's message, never a 500. The API's exception handler does the same for the API.

    A page's 404 (a record the person may not see) is Ripple's own page under ``make
    run`` too: Django's debug page would show someone trying the demo the list of every
    URL and the model that was looked up, where production shows this page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and not request.path.startswith("/api/"):
            return render(request, "404.html", status=404)
        if not isinstance(exception, ApplicationError):
            return None
        template = {403: "403.html", 404: "404.html"}.get(exception.status_code, "refused.html")
        context = {"exception": exception.message}
        return render(request, template, context, status=exception.status_code)


class SignInForm(PageForm):
    refuses_nhs_numbers = False

    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


def sign_in_context(form: SignInForm, next_url: str) -> dict[str, Any]:
    """What the sign-in page shows: the form, and the single sign-on button where set up."""
    from backend import sso

    return {
        "form": form,
        "next": next_url,
        "sso_label": sso.button_label(),
    }


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with an e-mail address and password (a session, for the pages), or with the
    organisation's account where single sign-on is set up."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = SignInForm(request.POST or None)
    throttle = SignInThrottle()
    if request.method == "POST" and not throttle.allow_request(request, None):
        wait = int(throttle.wait() or 60)
        form.add_error(
            "email", f"Too many attempts to sign in. Wait {wait} seconds, then try again"
        )
        return render(request, "backend/sign_in.html", sign_in_context(form, next_url), status=429)
    if request.method == "POST" and form.is_valid():
        user = save_or_refuse(
            form,
            lambda: services.password_sign_in(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                request=request,
            ),
        )
        if user is not None:
            login(request, user)
            return redirect(next_url or home_url(user))
    status = 400 if form.errors else 200
    return render(request, "backend/sign_in.html", sign_in_context(form, next_url), status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (a POST, so a link or a prefetch can never sign anyone out)."""
    logout(request)
    return redirect("sign-in")


def _shell_version(shell: list[str]) -> str:
    """Names the static cache: hashed names change with their content in production; in
    development the files' modification times stand in for the hash."""
    digest = hashlib.sha256("|".join(shell).encode())
    for name in SHELL_STATIC:
        found = finders.find(name)
        if found:
            digest.update(str(Path(found).stat().st_mtime_ns).encode())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so that it may look after every page."""
    shell = [static(name) for name in SHELL_STATIC]
    response = render(
        request,
        "backend/service-worker.js",
        {
            "shell": json.dumps(shell),
            "version": _shell_version(shell),
            "offline": reverse("offline"),
        },
        content_type="text/javascript",
    )
    # A new deploy must reach phones on their next visit.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def web_manifest(request: HttpRequest) -> HttpResponse:
    """What a phone needs to install Ripple on its home screen."""
    return render(
        request,
        "backend/manifest.webmanifest",
        {
            "start_url": "/",
            "icon_svg": static("ripple/icons/icon.svg"),
            "icon_192": static("ripple/icons/icon-192.png"),
            "icon_512": static("ripple/icons/icon-512.png"),
        },
        content_type="application/manifest+json",
    )


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page the phone has not opened before."""
    return render(request, "backend/offline.html")


urlpatterns = [
    path("accounts/login/", sign_in, name="sign-in"),
    path("accounts/logout/", sign_out, name="sign-out"),
    path("sw.js", service_worker, name="service-worker"),
    path("manifest.webmanifest", web_manifest, name="web-manifest"),
    path("offline/", offline, name="offline"),
]
