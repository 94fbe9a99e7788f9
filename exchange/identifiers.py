"""Stable identifiers derived from natural keys, so re-importing a framework never changes a URI."""

import uuid

from frameworks.models import Statement

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


def statement_uids(soc_code, version, keys):
    """Each key's uid in this version of the occupation's framework: what import writes, validation checks.

    A key holding the uid of a statement in another version of the same occupation's framework, as an
    export of that version has it, names that statement's counterpart in this version: uids are unique
    across frameworks, so the counterpart's is derived from (soc_code, version, uid), as a key that is no
    UUID gives its uid. The same file therefore imports the same uids again, and an export of the new
    version, whose keys are those uids, imports back unchanged. Any other key's uid is statement_uid's."""
    uids = {key: statement_uid(soc_code, version, key) for key in keys}
    other_versions = set(
        Statement.objects.filter(uid__in=uids.values(), framework__occupation__soc_code=soc_code)
        .exclude(framework__version=version)
        .values_list("uid", flat=True)
    )
    return {key: counterpart_uid(soc_code, version, uid) if uid in other_versions else uid for key, uid in uids.items()}


def counterpart_uid(soc_code, version, uid):
    """The uid, in this version of the occupation's framework, of the statement whose uid in another
    version is `uid`: a file importing a new version from an export, and the admin's copy, give the same."""
    return derived("statement", soc_code, version, uid)


def framework_identifier(framework):
    return derived("framework", framework.occupation.soc_code, framework.version)
