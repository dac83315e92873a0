"""Locust traffic for `make soak` (scripts/soak.py, docs/deployment.md "Soak"): the people of the
demo city doing their real work through nginx, as a browser would (CSRF token, Referer, cookies).

- citizens submit claims, follow them (my claims, the claim page) and use public tracking;
- clerks register walk-ins at the window and accept web claims from the 待受理 queue;
- handlers of the labour bureau sign dispatched cases and submit results;
- supervisors open the overdue board and the KPI board.

Every simulated person connects from an address of their own (127.N.x.y, N per run): nginx passes it on in
X-Real-IP, so login locks and rate limits count each person, as they would on the internet.

A claim is *acknowledged* when the portal shows its receipt (the redirect to the "submitted" page
or the window receipt, with the tracking code). A submission that fails on the way (502 while an
instance dies, a connection reset) is posted again with the same form token, as a user pressing
the button again would: the portal must then answer with the first claim, never a second one.

At the end the file named by SOAK_RESULTS receives the acknowledged tracking codes, the count of
responses by page type and status, and p50/p95 per page type.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from urllib.parse import unquote

from locust import HttpUser, between, events, task
from urllib3 import PoolManager

PASSWORD = "Yikouban@2026"
CITIZENS = ("13800138000", "13900139000")
CA_FILE = os.environ.get("SOAK_CA_FILE", "var/cluster/tls/cert.pem")
_addresses = itertools.count(1)
# A second octet per run (soak.py picks it): people of an earlier run within the rate limits'
# windows must not pass their counts on. 127.0.0.0/24 is left to nginx (127.0.0.2).
ADDRESS_PREFIX = os.environ.get("SOAK_ADDRESS_PREFIX", "127.1")

acknowledged: list[dict] = []  # {"code", "kind", "attempts"}
statuses: dict[str, Counter] = defaultdict(Counter)  # page type → status → count
retried_submissions = Counter()

_CASE_LINK = re.compile(r'href="/cases/([^"/?]+)/"')
_SEEN = re.compile(r'name="seen" value="([^"]+)" id="id_{action}_seen"')
_DONE = re.compile(r"/claims/new/done/([^/]+)/$")
_RECEIPT = re.compile(r"/window/receipt/([^/]+)/$")
_TOKEN = re.compile(r'name="(?:submission_token|submission_key)" value="([0-9a-f]{32})"')
_TRACKING_CODE = re.compile(r"/claims/([A-Z0-9]{6,16})/")

LABOUR_TEXTS = (
    "在五金厂打工，老板拖欠两个月工资共八千元，多次讨要无果。",
    "工地包工头拖欠工资三个月，涉及工友多人，请求帮助追讨。",
    "公司未签劳动合同也不缴社保，辞职后不结算最后一个月工资。",
    "餐馆拖欠我一个半月工资，老板说等生意好了再给。",
)
PLACE = {
    "region_0": "44",
    "region_1": "4406",
    "region_2": "440608",
    "region_3": "440608102",
    "region_4": "440608102201",
}


@events.request.add_listener
def _count_status(name, response, exception, **_kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    statuses[name][str(status or 0)] += 1


@events.test_stop.add_listener
def _write_results(environment, **_kwargs):
    path = os.environ.get("SOAK_RESULTS")
    if not path:
        return
    pages = {}
    for (name, method), entry in sorted(environment.stats.entries.items()):
        if not entry.num_requests:
            continue
        pages[name] = {
            "method": method,
            "requests": entry.num_requests,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": round(entry.max_response_time or 0, 1),
            "statuses": dict(sorted(statuses[name].items())),
        }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(
            {"acknowledged": acknowledged, "pages": pages, "retried_submissions": dict(retried_submissions)},
            out,
            ensure_ascii=False,
        )


class Person(HttpUser):
    """One person with a browser: their own source address, cookies, the centre's certificate."""

    abstract = True
    login_name = ""

    def __init__(self, environment):
        n = next(_addresses)
        # Each person's own address; nginx sees it and passes it on (X-Real-IP).
        self.pool_manager = PoolManager(source_address=(f"{ADDRESS_PREFIX}.{n // 250}.{n % 250 + 1}", 0), maxsize=2)
        super().__init__(environment)
        self.client.trust_env = False  # no proxy, and REQUESTS_CA_BUNDLE must not replace our CA
        self.client.verify = CA_FILE

    # --- browser mechanics --------------------------------------------------------------------

    def get(self, path: str, name: str, **kwargs):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False, **kwargs) as response:
            if response.status_code in (200, 302):
                response.success()
            return response

    def post(self, path: str, data: dict, name: str, ok=(302,)):
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        headers = {"Referer": f"{self.host}{path}"}
        with self.client.post(
            path, data=data, name=name, headers=headers, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"{name}: HTTP {response.status_code}")
            return response

    def on_start(self):
        self.get("/accounts/login/", name="login form")
        response = self.post("/accounts/login/", {"username": self.login_name, "password": PASSWORD}, name="login")
        if response.status_code != 302:
            time.sleep(2)
            self.on_start()

    def submit_until_acknowledged(self, path: str, data: dict, name: str, receipt: re.Pattern, kind: str):
        """Post a form carrying a submission key until the portal shows the receipt. A retry after
        a 5xx or a broken connection must find the first claim (same key), never a second one."""
        for attempt in range(1, 9):
            response = self.post(path, data, name=name)
            match = receipt.search(response.headers.get("Location", "")) if response.status_code == 302 else None
            if match:
                acknowledged.append({"code": unquote(match.group(1)), "kind": kind, "attempts": attempt})
                if attempt > 1:
                    retried_submissions[kind] += 1
                return match.group(1)
            if response.status_code not in (0, 502, 503, 504):
                return None  # the form said no (a 400 with an error): nothing was acknowledged
            time.sleep(min(attempt, 3))
        return None

    def open_case(self, list_path: str, list_name: str):
        """A case from a list page, its page, and the version the user saw (for ``seen``)."""
        listing = self.get(list_path, name=list_name)
        numbers = _CASE_LINK.findall(listing.text or "")
        if not numbers:
            return None, ""
        number = random.choice(numbers)
        page = self.get(f"/cases/{number}/", name="case page (staff)")
        return number, page.text or ""

    def act(self, number: str, page: str, action: str, data: dict, name: str) -> bool:
        seen = re.search(_SEEN.pattern.format(action=action), page)
        if not seen:
            return False
        self.post(f"/cases/{number}/act/{action}/", {"seen": seen.group(1), **data}, name=name)
        return True


