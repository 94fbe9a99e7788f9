"""Stable identifiers derived from natural keys, so re-importing a framework never changes a URI."""

import uuid

# Every derived identifier hangs off this namespace: changing it would change every published URI.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:nsx:framework-exchange")


def derived(*parts):
    return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))


def statement_uid(soc_code, version, key):
    """A statement's uid: its key when that is a UUID (as exported), else derived from the key."""
    try:
        return uuid.UUID(key)
    except ValueError:
        return derived("statement", soc_code, version, key)


def framework_identifier(framework):
    return derived("framework", framework.occupation.soc_code, framework.version)
