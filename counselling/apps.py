from django.apps import AppConfig


class CounsellingConfig(AppConfig):
    name = "counselling"
    verbose_name = "Counselling"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
