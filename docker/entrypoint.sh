#!/bin/sh
# Runs migrations when DJANGO_MIGRATE is true, then the given command (gunicorn by default).
set -eu
# Read as nsx/settings.py reads its switches: true, 1, yes or on, in any case.
case "$(printf '%s' "${DJANGO_MIGRATE:-false}" | tr -d '[:space:]' | tr '[:upper:]' '[:lower:]')" in
    1 | true | yes | on) python manage.py migrate --noinput ;;
esac
exec "$@"
