from django.db import migrations

# What both roles gain, frozen here as of this migration: an occupation's own titles, and the change
# permission that saving its page needs. OccupationAdmin keeps what manage.py import_onet writes
# read-only to anyone but a superuser.
GRANTS = {
    "frameworks.Occupation": ["change"],
    "frameworks.OccupationTitle": ["add", "change", "delete", "view"],
}
ROLES = ["Curator", "Editor"]


def permission(apps, label, action):
    """The permission, created if missing: Django creates permissions only after all migrations ran."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    opts = apps.get_model(label)._meta
    content_type, _ = ContentType.objects.get_or_create(app_label=opts.app_label, model=opts.model_name)
    if action in dict(opts.permissions):
        codename, name = action, dict(opts.permissions)[action]
    else:
        codename, name = f"{action}_{opts.model_name}", f"Can {action} {opts.verbose_name_raw}"
    return Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )[0]


def granted(apps):
    return [permission(apps, label, action) for label, actions in GRANTS.items() for action in actions]


def grant(apps, schema_editor):
    # Only roles that exist: a site that deleted one has no use for it back with these alone.
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(*granted(apps))


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*granted(apps))


class Migration(migrations.Migration):

    dependencies = [
        ("frameworks", "0008_release_sources_out_of_the_sources_line"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
