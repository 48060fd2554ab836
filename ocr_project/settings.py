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

# The variables below are listed, with their sections (the "# ## " lines) and the comment above
# each, on the docs' configuration page and in .env.example: ocr_project/settings_reference.py
# writes both from this file, so a variable's comment says what it means to an operator.

# ## Django: where settings come from, debugging, secrets, hosts, HTTPS

# The file of variables read at start (python-dotenv); a variable set in the environment wins.
load_dotenv(os.environ.get("OCR_ENV_FILE") or BASE_DIR / ".env", override=False)

# Debugging pages and the development server's conveniences; set false in production.
DEBUG = env_bool("DJANGO_DEBUG", default=True)

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"
# Signs sessions and tokens; required, and refused if left default, when DJANGO_DEBUG is false
# (make one with python -c "import secrets; print(secrets.token_urlsafe(50))").
SECRET_KEY = env_str("DJANGO_SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off: the default key is public.")

# The host names the service answers to.
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# The time zone of date-times given without one (filters such as created_at__gte).
TIME_ZONE = env_str("DJANGO_TIME_ZONE", default="UTC")

# Served over HTTPS: redirect plain HTTP, mark cookies secure, ask browsers for HSTS. On when
# DJANGO_DEBUG is off, unless told otherwise (false for `make serve` on a laptop).
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# How long browsers keep to HTTPS (HSTS), in seconds: a year when HTTPS is on.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto: believe its "https".
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


# ## Database and cache

