import pytest

from hotline.tickets.tests.conftest import city  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_search_index():
    """Each test starts with no process index: the database is rolled back between tests."""
    from hotline.knowledge.index import search_index_reset

    search_index_reset()
    yield
    search_index_reset()


@pytest.fixture
def published(city):  # noqa: F811
    """A published, public article owned by the city bureau, as the workflow makes one."""
    from hotline.knowledge.services import article_create, article_publish, article_review, article_submit

    a = article_create(
        title="住房公积金提取办理指南",
        body="<p>租房提取每年可办理一次，须提供<strong>租赁合同</strong>和身份证。</p>",
        keywords="公积金 提取",
        synonyms="公基金",
        department=city.bureau,
        is_public=True,
        by=city.annotator,
    )
    article_submit(article=a, by=city.annotator)
    article_review(article=a, by=city.reviewer)
    return article_publish(article=a, by=city.reviewer)
