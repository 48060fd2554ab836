"""gunicorn settings for django-ocr (`make serve`, the Docker image). Every value can be set from
the environment, read as the service's settings read theirs (ocr_project/env.py); the values the
service itself uses too (threads, memory ceiling, who may call) come from its settings, so that
each has one default. The defaults suit OCR, which keeps a core busy for each image it reads."""

import gc
import ipaddress
import logging
import multiprocessing

from ocr_project import settings as service
from ocr_project.env import env_int, env_str

# ## Serving: gunicorn's threads and a worker's memory

# The address gunicorn listens on, HOST:PORT unless set whole (e.g. 0.0.0.0:8000, unix:/run/ocr.sock).
bind = env_str("GUNICORN_BIND", default=f"{env_str('HOST', default='127.0.0.1')}:{env_str('PORT', default='8000')}")
# gunicorn's processes: one per core, since recognition is CPU-bound and holds the GIL only briefly
# (libtesseract releases it), so more processes than cores only queue.
workers = env_int("WEB_CONCURRENCY", default=multiprocessing.cpu_count(), minimum=1)
# A couple of threads per process keep a core busy while another request uploads or waits on the
# database; each thread that reads an image gets its own Tesseract instance from the engine's pool.
worker_class = "gthread"
threads = service.GUNICORN_THREADS
# Seconds a request may take before gunicorn kills its worker: longer than OCR_TIMEOUT_S, so that
# a slow image is answered 504 by the service, not killed mid-request.
timeout = env_int("GUNICORN_TIMEOUT", default=60, minimum=1)
# Seconds a worker told to stop has to finish its requests.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", default=30, minimum=0)
# Seconds an idle kept-alive connection is held open.
keepalive = env_int("GUNICORN_KEEPALIVE", default=5, minimum=0)
# Requests after which a worker is replaced (staggered by a tenth), so that no slow leak in a
# library can grow for ever; 0: never.
max_requests = env_int("GUNICORN_MAX_REQUESTS", default=20000, minimum=0)
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
# The addresses of the reverse proxies whose X-Forwarded-* headers gunicorn believes ("*": any).
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", default="127.0.0.1")
# A worker whose memory stays above this after a request (the reading's peak is given back, see
# ocr_engine/memory.py, but fragmentation or a library may keep some) finishes its requests and is
# replaced: one large file cannot leave a worker at gigabytes.
worker_max_memory_mb = service.OCR_WORKER_MAX_MEMORY_MB


def post_worker_init(worker):
    """Once the worker has loaded the application: every object made so far (Django, DRF, the URL
    patterns, numpy, the engines' modules) lives as long as the worker, and Python's cyclic
    collector walked them all in each full collection, a pause of whatever request was running,
    several a minute under load. Frozen, they are left out of every collection (docs/benchmarks.md
    has the pauses measured)."""
    gc.freeze()


def post_request(worker, request, environ, response):
    from ocr_engine.memory import resident_bytes

    resident = resident_bytes()
    if resident is not None and resident > worker_max_memory_mb * 1024 * 1024 and worker.alive:
        logging.getLogger("gunicorn.error").info(
            "Worker %s holds %s MiB (over OCR_WORKER_MAX_MEMORY_MB=%s): replacing it.",
            worker.pid,
            resident // (1024 * 1024),
            worker_max_memory_mb,
        )
        worker.alive = False


def on_starting(server):
    """Say it loudly when the open API (no credentials: anyone may list, export and delete every
    record and task) listens on an address other machines can reach."""
    if service.OCR_API_AUTH != "open":
        return
    exposed = [address for address in server.cfg.bind if not _is_loopback(address)]
    if exposed:
        server.log.warning(
            "OCR_API_AUTH=open and the service listens on %s: anyone who can reach it may read, list, "
            'export and delete every record and task. Set OCR_API_AUTH=required (README, "Who may call") '
            "or listen on 127.0.0.1 only.",
            ", ".join(exposed),
        )


def _is_loopback(address: str) -> bool:
    if address.startswith(("unix:", "fd://")):
        return True  # reached from this machine only
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False
