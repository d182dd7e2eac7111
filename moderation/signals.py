"""Signals moderation sends. Layers above connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent after the transaction that blocks a member commits. Arguments: member_id.
# Chat closes every open socket of that member (on every Daphne process) with 4403.
member_blocked = Signal()
