"""Signing in and out of a council site (and, with another template, the operator console)."""

from django.contrib.auth import views as auth_views

from core.accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]
