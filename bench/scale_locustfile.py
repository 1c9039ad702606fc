"""The simulated users of bench/scale.py (locust, headless; not a test).

Each locust user takes the next account of the --bench-cases file (procesregisseurs of the
directing municipality and partnermedewerkers of the partners), logs in once, then loops: Mijn taken,
Casussen (the default view: running cases, newest first), a page further (page 5), a search by name
for one of the cases they may see (typed in small letters, through the form, as the page does), and
that case's page; pausing (exponential, mean --think-time) between requests.

Request names are the kinds bench/scale.py reports: login, inbox, caselist, caselist_page, search,
case. A response a user would not expect (another status, a search that does not list the case, a
case list without cases) is a failure.
"""
from __future__ import annotations

import itertools
import json
import random
import threading

from locust import task

from bench.locust_common import CASE_LINK, BenchUser

_numbers = itertools.count(0)
_numbers_lock = threading.Lock()


class Reader(BenchUser):
    def on_start(self):
        with open(self.environment.parsed_options.bench_cases, encoding="utf-8") as handle:
            accounts = json.load(handle)
        with _numbers_lock:
            me = accounts[next(_numbers) % len(accounts)]
        self.username, self.cases = me["username"], me["cases"]  # [[number, name], ...]
        self.log_in(self.username)

    @task
    def work(self):
        with self.client.get("/taken", name="inbox", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"inbox gave {response.status_code}")
        self.pause()
        token = self.open_caselist()
        if token is None:
            return
        self.pause()
        with self.client.get("/casussen", params={"pagina": "5"}, name="caselist_page", catch_response=True) as response:
            if response.status_code != 200 or not CASE_LINK.search(response.text):
                response.failure(f"page 5 gave {response.status_code} without cases")
        self.pause()
        number, name = random.choice(self.cases)
        with self.client.post("/casussen", name="search", data={"csrf_token": token, "zoek": name.lower()},
                              catch_response=True) as response:
            if response.status_code != 200 or f'href="/casussen/{number}"' not in response.text:
                response.failure(f"search for case {number} gave {response.status_code} without it")
        self.pause()
        with self.client.get(f"/casussen/{number}", name="case", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"case {number} gave {response.status_code}")
        self.pause()
