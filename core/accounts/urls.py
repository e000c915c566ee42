"""Sign-in, sign-out, sessions and password reset: routed on the platform site and every council site."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from core.accounts import passkey_views, views
from core.accounts.access import passkey_step, public_page, sign_in_step

urlpatterns = [
    path("sign-in/", public_page(views.sign_in), name="sign-in"),
    path("sign-in/code/", sign_in_step(views.sign_in_code), name="sign-in-code"),
    path("sign-in/set-up/", sign_in_step(views.sign_in_set_up), name="sign-in-set-up"),
    path("sign-out/", public_page(views.sign_out), name="sign-out"),
    path("account/sessions/", views.sessions, name="sessions"),
    path("account/sessions/<int:session_id>/sign-out/", views.session_sign_out, name="session-sign-out"),
    path("account/keep-alive/", passkey_step(views.keep_alive), name="keep-alive"),
    # Passkeys: the account page and the registration ceremony (signed in with both factors) ...
    path("account/passkeys/", passkey_step(passkey_views.account_passkeys), name="account-passkeys"),
    path(
        "account/passkeys/<int:credential_id>/remove/",
        passkey_views.account_passkey_remove,
        name="account-passkey-remove",
    ),
    path(
        "account/passkeys/register/begin/",
        passkey_step(passkey_views.PasskeyRegisterBegin.as_view()),
        name="account-passkey-register-begin",
    ),
    path(
        "account/passkeys/register/complete/",
        passkey_step(passkey_views.PasskeyRegisterComplete.as_view()),
        name="account-passkey-register-complete",
    ),
    # ... and signing in with one: after the password, or on its own (its own checks, passkey_views).
    path("sign-in/passkey/begin/", public_page(passkey_views.passkey_sign_in_begin), name="sign-in-passkey-begin"),
    path(
        "sign-in/passkey/complete/",
        public_page(passkey_views.passkey_sign_in_complete),
        name="sign-in-passkey-complete",
    ),
    path(
        "passkeys/script-text/",
        public_page(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="passkeys-script-text",
    ),
    path("password-reset/", public_page(views.PasswordResetView.as_view()), name="password-reset"),
    path("password-reset/sent/", public_page(views.PasswordResetSentView.as_view()), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        public_page(views.PasswordResetConfirmView.as_view()),
        name="password-reset-confirm",
    ),
    path("password-reset/done/", public_page(views.PasswordResetDoneView.as_view()), name="password-reset-done"),
]
