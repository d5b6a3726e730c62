"""The portal half of the kill drill (drill_kill.py --mode portal): citizens submitting the public form.

Each client does what a browser and its user do: GET the form (its one-time submission token,
a captcha and the CSRF token), POST it, and when no receipt comes back (refused, reset, timed
out, 5xx) POST the very same body again with the same token.  When the form comes back asking
for a new captcha (the first POST spent it before the process died), the user types the new
one on that same form and posts again.  Every third acknowledged form is posted once more,
as a double click does, and must answer with the same receipt.

The drill cannot read the captcha image: as the person in front of it would, it learns the
answer by writing the HMAC of an answer of its own into the challenge's row (same secret key).
Every submission comes from its own loopback address (127.x.y.z), as separate citizens do,
so the per-address limit is not what the drill measures.
"""

from __future__ import annotations

import http.client
import random
import re
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from intake import PLACES, THEMES, id_number, petitioner

TOKEN = re.compile(r'name="submit_token" value="([^"]+)"')
CAPTCHA_ID = re.compile(r'name="captcha_id" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOWNS = re.compile(r'<select name="town"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
CASE = re.compile(r'<dt>信访件编号</dt><dd class="p-mono">([^<]+)</dd>')
ANSWER = "ACE34"


def solve(db: str, challenge_id: str, deadline: float) -> str:
    """Make ANSWER the answer of the challenge (see the module docstring); waits out a
    PostgreSQL restart like the clients do."""
    from xinfang.portal.captcha import _digest

    sql = f"UPDATE portal_captchachallenge SET digest = '{_digest(challenge_id, ANSWER)}' WHERE id = '{challenge_id}'"
    while time.monotonic() < deadline:
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            break
        time.sleep(0.5)
    return ANSWER


@dataclass
class Browser:
    host: str
    port: int
    source: str  # the loopback address this citizen posts from
    cookies: dict = field(default_factory=dict)
    timeout: float = 15.0

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        """(status, page); status 0 when the server did not answer."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=self.timeout, source_address=(self.source, 0)
        )
        try:
            conn.request(method, path, body=body.encode() if body is not None else None, headers=headers)
            response = conn.getresponse()
            page = response.read().decode(errors="replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, page
        except (OSError, http.client.HTTPException):
            return 0, ""
        finally:
            conn.close()


@dataclass
class PortalClients:
    url: str
    db: str
    clients: int
    per_client: int
    marker: str
    acknowledged: dict = field(default_factory=dict)  # key → case number
    counts: dict = field(default_factory=lambda: dict.fromkeys(
        ["retries", "new_captcha", "double_submits", "double_submit_other_answer", "fresh_form_refusals",
         "given_up"], 0))  # fmt: skip
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, name: str) -> None:
        with self.lock:
            self.counts[name] += 1

    def threads(self) -> list[threading.Thread]:
        return [threading.Thread(target=self.client, args=(n,)) for n in range(self.clients)]

    def client(self, n: int) -> None:
        rng = random.Random(1000 + n)
        parsed = urllib.parse.urlsplit(self.url)
        for i in range(self.per_client):
            key = f"{self.marker}-{n}-{i}"
            browser = Browser(parsed.hostname, parsed.port, source=f"127.{10 + n}.{i // 200}.{1 + i % 200}")
            person = petitioner(rng)
            _, request, facts = rng.choice(THEMES)
            place, k = rng.choice(PLACES), rng.randrange(2, 9)
            fields = {
                "name": person["name"],
                "id_number": id_number(rng),
                "phone": person["phone"],
                "address": person["address"],
                "email": "",
                "category": "",
                "title": "",
                "request": request.format(place=place, n=k),
                "facts_reasons": facts.format(place=place, n=k),
                "content": f"{facts.format(place=place, n=k)}请有关部门依法处理。（{key}）",
                "truthful": "on",
            }
            self.submit(browser, key, fields, rng)

    def form(self, browser: Browser, deadline: float) -> str | None:
        while time.monotonic() < deadline:
            status, page = browser.request("GET", "/portal/submit/")
            if status == 200 and TOKEN.search(page):
                return page
            self.count("retries")
            time.sleep(0.5)
        return None

    def submit(self, browser: Browser, key: str, fields: dict, rng: random.Random) -> None:
        deadline = time.monotonic() + 300
        page = self.form(browser, deadline)
        if page is None:
            self.count("given_up")
            return
        towns = OPTION.findall(TOWNS.search(page).group(1))
        body = {
            **fields,
            "town": rng.choice(towns),
            "submit_token": TOKEN.search(page).group(1),
            "csrfmiddlewaretoken": CSRF.search(page).group(1),
        }
        body["captcha_id"] = CAPTCHA_ID.search(page).group(1)
        body["captcha"] = solve(self.db, body["captcha_id"], deadline)
        while time.monotonic() < deadline:
            status, answer = browser.request("POST", "/portal/submit/", urllib.parse.urlencode(body))
            case = CASE.search(answer) if status == 200 else None
            if case:
                with self.lock:
                    self.acknowledged[key] = case.group(1)
                if rng.random() < 1 / 3:  # a double click: the same body once more
                    self.count("double_submits")
                    self.resubmit(browser, body, case.group(1), deadline)
                return
            if status == 400 and TOKEN.search(answer):
                # The form again.  Same token: a check failed (the captcha spent by a POST that died);
                # the user types the new captcha.  Another token would mean the form was refused.
                if TOKEN.search(answer).group(1) != body["submit_token"]:
                    self.count("fresh_form_refusals")
                    return
                self.count("new_captcha")
                body["captcha_id"] = CAPTCHA_ID.search(answer).group(1)
                body["captcha"] = solve(self.db, body["captcha_id"], deadline)
                continue
            self.count("retries")  # no answer, or an error page: the same POST again
            time.sleep(0.5)
        self.count("given_up")

    def resubmit(self, browser: Browser, body: dict, case: str, deadline: float) -> None:
        """The same body again, retried while unanswered: it must give the same receipt."""
        while time.monotonic() < deadline:
            status, answer = browser.request("POST", "/portal/submit/", urllib.parse.urlencode(body))
            if status == 0 or status >= 500:
                self.count("retries")
                time.sleep(0.5)
                continue
            again = CASE.search(answer) if status == 200 else None
            if again is None or again.group(1) != case:
                self.count("double_submit_other_answer")
            return
        self.count("given_up")
