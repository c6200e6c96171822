"""gunicorn settings for production: `make serve`, or `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be set from the environment (GUNICORN_*). Requests are logged by the app
itself, one JSON line each on stderr (app/logs.py: route pattern, status, ms, request id; never
a query string or an ID number), so gunicorn's own access log stays off unless asked for, and
is JSON too when it is on.
"""

import gc
import json
import multiprocessing
import os

# Behind nginx on the same host (docs/deploy.md): loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads for the waits on PostgreSQL and Redis, processes for the CPU (signatures, PDFs).
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 17)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A request that takes longer is stuck (the slowest legitimate one, a 100,000-row XLSX
# export, takes ~15 s); the worker is replaced, the others go on serving.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then, staggered, so that no slow leak grows for weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
# Load the app once in the master: workers fork with it (less memory, fast restarts).
preload_app = True


def pre_fork(server, worker):  # noqa: ANN001, ANN201 - gunicorn's hook signature
    """Freeze the loaded app's objects before each fork (Python's gc.freeze advice): a worker's
    full collections then walk only what it made itself (a 1,000-case bulk release paid
    ~120 ms a collection for the app's 170,000 objects), and the pages stay shared."""
    gc.freeze()


forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
# %(U)s is the path without its query string: query strings can carry personal data.
access_log_format = json.dumps(
    {"logger": "gunicorn.access", "status": "%(s)s", "method": "%(m)s", "path": "%(U)s",
     "ms": "%(M)s", "bytes": "%(B)s", "request_id": "%({x-request-id}o)s"}
)  # fmt: skip
