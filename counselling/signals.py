"""Signals counselling sends. The Safeguarding Team's app, which sits above, connects to them
in its AppConfig.ready(); a system check proves a receiver is there."""

from django.dispatch import Signal

# Sent inside the transaction that shares notes and concerns with the Safeguarding Team.
# Arguments: child, counsellor, notes (list of ConcernNote), concerns (list of Concern), reason.
# Safeguarding opens the child's case, or adds to it.
escalated = Signal()
