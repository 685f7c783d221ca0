import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
application = get_wsgi_application()

if os.environ.get("HOTLINE_PRELOAD") == "1":
    # `hotline run` starts gunicorn with --preload: import every view (and the Chinese text
    # libraries behind search) once in the master, so the workers share those pages instead of
    # each loading its own copy. No connection opened here may be inherited by a worker.
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
    connections.close_all()
