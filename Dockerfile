# listen: the web service under gunicorn, with the offline engines (piper, espeak-ng).
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg espeak-ng \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY listen ./listen
# The image's own pip, not upgraded: .ci/install-check installs these same files with the pip
# Python 3.11 bundles, and pyproject.toml names every distribution listen imports.
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /app listen \
    && mkdir -p /data/audio_cache /data/listen_data \
    && chown listen /data/audio_cache /data/listen_data

# Audio is cache (it can always be made again); pushed articles are data (back them up).
# gunicorn listens on every interface of the container, on the port EXPOSEd below.
ENV LISTEN_CACHE_DIR=/data/audio_cache \
    LISTEN_DATA_DIR=/data/listen_data \
    LISTEN_HOST=0.0.0.0 \
    LISTEN_PORT=8000 \
    PYTHONUNBUFFERED=1
VOLUME ["/data/audio_cache", "/data/listen_data"]
USER listen
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

# The same server as `listen serve`: both take it from listen/web/gunicorn_conf.py (JSON
# error worker, workers and threads from LISTEN_*, multiprocess metrics hooks);
# tests/test_deploy.py compares the two. docker-compose.yml publishes only nginx in front of it.
CMD ["gunicorn", "-c", "python:listen.web.gunicorn_conf", "listen.wsgi:app"]