class Citizen(Person):
    weight = 8
    wait_time = between(2, 5)

    def on_start(self):
        self.login_name = random.choice(CITIZENS)
        self.codes: list[str] = []
        super().on_start()

    @task(3)
    def submit_claim(self):
        form = self.get("/claims/new/", name="claim form")
        token = _TOKEN.search(form.text or "")
        data = {
            "submission_token": token.group(1) if token else uuid.uuid4().hex,
            "description": random.choice(LABOUR_TEXTS),
            "matter": random.choice(("labor.wages", "labor.contract")),
            **PLACE,
            "address": f"明东村工业区 {random.randint(1, 99)} 号",
            "people_count": str(random.randint(1, 4)),
            "contact_name": "夏志明" if self.login_name == CITIZENS[0] else "何秀英",
            "contact_phone": self.login_name,
            "consent": "on",
            # a similar problem nearby (issue #13): this citizen submits separately
            "similar_choice": "separate",
        }
        code = self.submit_until_acknowledged("/claims/new/", data, "claim submit", _DONE, "web")
        if code:
            self.codes.append(code)
            self.get(f"/claims/new/done/{code}/", name="claim receipt")

    @task(2)
    def my_claims(self):
        page = self.get("/claims/", name="my claims")
        codes = _TRACKING_CODE.findall(page.text or "")
        if codes:
            self.get(f"/claims/{random.choice(codes)}/", name="claim page")

    @task(2)
    def track(self):
        if not self.codes:
            return
        self.get("/track/", name="tracking form")
        self.post(
            "/track/",
            {"code": random.choice(self.codes), "phone_last4": self.login_name[-4:]},
            name="tracking lookup",
            ok=(200,),
        )


class Clerk(Person):
    weight = 4
    wait_time = between(2, 5)
    login_name = "gm_window"

    @task(3)
    def register_walk_in(self):
        form = self.get("/window/new/", name="window form")
        token = _TOKEN.search(form.text or "")
        data = {
            "submission_key": token.group(1) if token else uuid.uuid4().hex,
            "contact_name": "何秀英",
            "contact_phone": "13900139000",
            "id_number": "44060819850101234X",
            "matter": "labor.wages",
            **PLACE,
            "address": f"明东村五金厂 {random.randint(1, 30)} 号",
            "description": random.choice(LABOUR_TEXTS),
            "people_count": "1",
            "next_step": "accept",
            "register_new": "True",  # the 疑似重复 panel seen (issue #13): a new case all the same
        }
        code = self.submit_until_acknowledged("/window/new/", data, "window register", _RECEIPT, "window")
        if code:
            self.get(f"/window/receipt/{code}/", name="window receipt")

    @task(3)
    def accept_web_claim(self):
        number, page = self.open_case("/cases/queue/", "queue (待受理)")
        if number:
            self.act(number, page, "accept", {"note": ""}, name="accept")


class Handler(Person):
    weight = 5
    wait_time = between(2, 5)
    login_name = "gm_labor"

    @task(3)
    def sign(self):
        number, page = self.open_case("/cases/inbox/?tab=dispatched", "inbox (待签收)")
        if number:
            self.act(number, page, "sign", {}, name="sign")

    @task(2)
    def submit_result(self):
        number, page = self.open_case("/cases/inbox/?tab=handling", "inbox (处置中)")
        if number:
            result = {"outcome": "resolved", "result": "经协调，企业已足额支付拖欠工资。"}
            self.act(number, page, "submit_result", result, name="submit result")


class Supervisor(Person):
    weight = 3
    wait_time = between(3, 6)

    def on_start(self):
        self.login_name = random.choice(("gm_supervisor", "fs_supervisor"))
        super().on_start()

    @task(2)
    def overdue_board(self):
        self.get("/supervision/overdue/", name="overdue board")

    @task(2)
    def kpi_board(self):
        self.get("/supervision/kpi/", name="KPI board")

    @task(1)
    def home(self):
        self.get("/", name="home")
