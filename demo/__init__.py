"""The demo city (佛山市): its directory and accounts (``people``), cases (``cases``) and
mediations (``mediation``), loaded by ``manage.py load_demo``. Top of the dependency graph: it may
import every app, and no app imports it."""
