from hotline.tickets.tests.conftest import city  # noqa: F401  (the shared small city and its users)
