"""The app shell for the phone pages: sign in and out, the service worker, the web manifest,
and the form plumbing every app's pages share (NHS.UK field markup, errors from services).

Pages live in each app's ``pages.py`` and call the same services and selectors as its API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth import authenticate, login, logout
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from backend.errors import ApplicationError
from backend.throttles import SignInThrottle
from backend.validators import NHS_NUMBER_MESSAGE, contains_nhs_number

# The static files a phone keeps so that any page it has opened opens again offline.
SHELL_STATIC = (
    "ripple/ripple.css",
    "ripple/ripple.js",
    "ripple/nhsuk/nhsuk-frontend.min.js",
    "ripple/icons/icon.svg",
)

_INPUT_CLASSES = {"textarea": "nhsuk-textarea", "select": "nhsuk-select"}


class NHSBoundField(BoundField):
    """Renders a widget with the NHS.UK classes and points it at its hint and error."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        base = _INPUT_CLASSES.get(self.widget_type, "nhsuk-input")
        classes = [base, attrs.get("class", "")]
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
    """A form for a phone page: NHS.UK markup, no browser-only validation bubbles online
    (the page script asks the browser to check required fields only when offline)."""

    bound_field_class = NHSBoundField
    template_name = "backend/includes/form_fields.html"
    # Like the API's SafeTextMixin: no free text that holds an NHS number is ever saved.
    refuses_nhs_numbers = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.refuses_nhs_numbers:
            for name, value in list(data.items()):
                if isinstance(value, str) and contains_nhs_number(value):
                    self.add_error(name, NHS_NUMBER_MESSAGE)
        return data

    def add_refusal(self, error: ApplicationError | ValidationError) -> None:
        """Show a service's refusal beside the field it names, or above the form."""
        if isinstance(error, ApplicationError):
            field = error.field.split(".")[0].split("[")[0] if error.field else None
            self.add_error(field if field in self.fields else None, error.message)
            return
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
            return
        self.add_error(None, error)


def save_or_refuse(form: PageForm, write: Callable[[], Any]) -> Any | None:
    """Run a service call; a refusal becomes an error on the form (and ``None``)."""
    try:
        return write()
    except (ApplicationError, ValidationError) as refusal:
        form.add_refusal(refusal)
        return None


def invalid_form_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A form with errors is a 400, so the page script knows it was not saved."""
    return render(request, template, context, status=400)


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


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with an e-mail address and password (a session, for the pages)."""
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
        context = {"form": form, "next": next_url}
        return render(request, "backend/sign_in.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if user is not None:
            login(request, user)
            return redirect(next_url or reverse("my-projects"))
        form.add_error("email", "Enter the email address and password you use for Ripple")
    status = 400 if form.errors else 200
    return render(request, "backend/sign_in.html", {"form": form, "next": next_url}, status=status)


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
            "start_url": reverse("my-projects"),
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
