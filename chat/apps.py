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
        # Moderators publish or refuse held blog posts and comments, and hide a member's
        # content, through chat's own services.
        from moderation.held import register_held, register_hider

        from .blogs import comment_decide, member_content_hide, post_decide

        register_held("blog.post", post_decide)
        register_held("blog.comment", comment_decide)
        register_hider(member_content_hide)
