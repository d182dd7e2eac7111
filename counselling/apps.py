from django.apps import AppConfig


class CounsellingConfig(AppConfig):
    name = "counselling"
    verbose_name = "Counselling"

    def ready(self) -> None:
        # Counselling sits above chat: it listens to chat's signals (chat never imports it).
        from chat.signals import bubble_ended, risk_in_bubble

        from . import checks  # noqa: F401  (registers the system checks)
        from .handover import bubble_debrief_offer, bubble_risk_handover

        risk_in_bubble.connect(bubble_risk_handover, dispatch_uid="counselling.handover")
        bubble_ended.connect(bubble_debrief_offer, dispatch_uid="counselling.debrief")
