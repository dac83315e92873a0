"""Fixtures shared by the whole suite. Keep each block small; append, do not rewrite."""

import pytest


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


# --- the demo city and its people ---------------------------------------------------------------
@pytest.fixture
def demo(db):
    """The demo directory and demo accounts (demo.people.load_demo), no cases."""
    from demo.people import load_demo

    load_demo()


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


# --- mediation: the demo mediator pool -----------------------------------------------------------
@pytest.fixture
def mediators(demo):
    """The demo mediators (demo.mediation): gm_mediator, gm_veteran, gm_lawyer,
    fs_medical_mediator, gm_court_mediator, each with a profile."""
    from demo.mediation import load_demo_mediators

    load_demo_mediators()


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
