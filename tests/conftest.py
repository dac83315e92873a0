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
