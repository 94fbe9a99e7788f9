#!/bin/sh
# Runs migrations when DJANGO_MIGRATE is true, then the given command (gunicorn by default).
set -eu
# Read as nsx/settings.py reads its switches: true, 1, yes or on, in any case; unset or empty is false.
case "$(printf '%s' "${DJANGO_MIGRATE:-}" | tr -d '[:space:]' | tr '[:upper:]' '[:lower:]')" in
    1 | true | yes | on) python manage.py migrate --noinput ;;
    "" | 0 | false | no | off) ;;
    # Read as false, a misspelt switch would start the app on a database it has not migrated.
    *) echo "DJANGO_MIGRATE='${DJANGO_MIGRATE}' is not a switch: use true or false." >&2; exit 2 ;;
esac
exec "$@"
