"""/ws/staff/alerts/: live alerts for staff (who hears what: ``moderation.realtime``)."""

from __future__ import annotations

from typing import Any

from minimentors.roles import Member
from minimentors.sockets import CLOSE_NOT_ALLOWED, Authorised, MemberSocket, Refused

from .permissions import can_receive_alerts
from .realtime import alert_groups_for_member


class StaffAlertConsumer(MemberSocket):
    """Staff act on alerts through the moderation pages; this socket only listens."""

    def authorise(self, member: Member, user: Any) -> Authorised:
        if not can_receive_alerts(member):
            raise Refused(CLOSE_NOT_ALLOWED)
        return Authorised(groups=alert_groups_for_member(member))

    async def alert_raised(self, event: dict[str, Any]) -> None:
        await self.relay(event)
