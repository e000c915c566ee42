from django.urls import path

from console.views import ConsoleSignInView, councils
from core.accounts.views import SignOutView

urlpatterns = [
    path("", councils, name="home"),
    path("sign-in/", ConsoleSignInView.as_view(), name="sign-in"),
    path("sign-out/", SignOutView.as_view(), name="sign-out"),
]
