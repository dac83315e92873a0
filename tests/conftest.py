"""Fixtures shared by the whole suite (docs/testing.md). Keep each block small; append, do not rewrite.

The demo city (directory and accounts) and the demo mediator pool are loaded ONCE per test
database, right after pytest-django creates it, and committed: a ``db`` test that asks for ``demo``
(directly or through ``user``, ``citizen``, ``login``…) or ``mediators`` sees them inside its own
rolled-back transaction. A test that does not ask for them gets their rows deleted inside its
transaction, i.e. the empty database it always had. A transactional test (``transactional_db``,
``live_server``, ``django_db(transaction=True)``) is flushed after itself; the demo is then loaded
again before the next test."""

import pytest
from pytest_django.fixtures import validate_django_db
from pytest_django.plugin import blocking_manager_key


# --- the demo city, built once per test database -----------------------------------------------
def demo_load():
    """The ONE place the suite calls the demo loaders (directory and accounts)."""
    from demo.people import load_demo

    load_demo()


def demo_mediators_load():
    """The ONE place the suite calls the demo mediator loader."""
    from demo.mediation import load_demo_mediators

    load_demo_mediators()


INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "PositiveSmallIntegerField", "IntegerField"}


class DemoRows:
    """Rows a demo loader committed: per table, the primary-key range its load created (the
    loaders only insert, and primary keys only grow, so a range is exactly the loader's rows)."""

    def __init__(self, loader, sentinel: str):
        self.loader, self.sentinel = loader, sentinel  # a username the loader creates
        self.ranges: list[tuple[str, str, int, int]] = []  # (table, pk column, after this, up to this)

    @staticmethod
    def _tops():
        from django.apps import apps
        from django.db import connection

        tops = {}
        with connection.cursor() as cursor:
            for model in apps.get_models(include_auto_created=True):
                meta = model._meta
                if meta.proxy or not meta.managed or meta.pk.get_internal_type() not in INTEGER_KEYS:
                    continue
                cursor.execute(
                    f"SELECT MAX({connection.ops.quote_name(meta.pk.column)}) FROM {connection.ops.quote_name(meta.db_table)}"
                )
                tops[meta.db_table] = (meta.pk.column, cursor.fetchone()[0] or 0)
        return tops

    def load(self):
        """Load the demo (committed) and remember its rows."""
        before = self._tops()
        self.loader()
        after = self._tops()
        self.ranges = [
            (table, column, before[table][1], top) for table, (column, top) in after.items() if top > before[table][1]
        ]

    def present(self) -> bool:
        from accounts.models import User

        return User.objects.filter(username=self.sentinel).exists()

    def wipe(self):
        """Delete these rows in one transaction (or savepoint): foreign keys are checked at its end."""
        from django.db import connection, transaction

        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for table, column, low, high in self.ranges:
                cursor.execute(
                    f"DELETE FROM {quote(table)} WHERE {quote(column)} > %s AND {quote(column)} <= %s", [low, high]
                )


DEMO_ROWS = DemoRows(demo_load, "gm_window")  # the directory and the demo accounts
MEDIATOR_ROWS = DemoRows(demo_mediators_load, "gm_veteran")  # the demo mediator pool, on top of them


def _demo_ensure():
    """Load what a flush removed (outside any test transaction)."""
    for rows in (DEMO_ROWS, MEDIATOR_ROWS):
        if not rows.present():
            rows.load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with the demo city loaded once (per xdist worker)."""
    with django_db_blocker.unblock():
        _demo_ensure()


def _uses_db(item) -> tuple[bool, bool]:
    """(uses the database, transactionally) — as pytest-django decides it."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = "transactional_db" in names or "live_server" in names
    if marker:
        transaction, reset_sequences, *_rest = validate_django_db(marker)
        return True, transactional or transaction or reset_sequences
    return transactional or "db" in names, transactional


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test flushed the database, load the demo again for the next test."""
    yield
    _uses, transactional = _uses_db(item)
    if transactional and nextitem is not None:  # after the last test the test database is gone
        with item.config.stash[blocking_manager_key].unblock():
            _demo_ensure()


@pytest.fixture(autouse=True)
def _demo_only_when_asked(request):
    """A database test sees the demo only if it asks for ``demo``, and the mediator pool only if it
    asks for ``mediators``: otherwise their rows are deleted inside the test's transaction."""
    names = request.fixturenames
    unwanted = [rows for rows, name in ((DEMO_ROWS, "demo"), (MEDIATOR_ROWS, "mediators")) if name not in names]
    if not unwanted or not _uses_db(request.node)[0]:
        return
    request.getfixturevalue("_django_db_helper")
    for rows in reversed(unwanted):  # the mediator pool first: it refers to the demo regions
        if rows.present():
            rows.wipe()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits (accounts.ratelimit) live in Django's cache: no test inherits another's tries."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_cache_cleared():
    """Units, the work calendar and the thresholds cached with the directory snapshot
    (routing.dispatch.reference_cached): a test that edits those rows directly, without a new
    stamp, must not leave its values to the next test (whose rollback restored the old stamp)."""
    yield
    from routing.dispatch import reference_cache_clear

    reference_cache_clear()


