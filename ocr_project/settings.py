"""
Settings for django-ocr, read from environment variables.

Every variable has a default that runs on a laptop (SQLite in the repository, the dev server);
`.env.example` lists them all. A `.env` file at the repository's root (or the file OCR_ENV_FILE
names) is read first, python-dotenv's way: a variable set in the environment wins over the file.
A value that cannot be understood stops the start-up with a message naming the variable, rather
than silently falling back to a default.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_cache_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from ocr_project.env import env_bool, env_choice, env_float, env_int, env_list, env_ports, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(os.environ.get("OCR_ENV_FILE") or BASE_DIR / ".env", override=False)

DEBUG = env_bool("DJANGO_DEBUG", default=True)

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off: the default key is public.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Production (DEBUG off) is served over HTTPS unless told otherwise (DJANGO_HTTPS=false, e.g. for
# `make serve` on a laptop): redirect plain HTTP, mark cookies secure, and ask browsers for HSTS.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health checks are polled over plain HTTP by load balancers and orchestrators.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

INSTALLED_APPS = [
    "api_access.apps.OcrAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework_api_key",
    "rest_framework_simplejwt.token_blacklist",
    "axes",
    "django_prometheus",
    "ocr_api",
    "api_access",
    "ocr_record",
    "ocr_task",
    "ocr_extract",
    "tryit",
]

MIDDLEWARE = [
    "api_access.client_address.ClientAddressMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "ocr_project.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions, logins and messages are the pages' (admin, try-it page), not the API's: see pages_only.
    "ocr_project.pages_only.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "ocr_project.pages_only.AuthenticationMiddleware",
    "ocr_project.pages_only.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: turns the admin's locked-out logins into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ocr_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # ocr_api's override of drf-spectacular's ReDoc page, found before the package's own.
        "DIRS": [BASE_DIR / "ocr_api" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "ocr_project.wsgi.application"


# Database: SQLite in the repository by default, anything dj-database-url understands otherwise.
# Connections are kept between requests: opening one costs more than a whole retrieve (SQLite's
# pragmas, PostgreSQL's handshake), and health checks replace one the database dropped.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=600, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Several threads or workers write at once (simultaneous uploads): WAL lets readers go on
        # while one writes, IMMEDIATE takes the write lock at BEGIN so a transaction never has to
        # be upgraded mid-way (the cause of instant "database is locked"), and the timeout makes
        # a writer wait its turn instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The test database is a file too: an in-memory one is shared between threads in SQLite's
    # shared-cache mode, which fails concurrent writers at once instead of letting them wait.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}

# The cache throttles count in: per process by default; CACHE_URL (e.g. redis://127.0.0.1:6379/1)
# gives every worker of every machine the same counts, so a rate holds across gunicorn's workers.
CACHES = {"default": django_cache_url.parse(env_str("CACHE_URL", default="locmem://"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Static files (admin, Swagger UI, ReDoc) are served by WhiteNoise from the apps themselves, so no
# collectstatic step is needed to run; the Docker image collects and compresses them at build time.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Task files and the exports made from them: on local disk by default (OCR_TASK_FILES_DIR, shared
# by every process reading tasks); with OCR_TASK_STORAGE=s3 in an S3-compatible bucket through
# django-storages: OCR_S3_BUCKET, OCR_S3_ENDPOINT_URL for a server other than AWS (MinIO, Ceph,
# Garage...), OCR_S3_REGION; the credentials as boto3 finds them (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or an instance's role). Files are private: the service serves them itself.
OCR_TASK_STORAGE = env_choice("OCR_TASK_STORAGE", choices=["local", "s3"], default="local")
OCR_TASK_FILES_DIR = env_str("OCR_TASK_FILES_DIR", default=str(BASE_DIR / "task_files"))
if OCR_TASK_STORAGE == "s3":
    if not env_str("OCR_S3_BUCKET", default=""):
        raise ImproperlyConfigured("OCR_TASK_STORAGE=s3 needs OCR_S3_BUCKET, the bucket task files are kept in.")
    _TASK_FILES_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("OCR_S3_BUCKET", default=""),
            "endpoint_url": env_str("OCR_S3_ENDPOINT_URL", default="") or None,
            "region_name": env_str("OCR_S3_REGION", default="") or None,
            "location": env_str("OCR_S3_PREFIX", default="task_files"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _TASK_FILES_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": OCR_TASK_FILES_DIR, "file_permissions_mode": 0o600},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "ocr_task_files": _TASK_FILES_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


# /readyz reports "unavailable" when a disk the service writes to has less free than this.
OCR_MIN_FREE_DISK_MB = env_int("OCR_MIN_FREE_DISK_MB", default=200, minimum=0)

# Uploads: the size limit is enforced while the body streams in, before anything is decoded.
OCR_MAX_UPLOAD_BYTES = env_int("OCR_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024, minimum=1)
# A small compressed file can decode to gigabytes of pixels (a decompression bomb).
OCR_MAX_IMAGE_PIXELS = env_int("OCR_MAX_IMAGE_PIXELS", default=40_000_000, minimum=1)
FILE_UPLOAD_HANDLERS = [
    "ocr_api.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Uploads too large to keep in memory are spooled here; a worker killed mid-request leaves its file
# behind, which the next start of the service removes (ocr_api.uploads.remove_abandoned_uploads).
FILE_UPLOAD_TEMP_DIR = env_str("OCR_UPLOAD_TEMP_DIR", default=os.path.join(tempfile.gettempdir(), "django-ocr-uploads"))
os.makedirs(FILE_UPLOAD_TEMP_DIR, exist_ok=True)
# A body that is not multipart (parse_text's JSON) is held in memory whole: it may carry one image
# of OCR_MAX_UPLOAD_BYTES in base64 (4/3 larger) and the rest of the document; several large
# images go as multipart, whose files stream to disk. Django's default is 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = OCR_MAX_UPLOAD_BYTES * 4 // 3 + 64 * 1024

# parse_text: images per request, languages offered, and the sides an image may have (the limits
# of the commercial general-text APIs).
OCR_MAX_IMAGES_PER_REQUEST = env_int("OCR_MAX_IMAGES_PER_REQUEST", default=10, minimum=1)
# Images by URL (ocr_record/fetching.py): whether links are fetched at all, from which hosts (empty:
# any public one) and ports, within how long, and whether private addresses may be (tests, closed
# networks only: a warning is logged at start).
OCR_URL_INPUT = env_bool("OCR_URL_INPUT", default=True)
OCR_URL_ALLOWED_HOSTS = [host.lower().rstrip(".") for host in env_list("OCR_URL_ALLOWED_HOSTS", default=[])]
OCR_URL_ALLOWED_PORTS = env_ports("OCR_URL_ALLOWED_PORTS", default=[80, 443])
OCR_URL_TIMEOUT_S = env_float("OCR_URL_TIMEOUT_S", default=10.0, minimum=0.5)
OCR_URL_ALLOW_PRIVATE = env_bool("OCR_URL_ALLOW_PRIVATE", default=False)
# gunicorn's threads per process (gunicorn.conf.py reads them, and its OCR_* values, from here).
GUNICORN_THREADS = env_int("GUNICORN_THREADS", default=2, minimum=1)
# Requests fetching links at once in one process: half its threads, so that links to slow servers
# never hold every thread and the rest keep answering; one more is a 503.
OCR_URL_MAX_FETCHES = env_int("OCR_URL_MAX_FETCHES", default=max(1, GUNICORN_THREADS // 2), minimum=1)
OCR_TEXT_LANGUAGES = env_list("OCR_TEXT_LANGUAGES", default=["eng", "chi_sim", "eng+chi_sim"])
OCR_MIN_IMAGE_SIDE_PX = env_int("OCR_MIN_IMAGE_SIDE_PX", default=15, minimum=1)
OCR_MAX_IMAGE_SIDE_PX = env_int("OCR_MAX_IMAGE_SIDE_PX", default=8192, minimum=1)

# Tasks (many files, PDFs): files per task, bytes per file, pages per PDF, bytes per task (the files
# are kept in the task files' storage until the task is deleted), rendering resolution.
OCR_TASK_MAX_FILES = env_int("OCR_TASK_MAX_FILES", default=50, minimum=1)
OCR_TASK_MAX_FILE_BYTES = env_int("OCR_TASK_MAX_FILE_BYTES", default=50 * 1024 * 1024, minimum=1)
OCR_TASK_MAX_PDF_PAGES = env_int("OCR_TASK_MAX_PDF_PAGES", default=200, minimum=1)
OCR_TASK_MAX_BYTES = env_int("OCR_TASK_MAX_BYTES", default=200 * 1024 * 1024, minimum=1)
OCR_PDF_DPI = env_int("OCR_PDF_DPI", default=300, minimum=36)
# PDFium counts and renders pages in a child process that may use this much memory and time: a
# tiny hostile PDF can make it allocate without end (ocr_engine/contained.py).
OCR_PDF_MAX_MEMORY_MB = env_int("OCR_PDF_MAX_MEMORY_MB", default=1024, minimum=64)
OCR_PDF_TIMEOUT_S = env_int("OCR_PDF_TIMEOUT_S", default=30, minimum=1)
# A file's searchable PDFs are built by a task worker in a child process that may use this much
# memory and time (qpdf and PDFium on a file anyone may send); past either the export fails, 409.
OCR_EXPORT_MAX_MEMORY_MB = env_int("OCR_EXPORT_MAX_MEMORY_MB", default=1024, minimum=64)
OCR_EXPORT_TIMEOUT_S = env_int("OCR_EXPORT_TIMEOUT_S", default=120, minimum=1)
# What one client (a user, or an address when anonymous) may hold at once: bytes of task files
# stored, and pages waiting to be read. Tasks, with their files and exports, are deleted this many
# days after submission (0: kept until their task is deleted).
OCR_QUOTA_STORED_BYTES = env_int("OCR_QUOTA_STORED_BYTES", default=500 * 1024 * 1024, minimum=1)
OCR_QUOTA_QUEUED_PAGES = env_int("OCR_QUOTA_QUEUED_PAGES", default=1000, minimum=1)
OCR_TASK_RETENTION_DAYS = env_int("OCR_TASK_RETENTION_DAYS", default=30, minimum=0)
# Server-sent events of a task's progress (/api/ocr_task/{id}/events/): each open stream holds a
# web server thread, so a process keeps at most this many open (more are answered 503, poll
# instead), each for at most this long (a browser's EventSource reconnects by itself).
OCR_TASK_EVENTS_MAX_STREAMS = env_int("OCR_TASK_EVENTS_MAX_STREAMS", default=1, minimum=1)
OCR_TASK_EVENTS_MAX_S = env_int("OCR_TASK_EVENTS_MAX_S", default=60, minimum=1)
# A task with async_task=false is read while the client waits: at most this many pages.
OCR_TASK_SYNC_MAX_PAGES = env_int("OCR_TASK_SYNC_MAX_PAGES", default=20, minimum=1)

# Where tasks' pages are read (ocr_task/queues.py): "embedded" threads inside the service, or
# "celery" workers (`make worker`) sharing a broker. Celery is the default once a broker is named.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default="")
# A short name of ocr_task.queues.QUEUES, or the dotted path of a TaskQueue class of your own.
OCR_TASK_QUEUE = env_str("OCR_TASK_QUEUE", default="celery" if CELERY_BROKER_URL else "embedded")
if OCR_TASK_QUEUE not in ("embedded", "celery") and "." not in OCR_TASK_QUEUE:
    raise ImproperlyConfigured(
        f"OCR_TASK_QUEUE={OCR_TASK_QUEUE!r}: use embedded, celery or the dotted path of a TaskQueue class."
    )
# The Celery app messages are sent with (the service imports it only with OCR_TASK_QUEUE=celery).
CELERY_APP = "ocr_project.celery.app"
if OCR_TASK_QUEUE == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("OCR_TASK_QUEUE=celery needs CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0.")
OCR_TASK_EMBEDDED_THREADS = env_int("OCR_TASK_EMBEDDED_THREADS", default=1, minimum=0)
OCR_TASK_POLL_S = env_float("OCR_TASK_POLL_S", default=2, minimum=0.1)
# A page a worker took this long ago and did not finish was left by a worker that died: another
# worker takes it. Also the broker's visibility timeout (an unacknowledged message is redelivered).
OCR_TASK_PAGE_LEASE_S = env_int("OCR_TASK_PAGE_LEASE_S", default=300, minimum=1)
# A page whose reading was started this many times and never finished (its worker died each time)
# is failed rather than tried again.
OCR_TASK_MAX_ATTEMPTS = env_int("OCR_TASK_MAX_ATTEMPTS", default=3, minimum=1)
# How often a Celery worker looks for pages sent a lease ago and never started (lost by the broker).
OCR_TASK_SWEEP_S = env_int("OCR_TASK_SWEEP_S", default=30, minimum=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds one page at a time; the others stay for others
# A pool process over this much memory after a page is replaced (gunicorn.conf.py does the same
# for the service's workers).
OCR_WORKER_MAX_MEMORY_MB = env_int("OCR_WORKER_MAX_MEMORY_MB", default=1024, minimum=128)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = OCR_WORKER_MAX_MEMORY_MB * 1024  # in KiB
CELERY_TASK_IGNORE_RESULT = True  # progress and results are in the database
CELERY_TASK_DEFAULT_QUEUE = "django-ocr"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": OCR_TASK_PAGE_LEASE_S,
    # How often a worker looks for messages whose worker died (past the visibility timeout).
    "unacked_restore_interval": min(10, OCR_TASK_PAGE_LEASE_S),
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Callbacks when a task ends: only to these hosts (a client must not make the service call into
# its own network), signed with HMAC-SHA256 when a secret is set, retried with doubling waits.
OCR_CALLBACK_ALLOWED_HOSTS = env_list("OCR_CALLBACK_ALLOWED_HOSTS", default=[])
OCR_CALLBACK_SECRET = env_str("OCR_CALLBACK_SECRET", default="")
OCR_CALLBACK_MAX_ATTEMPTS = env_int("OCR_CALLBACK_MAX_ATTEMPTS", default=5, minimum=1)
OCR_CALLBACK_RETRY_S = env_int("OCR_CALLBACK_RETRY_S", default=10, minimum=1)
OCR_CALLBACK_TIMEOUT_S = env_int("OCR_CALLBACK_TIMEOUT_S", default=10, minimum=1)

# The recognition engine: a short name from ocr_engine.ENGINES or a dotted path to an engine class.
# "auto" reads with Tesseract and, where Tesseract is doubtful or the image is a photo, with PP-OCR.
OCR_ENGINE = env_str("OCR_ENGINE", default="auto")
OCR_LANGUAGE = env_str("OCR_LANGUAGE", default="eng")
OCR_TIMEOUT_S = env_int("OCR_TIMEOUT_S", default=10, minimum=1)


# Who may call: "open" (as v1.0.0, no credentials) or "required" (a JWT from /auth/login, or an
# API key made in the admin); with "required" a client sees only the records it asked for.
OCR_API_AUTH = env_choice("OCR_API_AUTH", choices=["open", "required"], default="open")
# Requests per client: reading images ("parse") apart from reading records ("read"), anonymous
# callers apart from known ones. Each is like "60/min" or "off" (the default: v1.0.0 had none).
OCR_THROTTLE_RATES = {
    "parse": env_rate("OCR_THROTTLE_PARSE", default=None),
    "read": env_rate("OCR_THROTTLE_READ", default=None),
    "anon_parse": env_rate("OCR_THROTTLE_ANON_PARSE", default=None),
    "anon_read": env_rate("OCR_THROTTLE_ANON_READ", default=None),
    # Logging in and refreshing tokens, per address: on by default, it bounds password guessing.
    "auth": env_rate("OCR_THROTTLE_AUTH", default="30/min"),
}
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# none by default: the client's address is the connection's (api_access/client_address.py).
OCR_TRUSTED_PROXIES = env_list("OCR_TRUSTED_PROXIES", default=[])
# One lockout for every login, the admin's and the API's (api_access/login.py): five failures for
# a user name within 15 minutes lock the name for 15 minutes; a success clears its failures.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# A guess refused because the name is locked is not counted: the lockout ends 15 minutes after the
# fifth failure, instead of never while someone keeps guessing.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The address ClientAddressMiddleware settled on (trusted proxies only), never a header read anew.
AXES_CLIENT_IP_CALLABLE = "api_access.client_address.remote_address"
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "api_access.login.lockout_response"
# axes warns that locking by name alone lets one address try many names: addresses are limited by
# the auth throttle (OCR_THROTTLE_AUTH), and locking by address too would let a guesser rotating
# addresses go on, or lock a whole office behind one NAT out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("OCR_ACCESS_TOKEN_MINUTES", default=30, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("OCR_REFRESH_TOKEN_DAYS", default=7, minimum=1)),
    "SIGNING_KEY": SECRET_KEY,
    # A refresh token is used once (the next comes with the new access token); access tokens carry
    # a digest of the password hash and fail once it changes (api_access/tokens.py).
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "CHECK_REVOKE_TOKEN": True,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api_access.authentication.LoginJWTAuthentication",
        "api_access.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api_access.permissions.ApiAccessPolicy"],
    "DEFAULT_THROTTLE_CLASSES": ["api_access.throttles.ClientRateThrottle"],
    # JSON only: the API never answers with an HTML page, errors included.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "ocr_api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "ocr_api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "ocr_api.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "ocr_api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ocr_api.exception_handler.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "django-ocr",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Self-hosted OCR: upload an image, get its letters; every result is kept.",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operation ids and tags are taken from the path after /api (ocr_record_list, tag ocr_record).
    "SCHEMA_PATH_PREFIX": "/api",
    # Swagger UI and ReDoc assets come from drf-spectacular-sidecar: no request leaves the machine.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise fetch a validity badge from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The v1.0.0 reference lists read-only fields as optional.
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    # A task's, a file's, a page's and a file's export's statuses are one set of choices.
    "ENUM_NAME_OVERRIDES": {"StatusEnum": "ocr_task.models.Status"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "ocr_project.request_log.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_choice("DJANGO_LOG_FORMAT", choices=["text", "json"], default="text"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", default="INFO")},
    # The request log says it all; Django's own line per 4xx/5xx would say it twice.
    # pikepdf announces its logger bridge at INFO in every process that imports it.
    "loggers": {"django.request": {"level": "ERROR"}, "pikepdf": {"level": "WARNING"}},
}
