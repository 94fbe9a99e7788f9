"""Stable identifiers derived from natural keys, so re-importing a framework never changes a URI."""

import uuid

# Every derived identifier hangs off this namespace: changing it would change every published URI.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:nsx:framework-exchange")


def derived(*parts):
    return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))


def statement_uid(soc_code, version, key):
    """A statement's uid: its key when that is an RFC 4122 UUID (as exported), else derived from the key.

    The uid is the statement's CASE identifier, which must be of RFC 4122's variant: any other UUID, such as
    the nil UUID, is a key like policy-types. Every uid NSX makes is of that variant, so an exported key
    stays its statement's uid."""
    try:
        uid = uuid.UUID(key)
    except ValueError:
        pass
    else:
        if uid.variant == uuid.RFC_4122:
            return uid
    return derived("statement", soc_code, version, key)


def framework_identifier(framework):
    return derived("framework", framework.occupation.soc_code, framework.version)
