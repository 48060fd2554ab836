# django-ocr served by gunicorn, with Tesseract.
#   docker build -t django-ocr .
#   docker run -p 8000:8000 -e DJANGO_SECRET_KEY=... -e DJANGO_ALLOWED_HOSTS=localhost -e DJANGO_HTTPS=false django-ocr
#   docker compose up    (with PostgreSQL, Redis and Celery workers: docker-compose.yml)
#   The same image runs a task worker:  celery -A ocr_project worker --loglevel=INFO
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=false \
    DATABASE_URL=sqlite:////data/db.sqlite3 \
    OCR_TASK_FILES_DIR=/data/task_files \
    PORT=8000

WORKDIR /app
COPY requirements.txt .
# tesserocr is compiled against Debian's libtesseract (see requirements.txt), and OpenCV (the
# PP-OCR engine) loads libGL and GLib; the compiler and headers are removed again in the same
# layer, the libraries stay as tesseract-ocr's dependencies.
ARG BUILD_PACKAGES="libtesseract-dev libleptonica-dev pkg-config g++"
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-osd libgl1 libglib2.0-0 $BUILD_PACKAGES \
    && pip install -r requirements.txt \
    && apt-get purge -y --auto-remove $BUILD_PACKAGES \
    && rm -rf /var/lib/apt/lists/*

COPY . .
# collectstatic needs some secret key to import the settings; it is not kept in the image.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app ocr \
    && mkdir -p /data/task_files && chown -R ocr /data

USER ocr
VOLUME ["/data"]
EXPOSE 8000

# Tesseract's own OpenMP threads would fight the workers for the cores.
ENV OMP_THREAD_LIMIT=1 HOST=0.0.0.0
# (The web server's check; a Celery worker's container overrides it, see docker-compose.yml.)
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=3)"
# Migrations first (idempotent), then gunicorn with the repository's gunicorn.conf.py (a worker per
# core, threads, timeouts, graceful restarts; WEB_CONCURRENCY and GUNICORN_* override it).
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn -c gunicorn.conf.py ocr_project.wsgi:application"]
