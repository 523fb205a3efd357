"""Write use-cases for accounts and tenancy, by concern:

- `organisation`: units, memberships, the organisation's sign-in settings and allowed
  domains, deactivating and reactivating members.
- `invitations`: inviting people one at a time or from a CSV file, and taking it up.
- `signin`: passwords with a lockout, single sign-on's first sign-in, password reset, and
  the record of every attempt.
"""

from backend.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_email_send,
    invitation_from_token,
    invitation_link,
    invitation_resend,
    invitation_revoke,
    invitations_import,
    invitations_take_up,
    invitations_unsent_send,
)
from backend.services.organisation import (
    allowed_domain_add,
    allowed_domain_remove,
    ensure_role,
    member_deactivate,
    member_reactivate,
    membership_create,
    membership_delete,
    membership_home_unit_set,
    membership_update,
    organisation_setting_names,
    organisation_settings_update,
    profile_update,
    sessions_end,
    unit_create,
    unit_retire,
    unit_update,
    worker_heartbeat_record,
)
from backend.services.signin import (
    SSORefused,
    locked_until,
    password_allowed,
    password_changed,
    password_reset_email_send,
    password_reset_request,
    password_sign_in,
    sign_in_event_record,
    sso_sign_in,
    token_create,
)

__all__ = [
    "SSORefused",
    "allowed_domain_add",
    "allowed_domain_remove",
    "ensure_role",
    "invitation_accept",
    "invitation_create",
    "invitation_email_send",
    "invitation_from_token",
    "invitation_link",
    "invitation_resend",
    "invitation_revoke",
    "invitations_import",
    "invitations_take_up",
    "invitations_unsent_send",
    "locked_until",
    "member_deactivate",
    "member_reactivate",
    "membership_create",
    "membership_delete",
    "membership_home_unit_set",
    "membership_update",
    "organisation_setting_names",
    "organisation_settings_update",
    "password_allowed",
    "password_changed",
    "password_reset_email_send",
    "password_reset_request",
    "password_sign_in",
    "profile_update",
    "sessions_end",
    "sign_in_event_record",
    "sso_sign_in",
    "token_create",
    "unit_create",
    "unit_retire",
    "unit_update",
    "worker_heartbeat_record",
]
