"""`xinfang serve --processes N`: gunicorn with N worker processes of `threads` threads (gthread).

Each process opens its own database connections after the fork (nothing is preloaded), so
connections are never shared between processes.  The background worker does not run here:
run one or more `xinfang worker` beside it (every job is safe with several).  Behind a reverse
proxy (deploy/nginx), `forwarded_allow_ips` trusts X-Forwarded-* from the proxy on this host.
"""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication


class XinfangApplication(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def options(*, bind: str, processes: int, threads: int) -> dict:
    return {
        "bind": bind,
        "workers": processes,
        "threads": threads,
        "worker_class": "gthread",
        # A request slower than this is a bug or a stuck query: the process is replaced.
        "timeout": int(os.environ.get("XINFANG_REQUEST_TIMEOUT", "60")),
        "graceful_timeout": 30,
        "keepalive": 5,
        # Recycle processes now and then (the triage models and caches grow with use).
        "max_requests": 20000,
        "max_requests_jitter": 2000,
        "forwarded_allow_ips": os.environ.get("XINFANG_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "accesslog": os.environ.get("XINFANG_ACCESS_LOG") or None,
        "errorlog": "-",
        "proc_name": "xinfang-web",
        # gunicorn's control socket has one default path per user: two servers on one host
        # would share it.  systemd manages the process instead.
        "control_socket_disable": True,
    }


def run(*, bind: str, processes: int, threads: int) -> None:
    XinfangApplication(options(bind=bind, processes=processes, threads=threads)).run()