@pytest.fixture
def demo(db):
    """The demo directory and demo accounts (``demo_load``), no cases: loaded once per test
    database, so asking for it costs nothing."""


@pytest.fixture(scope="session")
def demo_wipe(django_db_setup):
    """``demo_wipe()`` deletes the demo's rows inside the caller's transaction (for a module-scoped
    fixture that builds its own directory in an atomic block it rolls back; see tests/routing)."""

    def wipe():
        MEDIATOR_ROWS.wipe()
        DEMO_ROWS.wipe()

    return wipe


# --- routing: the directory -------------------------------------------------------------------
@pytest.fixture
def directory(db):
    """Import a directory given as a dict (docs/directory-format.md) through the service.

    ``directory({...})`` returns the ``ImportSummary``; a bad file raises ``DirectoryError``.
    """
    from routing.services import directory_import

    def load(data):
        return directory_import(data=data)

    return load


# --- the demo city's people ---------------------------------------------------------------------
@pytest.fixture
def user(demo):
    """``user("gm_labor")``: a demo staff account by username."""
    from accounts.models import User

    return lambda username: User.objects.get(username=username)


@pytest.fixture
def citizen(demo):
    """The demo citizen 夏志明 (13800138000)."""
    from accounts.models import User

    return User.objects.get(phone="13800138000")


@pytest.fixture
def login(user):
    """``login("gm_labor")`` or ``login(a_user)`` → a test Client signed in as that user (a new
    client each call, so one test can hold several people's sessions)."""
    from django.test import Client

    def make(who):
        client = Client()
        client.force_login(user(who) if isinstance(who, str) else who)
        return client

    return make


@pytest.fixture
def fresh():
    """``fresh(obj)`` reloads a Case, a Mediation or any other row from the database, with the
    relations the services read (a case's region, matter and units; a mediation's case and mediator)."""
    related = {
        "cases.Case": ("region", "matter", "lead_unit", "centre"),
        "mediation.Mediation": (
            "case__region",
            "case__matter",
            "case__lead_unit",
            "case__centre",
            "mediator__user",
        ),
        "supervision.SupervisionOrder": ("case__region", "unit"),
    }

    def reload(obj):
        model = type(obj)
        return model._default_manager.select_related(*related.get(model._meta.label, ())).get(pk=obj.pk)

    return reload


# --- claims and cases made through the services -------------------------------------------------
@pytest.fixture
def submit_claim(demo, citizen):
    """``submit_claim(matter=…, region=…, …)`` → a web claim through ``claim_submit`` by the demo
    citizen (or ``submitter``); other keywords (``at``, ``address``…) go to the service."""
    from intake.services import claim_submit
    from routing.models import MatterType, Region

    def make(
        matter="labor.wages",
        region="440608102201",
        people=1,
        text="老板拖欠三个月工资共计一万二千元，多次讨要无果。",
        submitter=None,
        phone="13800138000",
        channel="web",
        **kw,
    ):
        claim, _created = claim_submit(
            channel=channel,
            matter=MatterType.objects.get(code=matter),
            region=Region.objects.get(code=region),
            description=text,
            contact_name=(submitter or citizen).full_name or "群众",
            contact_phone=phone,
            people_count=people,
            submitter=submitter or citizen,
            **kw,
        )
        return claim

    return make


@pytest.fixture
def submit_case(submit_claim):
    """``submit_case(...)``: as ``submit_claim``, but returns the claim's case."""
    return lambda *args, **kw: submit_claim(*args, **kw).case


# --- mediation: the demo mediator pool -----------------------------------------------------------
@pytest.fixture
def mediators(demo):
    """The demo mediators (demo.mediation): gm_mediator, gm_veteran, gm_lawyer,
    fs_medical_mediator, gm_court_mediator, each with a profile. Loaded once per test database
    like ``demo``; a test that does not ask for them does not see them."""


# --- races: jobs started together in threads (run against PostgreSQL) ---------------------------
@pytest.fixture
def race():
    """``race(job, job, …)`` → what each job returned or raised, the jobs released together from
    a barrier, each in its own thread and database connection."""
    import threading

    from django.db import connections

    def run_all(*jobs):
        barrier = threading.Barrier(len(jobs))
        results = [None] * len(jobs)

        def run(i, job):
            try:
                barrier.wait(timeout=10)
                results[i] = job()
            except Exception as exc:  # the race's loser is what the test asserts on
                results[i] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        return results

    return run_all


# --- comparing two refusals ------------------------------------------------------------------------
@pytest.fixture
def same_page():
    """``same_page(a, b)``: two responses show the same page once what every page varies per request
    is set aside — the CSRF token and the address the language switcher returns to (it echoes the
    URL the user typed). A 404 for a foreign id must not differ from one for a missing id."""
    import re

    def normalise(response) -> str:
        body = response.content.decode()
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', body)
        return body.replace(response.wsgi_request.get_full_path(), "<path>")

    return lambda a, b: normalise(a) == normalise(b)
