"""The simulated caseworkers of bench/web_load.py (locust, headless; not a test).

Each locust user is one procesregisseur (regisseur01..NN, taken in order) who logs in once and
then works: open "Mijn taken", open the first task there of one of their own cases (as a
regisseur works her own cases; the file --bench-cases says which are whose), claim it when it
is not yet theirs, submit it. Their cases stand at the privacycheck; a privacycheck leads to
the zorgoverleg, which is answered "doorgaan" and leads to the next privacycheck, so the work
never runs out and no two caseworkers reach for the same task.

After each submit they open Casussen (the list) and search for one of their cases by name
(the bench's invented names, "Bench-persoon <n>").

Request names are the kinds the report prints: login, inbox, claim, task, submit, caselist, search. A response
that is not what a caseworker would see (another status, the form shown again with errors, an
inbox without tasks) is a failure, so "zero errors" means the work really got done.
"""
from __future__ import annotations

import itertools
import json
import random
import re
import threading

from locust import task

from bench.locust_common import BenchUser, csrf

_numbers = itertools.count(1)
_numbers_lock = threading.Lock()

# A row of the inbox: the task's link, then the case cell (a link "<process name> <case number>").
TASK_ROW = re.compile(r'href="/taken/([0-9a-f-]{36})">[^<]*</a></td>\s*<td class="utrecht-table__cell"><a [^>]*>[^<]*?(\d+)</a></td>')

PRIVACYCHECK = {"uitgenodigde_partners": ["gemeente_heerenveen", "woonfriesland", "ggz_friesland"],
                "noodzaak_nagegaan": "ja"}
ZORGOVERLEG = {"datum": "2026-11-23", "betrokkene_uitgenodigd": "ja", "betrokkene_aanwezig": "ja",
               "aanwezige_partners": ["gemeente_heerenveen", "woonfriesland"],
               "voortgang": "Betalingsregeling loopt; huisbezoek gedaan.", "effect": "Geen nieuwe klachten.",
               "besluit_overleg": "doorgaan", "volgend_overleg_op": "2026-12-07"}


class Caseworker(BenchUser):
    def on_start(self):
        with _numbers_lock:
            self.username = f"regisseur{next(_numbers):02d}"
        with open(self.environment.parsed_options.bench_cases, encoding="utf-8") as handle:
            bench_cases = json.load(handle)
        self.cases = {str(n) for n in bench_cases[self.username]}
        self.names = bench_cases["names"]
        self.log_in(self.username)

    @task
    def work(self):
        with self.client.get("/taken", name="inbox", catch_response=True) as response:
            rows = TASK_ROW.findall(response.text) if response.status_code == 200 else []
            mine = [task_id for task_id, case in rows if case in self.cases]
            if not mine:
                response.failure(f"no task of their cases in the inbox of {self.username} ({response.status_code})")
                return
        task_id = mine[0]
        self.pause()
        page = self.client.get(f"/taken/{task_id}", name="task")
        if page.status_code != 200:
            return  # counted as a failure by locust
        token = csrf(page.text)
        if "Oppakken</button>" in page.text:
            with self.client.post(f"/taken/{task_id}/oppakken", name="claim", data={"csrf_token": token},
                                  allow_redirects=False, catch_response=True) as response:
                if response.status_code not in (302, 303):
                    response.failure(f"claim gave {response.status_code}")
                    return
            page = self.client.get(f"/taken/{task_id}", name="task")
            token = csrf(page.text)
        data = PRIVACYCHECK if 'name="noodzaak_nagegaan"' in page.text else ZORGOVERLEG
        self.pause()
        with self.client.post(f"/taken/{task_id}", name="submit", data={"csrf_token": token, **data},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code not in (302, 303):
                response.failure(f"submit gave {response.status_code}")
        self.pause()
        self.find_a_case()

    def find_a_case(self):
        """Casussen, then a search by part of a name for one of their own cases: each must list it."""
        token = self.open_caselist()
        if token is None:
            return
        self.pause()
        number = random.choice(sorted(self.cases))
        # The name in small letters, as people type it: "bench-persoon 7" finds "Bench-persoon 7";
        # through the form, as the page sends it (a name never goes in an address).
        with self.client.post("/casussen", data={"csrf_token": token, "zoek": self.names[number].lower()},
                              name="search", catch_response=True) as response:
            if response.status_code != 200 or f'href="/casussen/{number}"' not in response.text:
                response.failure(f"search for case {number} gave {response.status_code} without it")
        self.pause()
