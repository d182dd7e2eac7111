from django.db import migrations, models
from django.db.models.functions import Lower


class Migration(migrations.Migration):
    """Its own migration, after ``0005_tidy_school_names`` has changed rows: PostgreSQL runs each
    migration in its own transaction, and an index is best not built where rows just changed."""

    dependencies = [("minimentors", "0005_tidy_school_names")]

    operations = [
        migrations.AddConstraint(
            model_name="school",
            constraint=models.UniqueConstraint(
                Lower("name"),
                name="school_name_unique_any_case",
                violation_error_message="There is already a school with this name "
                "(names are the same whatever their capital letters).",
            ),
        ),
    ]
