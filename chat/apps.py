import logging

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        # channels-redis reports sockets whose channel was full (messages dropped) at INFO:
        # make sure that is never silent.
        logging.getLogger("channels_redis.core").setLevel(logging.INFO)
        from moderation.context import register_message_context

        from . import checks  # noqa: F401  (registers the system checks)
        from .selectors import message_context

        # The moderation queue shows the conversation around a flagged message.
        register_message_context(message_context)
