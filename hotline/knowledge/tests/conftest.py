import pytest


@pytest.fixture(autouse=True)
def _fresh_search_index():
    """Each test starts with no process index: the database is rolled back between tests."""
    from hotline.knowledge.index import search_index_reset

    search_index_reset()
    yield
    search_index_reset()
