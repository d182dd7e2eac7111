"""Signals chat sends. Layers above (counselling) connect to them in their AppConfig.ready();
chat's system check proves each has a receiver, so a safety step never silently disappears.

Both are sent inside the transaction that caused them, so what receivers write commits (or
rolls back) with it."""

from django.dispatch import Signal

# A risk (a cry for help, grooming) was written in a bubble. Arguments: room, author,
# cry_for_help. Receivers return a list of frames for the author's own socket (kind words).
risk_in_bubble = Signal()

# A bubble ended. Arguments: room, ended_by.
bubble_ended = Signal()
