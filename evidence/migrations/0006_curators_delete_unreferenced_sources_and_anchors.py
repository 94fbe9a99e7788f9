from django.db import migrations

# What both roles gain, frozen here as of this migration: deleting a source or an anchor, which SourceAdmin
# and SourceAnchorAdmin allow only for one nothing refers to, and for an anchor a curator added alone.
GRANTS = {"evidence.Source": ["delete"], "evidence.SourceAnchor": ["delete"]}
ROLES = ["Curator", "Editor"]


def permission(apps, label, action):
    """The permission, created if missing: Django creates permissions only after all migrations ran."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    opts = apps.get_model(label)._meta
    content_type, _ = ContentType.objects.get_or_create(app_label=opts.app_label, model=opts.model_name)
    codename, name = f"{action}_{opts.model_name}", f"Can {action} {opts.verbose_name_raw}"
    return Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )[0]


def granted(apps):
    return [permission(apps, label, action) for label, actions in GRANTS.items() for action in actions]


def grant(apps, schema_editor):
    # Only roles that exist: a site that deleted one has no use for it back with this alone.
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(*granted(apps))


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*granted(apps))


class Migration(migrations.Migration):

    dependencies = [
        ("evidence", "0005_evidence_metric_history"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
