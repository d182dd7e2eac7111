from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "Safeguarding"

    def ready(self) -> None:
        # Safeguarding sits above counselling: it listens to counselling's escalation and tells
        # counselling a case's status; counselling never imports it.
        from counselling.registry import register_case_status
        from counselling.signals import escalated

        from .services import case_from_escalation, case_status_words

        escalated.connect(case_from_escalation, dispatch_uid="safeguarding.case_from_escalation")
        register_case_status(case_status_words)
