from django.urls import path

from console.views import councils

urlpatterns = [
    path("", councils, name="home"),
]
