"""What the locust users of bench/web_load.py (bench/locustfile.py) and bench/scale.py
(bench/scale_locustfile.py) share: their command-line options, the CSRF token of a page, signing
in once, and the pause between requests. Not a locustfile itself: `BenchUser` is abstract."""
from __future__ import annotations

import random
import re

import gevent
from locust import HttpUser, events

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/casussen/(\d+)"')


def csrf(page: str) -> str:
    found = CSRF.search(page)
    if found is None:
        raise ValueError("the page has no CSRF token")
    return found.group(1)


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument("--bench-password", default="", help="password of the bench accounts")
    parser.add_argument("--bench-cases", default="",
                        help="JSON file the benchmark writes: its accounts, their cases and names")
    parser.add_argument("--think-time", type=float, default=1.0,
                        help="mean seconds between a user's requests (exponential; 0: none)")


class BenchUser(HttpUser):
    abstract = True

    def log_in(self, username: str) -> None:
        """Sign in once with the bench password, through the login form as a browser does."""
        page = self.client.get("/inloggen", name="login")
        with self.client.post("/inloggen", name="login", allow_redirects=False, catch_response=True,
                              data={"csrf_token": csrf(page.text), "gebruikersnaam": username,
                                    "wachtwoord": self.environment.parsed_options.bench_password}) as response:
            if response.status_code != 302:
                response.failure(f"login of {username} gave {response.status_code}")

    def open_caselist(self) -> str | None:
        """Casussen, which must list cases: the CSRF token of its search form, None when it failed."""
        with self.client.get("/casussen", name="caselist", catch_response=True) as response:
            if response.status_code != 200 or not CASE_LINK.search(response.text):
                response.failure(f"caselist gave {response.status_code} without cases")
                return None
            return csrf(response.text)

    def pause(self) -> None:
        mean = self.environment.parsed_options.think_time
        if mean > 0:
            gevent.sleep(random.expovariate(1 / mean))
