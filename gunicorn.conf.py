"""gunicorn settings for django-ocr (`make serve`, the Docker image). Every value can be set from
the environment; the defaults suit OCR, which keeps a core busy for each image it reads."""

import gc
import ipaddress
import logging
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
# One process per core: recognition is CPU-bound and holds the GIL only briefly (libtesseract
# releases it), so more processes than cores only queue.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
# A couple of threads per process keep a core busy while another request uploads or waits on the
# database; each thread that reads an image gets its own Tesseract instance from the engine's pool.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Longer than OCR_TIMEOUT_S, so that a slow image is answered 504 by the app, not killed mid-request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle a worker now and then, staggered, so that no slow leak in a library can grow for ever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
# Behind a reverse proxy, list its address here to trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# A worker whose memory stays above this after a request (the reading's peak is given back, see
# ocr_engine/memory.py, but fragmentation or a library may keep some) finishes its requests and is
# replaced: one large file cannot leave a worker at gigabytes.
worker_max_memory_mb = int(os.environ.get("OCR_WORKER_MAX_MEMORY_MB", "1024"))


def post_worker_init(worker):
    """Once the worker has loaded the application: every object made so far (Django, DRF, the URL
    patterns, numpy, the engines' modules: ~140,000 of them) lives as long as the worker, and
    Python's cyclic collector walked them all in each full collection, a 40-50 ms pause of whatever
    request was running, several a minute under load. Frozen, they are left out of every
    collection; a full one then takes a few milliseconds."""
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
    if os.environ.get("OCR_API_AUTH", "open") != "open":
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
