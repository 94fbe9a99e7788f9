#!/bin/sh
# Runs migrations when DJANGO_MIGRATE=true, then the given command (gunicorn by default).
set -eu
if [ "${DJANGO_MIGRATE:-false}" = "true" ]; then
    python manage.py migrate --noinput
fi
exec "$@"
