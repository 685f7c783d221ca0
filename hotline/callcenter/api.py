"""REST endpoints of the callcenter app, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["呼叫中心"])
