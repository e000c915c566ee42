"""The load balancer's health check answers on any host, and says nothing about councils."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_health_check_answers_for_a_task_ip_host() -> None:
    response = Client(HTTP_HOST="10.0.3.17:8000").get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_check_refuses_writes() -> None:
    assert Client(HTTP_HOST="10.0.3.17").post("/healthz").status_code == 405


@pytest.mark.django_db
def test_other_paths_on_an_unknown_host_are_still_not_found() -> None:
    assert Client(HTTP_HOST="10.0.3.17:8000").get("/healthz/").status_code == 404
