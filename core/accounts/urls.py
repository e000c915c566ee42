"""Sign-in, sign-out, sessions and password reset: routed on the platform site and every council site."""

from django.urls import path

from core.accounts import views
from core.accounts.access import public_page, sign_in_step

urlpatterns = [
    path("sign-in/", public_page(views.sign_in), name="sign-in"),
    path("sign-in/code/", sign_in_step(views.sign_in_code), name="sign-in-code"),
    path("sign-in/set-up/", sign_in_step(views.sign_in_set_up), name="sign-in-set-up"),
    path("sign-out/", public_page(views.sign_out), name="sign-out"),
    path("account/sessions/", views.sessions, name="sessions"),
    path("account/keep-alive/", views.keep_alive, name="keep-alive"),
    path("password-reset/", public_page(views.PasswordResetView.as_view()), name="password-reset"),
    path("password-reset/sent/", public_page(views.PasswordResetSentView.as_view()), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        public_page(views.PasswordResetConfirmView.as_view()),
        name="password-reset-confirm",
    ),
    path("password-reset/done/", public_page(views.PasswordResetDoneView.as_view()), name="password-reset-done"),
]
