from django.db import migrations


def create_general_room(apps, schema_editor):
    Room = apps.get_model("chat", "Room")
    Room.objects.get_or_create(slug="general", defaults={"kind": "general", "name": "General"})


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [migrations.RunPython(create_general_room, migrations.RunPython.noop)]
