"""A person's own account pages: password reset and change (Django's auth views in the
NHS.UK style), taking up an invitation, their profile, and single sign-on's two doors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from backend import selectors, services, sso
from backend.models import Unit, User
from backend.pages import NHSBoundField, PageForm, invalid_form_response, save_or_refuse
from backend.throttles import PasswordResetThrottle, SignInThrottle

PASSWORD_HINT = "At least 8 characters; not a common password, and not all numbers."


class NHSFieldsMixin:
    """Django's own auth forms, drawn with the NHS.UK field markup."""

    bound_field_class = NHSBoundField
    template_name = "backend/includes/form_fields.html"


class ResetRequestForm(PageForm):
    refuses_nhs_numbers = False

    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )

    def save(self, **_: Any) -> None:
        services.password_reset_request(email=self.cleaned_data["email"])


class NewPasswordForm(NHSFieldsMixin, SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password2"].label = "Type the new password again"


class ChangePasswordForm(NHSFieldsMixin, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Your current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password2"].label = "Type the new password again"
        self.order_fields(["old_password", "new_password1", "new_password2"])


class PasswordResetRequest(auth_views.PasswordResetView):
    """Ask for a reset link. The answer is the same whether or not the address has an
    account, and the e-mail goes from the worker, so neither words nor timing tell."""

    form_class = ResetRequestForm
    template_name = "backend/accounts/password_reset.html"
    success_url = reverse_lazy("password-reset-sent")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = PasswordResetThrottle()
        if not throttle.allow_request(request, None):
            form = self.get_form()
            form.is_valid()
            wait = max(1, int((throttle.wait() or 60) // 60))
            form.add_error(
                "email", f"Too many requests from here. Wait {wait} minutes, then try again"
            )
            return render(request, self.template_name, {"form": form}, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: ResetRequestForm) -> HttpResponse:
        return invalid_form_response(self.request, self.template_name, {"form": form})


class PasswordResetSent(auth_views.PasswordResetDoneView):
    template_name = "backend/accounts/password_reset_sent.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Choose a new password from the e-mailed link (once, and only for a while)."""

    form_class = NewPasswordForm
    template_name = "backend/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-done")

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        return response


class PasswordResetDone(auth_views.PasswordResetCompleteView):
    template_name = "backend/accounts/password_reset_done.html"


class PasswordChange(auth_views.PasswordChangeView):
    """Change your password; every other session and API token of yours ends."""

    form_class = ChangePasswordForm
    template_name = "backend/accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Guessing the current password here counts against the same limit as signing in.
        throttle = SignInThrottle()
        if not throttle.allow_request(request, None):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                "old_password",
                f"Too many attempts. Wait {int(throttle.wait() or 60)} seconds, then try again",
            )
            return render(request, self.template_name, {"form": form}, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:
        user = form.save()
        services.password_changed(user=user)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, "Your password has been changed")
        return redirect(self.success_url)

    def form_invalid(self, form: ChangePasswordForm) -> HttpResponse:
        return invalid_form_response(self.request, self.template_name, {"form": form})


class AcceptForm(PageForm):
    refuses_nhs_numbers = False

    password1 = forms.CharField(
        label="Choose a password",
        help_text=PASSWORD_HINT,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choose a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") and data.get("password2") != data["password1"]:
            self.add_error("password2", "The two passwords are not the same")
        return data


class JoinForm(PageForm):
    """Someone who already has a password joins with it: nothing to fill in."""


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Take up an invitation from its e-mailed link: choose a password (or use the one you
    have, or your organisation account), then sign in."""
    invitation = services.invitation_from_token(token)
    organisation = invitation.organisation
    existing = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    has_password = existing is not None and existing.has_usable_password()
    form_class = JoinForm if has_password else AcceptForm
    form = form_class(request.POST if request.method == "POST" else None)
    context = {
        "invitation": invitation,
        "organisation": organisation,
        "form": form,
        "has_password": has_password,
        "sso_label": sso.button_label(),
    }
    if request.method == "POST" and organisation.password_sign_in and form.is_valid():
        password = None if has_password else form.cleaned_data["password1"]
        user = save_or_refuse(
            form, lambda: services.invitation_accept(token=token, password=password)
        )
        if user is not None:
            if request.user.is_authenticated and request.user.pk != user.pk:
                logout(request)
            messages.success(
                request,
                f"You have joined {organisation.name}. Sign in with your email address "
                "and password.",
            )
            return redirect("sign-in")
    if form.errors:
        return invalid_form_response(request, "backend/accounts/invitation.html", context)
    return render(request, "backend/accounts/invitation.html", context)


class ProfileForm(PageForm):
    full_name = forms.CharField(
        label="Your name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name"},
    )

    def __init__(self, *args: Any, memberships: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = memberships
        for membership in memberships:
            units = Unit.objects.filter(
                organisation_id=membership.organisation_id, is_active=True
            ).order_by("name")
            self.fields[f"home_unit_{membership.pk}"] = forms.ModelChoiceField(
                queryset=units,
                required=False,
                empty_label="Not one place",
                label=f"Where you work in {membership.organisation.name}",
                initial=membership.home_unit_id,
            )

    def field_for(self, service_field: str | None) -> str | None:
        if service_field == "home_unit" and self.memberships:
            return f"home_unit_{self.memberships[0].pk}"
        return super().field_for(service_field)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Your name, where you work, your password, and your sign-in."""
    memberships = sorted(
        selectors.user_memberships(user=request.user).values(),
        key=lambda m: m.organisation.name,
    )
    form = ProfileForm(
        request.POST or None,
        memberships=memberships,
        initial={"full_name": request.user.full_name},
    )
    context = {
        "form": form,
        "memberships": memberships,
        "can_change_password": request.user.has_usable_password()
        and services.password_allowed(user=request.user) is None,
    }
    if request.method == "POST":
        if form.is_valid():

            def save() -> bool:
                services.profile_update(user=request.user, full_name=form.cleaned_data["full_name"])
                for membership in memberships:
                    services.membership_home_unit_set(
                        by=request.user,
                        membership=membership,
                        home_unit=form.cleaned_data[f"home_unit_{membership.pk}"],
                    )
                return True

            if save_or_refuse(form, save):
                messages.success(request, "Your details have been saved")
                return redirect("profile")
        return invalid_form_response(request, "backend/accounts/profile.html", context)
    return render(request, "backend/accounts/profile.html", context)


urlpatterns = [
    path("accounts/password/reset/", PasswordResetRequest.as_view(), name="password-reset"),
    path("accounts/password/reset/sent/", PasswordResetSent.as_view(), name="password-reset-sent"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path("accounts/password/reset/done/", PasswordResetDone.as_view(), name="password-reset-done"),
    path("accounts/password/change/", PasswordChange.as_view(), name="password-change"),
    path("accounts/invitation/<str:token>/", invitation_accept, name="invitation-accept"),
    path("accounts/profile/", profile, name="profile"),
    path("accounts/sso/", sso.SignInWithProvider.as_view(), name="sso-start"),
    path("accounts/sso/callback/", sso.ProviderCallback.as_view(), name="sso-callback"),
]
