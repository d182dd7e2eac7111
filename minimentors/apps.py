from django.apps import AppConfig


class MinimentorsConfig(AppConfig):
    name = "minimentors"
    verbose_name = "MiniMentors accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (system checks; role groups, sockets)
