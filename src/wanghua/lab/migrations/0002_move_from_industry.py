"""Data that follows the lab's models from `industry` to `lab`:

* their content types are renamed (app_label industry → lab) in place, so they keep their ids: the audit
  trail (which names records by content type and id) and any Django permissions still point at them;
* role patterns are rewritten: `industry.<action>_<lab model>` becomes `lab.<action>_<lab model>`, and a
  wildcard pattern of industry that covered lab permissions (`industry.*`, `industry.view_*`) gains its
  `lab.` twin, so no role — built in or made in the admin — gains or loses access. Each changed role gets an
  audit entry.

Reversible: backwards, content types go back to industry and the patterns back to what they were.
"""

import uuid
from fnmatch import fnmatchcase

from django.db import migrations

MODELS = ["standard", "gradelimit", "laborder", "specimen", "testresult", "labchain"]
ACTIONS = ["view", "add", "change", "delete", "export"]
LABEL = "migration:lab_split"


def _codenames():
    return [f"{action}_{model}" for action in ACTIONS for model in MODELS]


def forward_pattern(pattern: str) -> list[str]:
    if not pattern.startswith("industry."):
        return [pattern]
    rest = pattern[len("industry."):]
    if any(c in rest for c in "*?["):  # a wildcard: keep it for industry, add its twin when it covered the lab
        return [pattern, f"lab.{rest}"] if any(fnmatchcase(c, rest) for c in _codenames()) else [pattern]
    action, _sep, model = rest.rpartition("_")
    return [f"lab.{rest}"] if model in MODELS and action else [pattern]


def backward_pattern(pattern: str, patterns: list[str]) -> list[str]:
    if not pattern.startswith("lab."):
        return [pattern]
    rest = pattern[len("lab."):]
    if any(c in rest for c in "*?["):  # the twin of an industry wildcard goes; a wildcard of its own narrows
        return [] if f"industry.{rest}" in patterns else [f"industry.{c}" for c in _codenames() if fnmatchcase(c, rest)]
    return [f"industry.{rest}"]


def _rewrite_roles(apps, schema_editor, rewrite):
    Role = apps.get_model("core", "Role")
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    role_type = ContentType.objects.filter(app_label="core", model="role").first()
    request_id = f"migration-{uuid.uuid4().hex}"
    entries = []
    for role in Role.objects.all():
        old = list(role.permissions or [])
        new = []
        for pattern in old:
            rewritten = rewrite(pattern, old)
            # a pattern left alone stays as it was (duplicates too); a twin is added once
            new += [p for p in rewritten if p == pattern or (p not in old and p not in new)]
        if new != old:
            role.permissions = new
            role.save(update_fields=["permissions"])
            entries.append(AuditEntry(request_id=request_id, actor_label="system", action="update", label=LABEL,
                                      content_type=role_type, object_id=str(role.pk), object_repr=role.code[:200],
                                      before={"permissions": old}, after={"permissions": new},
                                      note="the lab became its own app"))
    AuditEntry.objects.bulk_create(entries)


def _move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue  # a fresh database: post_migrate creates the lab's content types afterwards
        stale = ContentType.objects.filter(app_label=target, model=model).first()
        if stale is not None:  # made by a post_migrate in between: move what points at it, then drop it
            AuditEntry = apps.get_model("core", "AuditEntry")
            Permission = apps.get_model("auth", "Permission")
            AuditEntry.objects.filter(content_type=stale).update(content_type=old)
            try:
                apps.get_model("admin", "LogEntry").objects.filter(content_type=stale).update(content_type=old)
            except LookupError:
                pass
            taken = set(Permission.objects.filter(content_type=old).values_list("codename", flat=True))
            Permission.objects.filter(content_type=stale, codename__in=taken).delete()
            Permission.objects.filter(content_type=stale).update(content_type=old)
            stale.delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _move_content_types(apps, "industry", "lab")
    _rewrite_roles(apps, schema_editor, lambda pattern, _old: forward_pattern(pattern))


def backwards(apps, schema_editor):
    _move_content_types(apps, "lab", "industry")
    _rewrite_roles(apps, schema_editor, backward_pattern)


class Migration(migrations.Migration):

    dependencies = [
        ('lab', '0001_initial'),
        ('industry', '0003_lab_moved_to_lab'),
        ('core', '0002_dictionaries_notices'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
