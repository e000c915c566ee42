"""Practitioners using Patchwork at once, over many councils (``manage.py bench_load`` runs this headless).

Each simulated user signs in to its own account through the real pages (the password, then a single-use backup
code), then, with a pause of ``BENCH_LOAD_WAIT`` seconds ("min,max") between actions:

* **search** for a client by surname and date of birth — the answer must list the client sought;
* **team page** of a client whose team it is in — the page must show the user among the members;
* **join** a team: search for the client first (joining is only from a search hit), the join form, the join
  itself (a redirect to the team page), then the team page, which must now show the user;
* **update** its involvement: the form, then the update (a redirect to the team page).

Any other answer is a failure. Requests go to gunicorn on loopback with the council's Host header and
``X-Forwarded-Proto: https``, as the load balancer sends them. The accounts come from the JSON file named by
``BENCH_LOAD_ACCOUNTS``; each user takes one account, and there must be an account for every user.

A practitioner may search 30 times in five minutes (core/clients/recorded.py); a user here searches at most
``SEARCH_BUDGET`` times in a run, and then does the other things.
"""

import datetime
import itertools
import json
import os
import random
from typing import Any

from locust import FastHttpUser, between, task
from pages import (
    Cookies,
    involvement_form,
    redirect_problem,
    search_form,
    search_problem,
    team_problem,
)

SEARCH_BUDGET = 28

with open(os.environ["BENCH_LOAD_ACCOUNTS"], encoding="utf-8") as file:
    PLAN = json.load(file)
ACCOUNTS = itertools.count()
WAIT = tuple(float(part) for part in os.environ.get("BENCH_LOAD_WAIT", "10,30").split(","))


class Practitioner(FastHttpUser):
    wait_time = between(*WAIT)
    max_redirects = 0  # every answer is checked as it comes, redirects too (and its cookies kept)

    def on_start(self) -> None:
        index = next(ACCOUNTS)
        if index >= len(PLAN["accounts"]):
            raise RuntimeError(f"More users than the {len(PLAN['accounts'])} accounts prepared.")
        account = PLAN["accounts"][index]
        self.account = account
        self.rng = random.Random(index)  # noqa: S311 - choosing what to do next, not security
        self.cookies = Cookies()
        self.today = datetime.date.fromisoformat(PLAN["today"])
        self.team = list(account["team"])  # clients whose team this account is in: [id, role]
        self.to_join = list(account["to_join"])  # clients it is not in the team of: {id, name, surname, dob}
        self.findable = [*account["to_find"]]
        self.searches = 0
        self._sign_in()

    # HTTP ---------------------------------------------------------------------------------------------------

    def _send(self, method: str, path: str, name: str, form: dict[str, str] | None = None) -> Any:
        host = self.account["host"]
        headers = {
            "Host": host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.account["address"],
            "User-Agent": "Patchwork load test",
        }
        if self.cookies.values:
            headers["Cookie"] = self.cookies.header()
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.csrf_token()}
            headers["Origin"] = f"https://{host}"
            headers["Referer"] = f"https://{host}{path}"
        response = self.client.request(
            method,
            path,
            name=name,
            data=form,
            headers=headers,
            catch_response=True,
        )
        self.client.cookiejar.clear()  # ours are in self.cookies, sent explicitly
        if response.headers is not None:
            self.cookies.update(response.headers.getlist("set-cookie"))
        return response

    def _get(self, path: str, name: str, *, expect: int = 200) -> Any:
        with self._send("GET", path, name) as response:
            if response.status_code != expect:
                response.failure(f"answered {response.status_code}, not {expect}")
            return response

    def _post_redirect(self, path: str, name: str, form: dict[str, str], *, to: str) -> bool:
        with self._send("POST", path, name, form) as response:
            problem = redirect_problem(response.status_code, response.headers.get("location", ""), expected=to)
            if problem:
                response.failure(problem)
            return problem is None

    # Steps ------------------------------------------------------------------------------------------------------

    def _sign_in(self) -> None:
        self._get("/sign-in/", "sign in: page")
        form = {"email": self.account["email"], "password": self.account["password"]}
        if not self._post_redirect("/sign-in/", "sign in: password", form, to="/sign-in/code/"):
            raise RuntimeError("the password step failed")
        if not self._post_redirect("/sign-in/code/", "sign in: code", {"code": self.account["code"]}, to="/"):
            raise RuntimeError("the second-factor step failed")
        self._get("/", "home")

    def _search(self, client: dict[str, str]) -> bool:
        self.searches += 1
        form = search_form(surname=client["surname"], date_of_birth=datetime.date.fromisoformat(client["dob"]))
        with self._send("POST", "/clients/search/", "search", form) as response:
            problem = search_problem(response.status_code, response.text or "", sought=client["name"])
            if problem:
                response.failure(problem)
            return problem is None

    def _team_page(self, client_id: str) -> None:
        with self._send("GET", f"/clients/{client_id}/", "team page") as response:
            problem = team_problem(response.status_code, response.text or "", viewer=self.account["name"])
            if problem:
                response.failure(problem)

    # Tasks ------------------------------------------------------------------------------------------------------

    @task(3)
    def search(self) -> None:
        if self.searches >= SEARCH_BUDGET or not self.findable:
            return self.team_page()
        self._search(self.rng.choice(self.findable))
        return None

    @task(4)
    def team_page(self) -> None:
        client_id, _role = self.rng.choice(self.team)
        self._team_page(client_id)

    @task(1)
    def join(self) -> None:
        if self.searches >= SEARCH_BUDGET or not self.to_join:
            return self.team_page()
        client = self.to_join.pop()
        if not self._search(client):
            return None
        self._get(f"/clients/{client['id']}/join/", "join: form")
        form = {"role": self.account["job_title"], "reason": "Allocated to the family this week (load test)."}
        if self._post_redirect(f"/clients/{client['id']}/join/", "join", form, to=f"/clients/{client['id']}/"):
            self.team.append([client["id"], self.account["job_title"]])
            self._team_page(client["id"])
        return None

    @task(2)
    def update_involvement(self) -> None:
        client_id, role = self.rng.choice(self.team)
        path = f"/clients/{client_id}/my-involvement/"
        self._get(path, "involvement: form")
        form = involvement_form(role=role, today=self.today)
        self._post_redirect(path, "involvement: update", form, to=f"/clients/{client_id}/")
