"""REST endpoints of the workforce app, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["排班与人力"])