DATABASES = {
    "default": dj_database_url.parse(
        # The database: SQLite in the repository by default, or any URL dj-database-url
        # understands, e.g. postgres://user:password@127.0.0.1:5432/ocr.
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Seconds a connection is kept between requests (0: closed after each); opening one costs
        # more than a whole retrieve, and a connection the database dropped is replaced.
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

# The cache throttles count in: per process by default; a shared one (redis://127.0.0.1:6379/1)
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
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Static files (admin, Swagger UI, ReDoc) are served by WhiteNoise from the apps themselves, so no
# collectstatic step is needed to run; the Docker image collects and compresses them at build time.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# ## Task files: local disk or S3

# Where task files and their exports are kept: "local", a directory, or "s3", an S3-compatible
# bucket through django-storages (files are private: the service serves them itself). With s3 the
# credentials are found as boto3 finds them: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an
# instance's role.
OCR_TASK_STORAGE = env_choice("OCR_TASK_STORAGE", choices=["local", "s3"], default="local")
# local: the directory, shared by every process that reads tasks.
OCR_TASK_FILES_DIR = env_str("OCR_TASK_FILES_DIR", default=str(BASE_DIR / "task_files"))
# s3: the bucket (it must exist: /readyz and every submission check it can be written).
OCR_S3_BUCKET = env_str("OCR_S3_BUCKET", default="")
# s3: the server, for one other than AWS (MinIO, Ceph, Garage...), e.g. http://minio:9000.
OCR_S3_ENDPOINT_URL = env_str("OCR_S3_ENDPOINT_URL", default="")
# s3: the bucket's region.
OCR_S3_REGION = env_str("OCR_S3_REGION", default="")
# s3: the prefix of every key the service writes.
OCR_S3_PREFIX = env_str("OCR_S3_PREFIX", default="task_files")
if OCR_TASK_STORAGE == "s3":
    if not OCR_S3_BUCKET:
        raise ImproperlyConfigured("OCR_TASK_STORAGE=s3 needs OCR_S3_BUCKET, the bucket task files are kept in.")
    _TASK_FILES_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": OCR_S3_BUCKET,
            "endpoint_url": OCR_S3_ENDPOINT_URL or None,
            "region_name": OCR_S3_REGION or None,
            "location": OCR_S3_PREFIX,
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


# ## Uploads and images

# The largest upload, in bytes: larger ones are answered 413 upload_too_large while the body
# streams in, before anything is decoded.
OCR_MAX_UPLOAD_BYTES = env_int("OCR_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024, minimum=1)
# The largest image, in pixels (width × height): a small compressed file can decode to gigabytes
# of pixels (a decompression bomb); larger ones are answered 400.
OCR_MAX_IMAGE_PIXELS = env_int("OCR_MAX_IMAGE_PIXELS", default=40_000_000, minimum=1)
FILE_UPLOAD_HANDLERS = [
    "ocr_api.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Where uploads too large to keep in memory are spooled; a file a killed worker left there is
# removed when the service starts (ocr_api.uploads.remove_abandoned_uploads).
FILE_UPLOAD_TEMP_DIR = env_str("OCR_UPLOAD_TEMP_DIR", default=os.path.join(tempfile.gettempdir(), "django-ocr-uploads"))
os.makedirs(FILE_UPLOAD_TEMP_DIR, exist_ok=True)
# A body that is not multipart (parse_text's JSON) is held in memory whole: it may carry one image
# of OCR_MAX_UPLOAD_BYTES in base64 (4/3 larger) and the rest of the document; several large
# images go as multipart, whose files stream to disk. Django's default is 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = OCR_MAX_UPLOAD_BYTES * 4 // 3 + 64 * 1024

# Images one parse_text request may carry (files and links together).
OCR_MAX_IMAGES_PER_REQUEST = env_int("OCR_MAX_IMAGES_PER_REQUEST", default=10, minimum=1)
# parse_text's `lang` choices (their Tesseract data must be installed).
OCR_TEXT_LANGUAGES = env_list("OCR_TEXT_LANGUAGES", default=["eng", "chi_sim", "eng+chi_sim"])
# The shortest side an image may have, in pixels (the commercial general-text APIs' limit).
OCR_MIN_IMAGE_SIDE_PX = env_int("OCR_MIN_IMAGE_SIDE_PX", default=15, minimum=1)
# The longest side an image may have, in pixels, whichever way it is sent.
OCR_MAX_IMAGE_SIDE_PX = env_int("OCR_MAX_IMAGE_SIDE_PX", default=8192, minimum=1)

# ## Serving: gunicorn's threads and a worker's memory

# gunicorn's threads per process (gunicorn.conf.py reads them from here).
GUNICORN_THREADS = env_int("GUNICORN_THREADS", default=2, minimum=1)
# A gunicorn worker or Celery pool process holding more than this many MiB after a request or a
# page finishes what it does and is replaced.
OCR_WORKER_MAX_MEMORY_MB = env_int("OCR_WORKER_MAX_MEMORY_MB", default=1024, minimum=128)

# ## Images by URL

# Whether images may be sent by link (ocr_record/fetching.py fetches them).
OCR_URL_INPUT = env_bool("OCR_URL_INPUT", default=True)
# The hosts links may point to, their subdomains too; empty: any public host.
OCR_URL_ALLOWED_HOSTS = [host.lower().rstrip(".") for host in env_list("OCR_URL_ALLOWED_HOSTS", default=[])]
# The ports links may point to.
OCR_URL_ALLOWED_PORTS = env_ports("OCR_URL_ALLOWED_PORTS", default=[80, 443])
# Seconds all the links of one request may take to fetch, together.
OCR_URL_TIMEOUT_S = env_float("OCR_URL_TIMEOUT_S", default=10.0, minimum=0.5)
# Let links reach private addresses: tests and closed networks only (a warning is logged at start).
OCR_URL_ALLOW_PRIVATE = env_bool("OCR_URL_ALLOW_PRIVATE", default=False)
# Requests of one process fetching links at once: half its threads, so that links to slow servers
# never hold every thread and the rest keep answering; one more is a 503 url_busy.
OCR_URL_MAX_FETCHES = env_int("OCR_URL_MAX_FETCHES", default=max(1, GUNICORN_THREADS // 2), minimum=1)

# ## Tasks: limits, PDFs, quotas, events

# Files one task may carry.
OCR_TASK_MAX_FILES = env_int("OCR_TASK_MAX_FILES", default=50, minimum=1)
# Bytes one file of a task may have.
OCR_TASK_MAX_FILE_BYTES = env_int("OCR_TASK_MAX_FILE_BYTES", default=50 * 1024 * 1024, minimum=1)
# Pages one PDF may have.
OCR_TASK_MAX_PDF_PAGES = env_int("OCR_TASK_MAX_PDF_PAGES", default=200, minimum=1)
# Bytes one task's files may have together (kept in the task files' storage until it is deleted).
OCR_TASK_MAX_BYTES = env_int("OCR_TASK_MAX_BYTES", default=200 * 1024 * 1024, minimum=1)
# The resolution PDF pages are rendered at to be read.
OCR_PDF_DPI = env_int("OCR_PDF_DPI", default=300, minimum=36)
# MiB PDFium may use to count or render one PDF's pages, in a child process: a tiny hostile PDF can
# make it allocate without end; past it the file fails alone (pdf_too_costly).
OCR_PDF_MAX_MEMORY_MB = env_int("OCR_PDF_MAX_MEMORY_MB", default=1024, minimum=64)
# Seconds PDFium may take to count or render one PDF's pages; past them the file fails alone.
OCR_PDF_TIMEOUT_S = env_int("OCR_PDF_TIMEOUT_S", default=30, minimum=1)
# MiB a task worker's child may use to make one file's searchable PDFs (qpdf and PDFium on a file
# anyone may send); past them the export fails, 409 export_failed.
OCR_EXPORT_MAX_MEMORY_MB = env_int("OCR_EXPORT_MAX_MEMORY_MB", default=1024, minimum=64)
# Seconds that child may take; past them the export fails, 409 export_failed.
OCR_EXPORT_TIMEOUT_S = env_int("OCR_EXPORT_TIMEOUT_S", default=120, minimum=1)
# Bytes of task files one client (a user, or an address when anonymous) may hold; past them 413
# storage_quota_exceeded.
OCR_QUOTA_STORED_BYTES = env_int("OCR_QUOTA_STORED_BYTES", default=500 * 1024 * 1024, minimum=1)
# Pages one client may have waiting to be read; past them 429 pages_quota_exceeded.
OCR_QUOTA_QUEUED_PAGES = env_int("OCR_QUOTA_QUEUED_PAGES", default=1000, minimum=1)
# Days after submission a task (its files, pages and exports; not its records) is deleted by the
# workers; 0 keeps tasks until they are deleted.
OCR_TASK_RETENTION_DAYS = env_int("OCR_TASK_RETENTION_DAYS", default=30, minimum=0)
# Server-sent event streams of tasks' progress one process keeps open at once: each holds a web
# server thread; more are answered 503 too_many_streams (poll instead).
OCR_TASK_EVENTS_MAX_STREAMS = env_int("OCR_TASK_EVENTS_MAX_STREAMS", default=1, minimum=1)
# Seconds one stream lasts (a browser's EventSource reconnects by itself).
OCR_TASK_EVENTS_MAX_S = env_int("OCR_TASK_EVENTS_MAX_S", default=60, minimum=1)
# Pages a task with async_task=false (read while the client waits) may have.
OCR_TASK_SYNC_MAX_PAGES = env_int("OCR_TASK_SYNC_MAX_PAGES", default=20, minimum=1)

# ## Tasks: embedded threads or Celery

# The Celery broker, e.g. redis://127.0.0.1:6379/0; once it is set tasks go to Celery workers.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default="")
# Where tasks' pages are read (ocr_task/queues.py): "embedded" threads inside the service,
# "celery" workers (`make worker`) sharing the broker, or the dotted path of a TaskQueue of yours.
OCR_TASK_QUEUE = env_str("OCR_TASK_QUEUE", default="celery" if CELERY_BROKER_URL else "embedded")
if OCR_TASK_QUEUE not in ("embedded", "celery") and "." not in OCR_TASK_QUEUE:
    raise ImproperlyConfigured(
        f"OCR_TASK_QUEUE={OCR_TASK_QUEUE!r}: use embedded, celery or the dotted path of a TaskQueue class."
    )
# The Celery app messages are sent with (the service imports it only with OCR_TASK_QUEUE=celery).
CELERY_APP = "ocr_project.celery.app"
if OCR_TASK_QUEUE == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("OCR_TASK_QUEUE=celery needs CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0.")
# embedded: the threads reading pages in each service process.
OCR_TASK_EMBEDDED_THREADS = env_int("OCR_TASK_EMBEDDED_THREADS", default=1, minimum=0)
# embedded: seconds between looks at the database for work other processes submitted.
OCR_TASK_POLL_S = env_float("OCR_TASK_POLL_S", default=2, minimum=0.1)
# Seconds after which a page a worker took and did not finish was left by a worker that died:
# another worker takes it. Also the broker's visibility timeout.
OCR_TASK_PAGE_LEASE_S = env_int("OCR_TASK_PAGE_LEASE_S", default=300, minimum=1)
# A page whose reading was started this many times and never finished (its worker died each time)
# is failed rather than tried again.
OCR_TASK_MAX_ATTEMPTS = env_int("OCR_TASK_MAX_ATTEMPTS", default=3, minimum=1)
# How often a Celery worker looks for pages sent a lease ago and never started (lost by the broker).
OCR_TASK_SWEEP_S = env_int("OCR_TASK_SWEEP_S", default=30, minimum=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds one page at a time; the others stay for others
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

# ## Callbacks when a task ends

# The hosts callbacks may go to (a client must not make the service call into its own network).
OCR_CALLBACK_ALLOWED_HOSTS = env_list("OCR_CALLBACK_ALLOWED_HOSTS", default=[])
# The Standard Webhooks key (whsec_<base64>) callbacks are signed with; empty: unsigned.
OCR_CALLBACK_SECRET = env_str("OCR_CALLBACK_SECRET", default="")
# Attempts at delivering one callback.
OCR_CALLBACK_MAX_ATTEMPTS = env_int("OCR_CALLBACK_MAX_ATTEMPTS", default=5, minimum=1)
# Seconds before the second attempt; each next wait is twice the last.
OCR_CALLBACK_RETRY_S = env_int("OCR_CALLBACK_RETRY_S", default=10, minimum=1)
# Seconds a whole attempt may take.
OCR_CALLBACK_TIMEOUT_S = env_int("OCR_CALLBACK_TIMEOUT_S", default=10, minimum=1)

# ## Engines

# The engine: auto (Tesseract where it reads well, PP-OCR for photos, receipts, noise and Chinese),
# tesserocr, ppocr, pytesseract, or the dotted path to an ocr_engine.OcrEngine subclass.
OCR_ENGINE = env_str("OCR_ENGINE", default="auto")
# Tesseract's language(s), e.g. eng+deu (install tesseract-ocr-deu first).
OCR_LANGUAGE = env_str("OCR_LANGUAGE", default="eng")
# Seconds one image's whole reading may take (preprocessing and every engine call); then 504
# ocr_timeout.
OCR_TIMEOUT_S = env_int("OCR_TIMEOUT_S", default=10, minimum=1)

# ## Who may call: credentials, throttles, proxies

# "open" (as v1.0.0, no credentials: anyone may read, export and delete every record and task) or
# "required" (a JWT from /auth/login, or an API key made in the admin; a client sees only what it
# asked for).
OCR_API_AUTH = env_choice("OCR_API_AUTH", choices=["open", "required"], default="open")
# Requests per client, each like "60/min" or "off" (the default: v1.0.0 had none).
OCR_THROTTLE_RATES = {
    # Images read by a known client (a user or an API key).
    "parse": env_rate("OCR_THROTTLE_PARSE", default=None),
    # Records and tasks read by a known client.
    "read": env_rate("OCR_THROTTLE_READ", default=None),
    # Images read by an anonymous caller, per address.
    "anon_parse": env_rate("OCR_THROTTLE_ANON_PARSE", default=None),
    # Records and tasks read by an anonymous caller, per address.
    "anon_read": env_rate("OCR_THROTTLE_ANON_READ", default=None),
    # Logins, refreshes and logouts, per address: on by default, it bounds password guessing.
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
    # Minutes an access token from /auth/login is good for.
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("OCR_ACCESS_TOKEN_MINUTES", default=30, minimum=1)),
    # Days a refresh token is good for.
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

# ## Logs and health

# /readyz answers 503 when a disk the service writes to (uploads, SQLite) has fewer MiB free.
OCR_MIN_FREE_DISK_MB = env_int("OCR_MIN_FREE_DISK_MB", default=200, minimum=0)

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
            # One line of text per event, or one JSON object (for a log collector).
            "formatter": env_choice("DJANGO_LOG_FORMAT", choices=["text", "json"], default="text"),
        }
    },
    # The least severe level logged: DEBUG, INFO, WARNING, ERROR.
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", default="INFO")},
    # The request log says it all; Django's own line per 4xx/5xx would say it twice.
    # pikepdf announces its logger bridge at INFO in every process that imports it.
    "loggers": {"django.request": {"level": "ERROR"}, "pikepdf": {"level": "WARNING"}},
}
