from django.db import migrations


def tidy_school_names(apps, schema_editor):
    """One space between words, as sign-up reads a typed name; and stop, saying which, when two
    schools' names differ only in their capital letters (the constraint that
    0006 adds would fail with a bare database error): an administrator renames one, then migrates again."""
    School = apps.get_model("minimentors", "School")
    seen: dict[str, str] = {}
    clashes = []
    for school in School.objects.order_by("pk"):
        tidy = " ".join(school.name.split())
        if tidy != school.name:
            school.name = tidy
            school.save(update_fields=["name"])
        key = tidy.lower()
        if key in seen:
            clashes.append(f"{seen[key]!r} and {tidy!r}")
        else:
            seen[key] = tidy
    if clashes:
        raise RuntimeError(
            "These schools have the same name apart from capital letters, so a child typing "
            "it could not tell them apart: " + "; ".join(clashes) + ". Rename one of each "
            "pair in the admin, then run migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [("minimentors", "0004_audit_append_only")]

    operations = [migrations.RunPython(tidy_school_names, migrations.RunPython.noop)]
