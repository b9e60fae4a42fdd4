"""The web application: sign-in with roles, dashboards, a live wallboard (see docs/web.md).

Public surface: `mount_web(app)` (called by `ccops.api.create_app`), `create_user`,
`create_api_token`, `create_demo_users`, and the live fan-out `make_fanout`.
"""

from __future__ import annotations

from typing import Any

from ccops.web.auth import create_api_token, create_user
from ccops.web.demo import create_demo_users
from ccops.web.live import make_fanout

__all__ = ["create_api_token", "create_demo_users", "create_user", "make_fanout", "mount_web"]


def __getattr__(name: str) -> Any:
    # The pages import ccops.api.deps, which imports this package: load them only when asked.
    if name == "mount_web":
        from ccops.web.mount import mount_web

        return mount_web
    raise AttributeError(name)
