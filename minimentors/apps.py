from django.apps import AppConfig


class MinimentorsConfig(AppConfig):
    name = "minimentors"
    verbose_name = "MiniMentors accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks, signals  # noqa: F401  (system checks; role groups, sockets)
        from .audit_guard import sqlite_function_register

        # The audit log's delete trigger asks each SQLite connection (minimentors.audit_guard).
        connection_created.connect(sqlite_function_register, dispatch_uid="audit_guard")
