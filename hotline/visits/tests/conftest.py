from hotline.tickets.tests.conftest import city  # noqa: F401
