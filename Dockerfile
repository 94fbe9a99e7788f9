FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so code changes reuse this layer.
COPY pyproject.toml README.md ./
RUN mkdir -p nsx frameworks evidence exchange \
 && touch nsx/__init__.py frameworks/__init__.py evidence/__init__.py exchange/__init__.py \
 && pip install . \
 && pip uninstall -y nsx

COPY . .
# The code and static files stay root's: the app writes only to its file cache (without REDIS_URL).
RUN pip install --no-deps . \
 && DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home-dir /app nsx \
 && mkdir -p /app/.cache \
 && chown nsx /app/.cache

USER nsx
EXPOSE 8000
# Checks failing in the first 2 minutes do not count: with DJANGO_MIGRATE the entrypoint runs migrate before
# gunicorn listens, and a container marked unhealthy midway may be restarted in the middle of a migration.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 CMD ["python", "docker/healthcheck.py"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "nsx.wsgi", "--config", "gunicorn.conf.py"]
