from django.apps import AppConfig


class MinimentorsConfig(AppConfig):
    name = "minimentors"
    verbose_name = "MiniMentors accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the role-group bootstrap)
