"""Issue 16 on the real PostgreSQL server: the same tests as on SQLite (audit triggers,
length limits PostgreSQL enforces, risk found in JSON)."""

import pytest

from tests.foundation.test_audit_append_only import (  # noqa: F401 (collected here too)
    entry,
    test_an_audit_entry_cannot_be_changed_by_update_or_bulk_update,
    test_an_audit_entry_cannot_be_changed_or_deleted_with_raw_sql,
    test_an_audit_entry_cannot_be_deleted_through_the_orm,
    test_deleting_an_account_keeps_its_audit_entries_under_the_name,
    test_the_retention_job_still_deletes_expired_entries_and_only_those,
)

pytestmark = [pytest.mark.scale, pytest.mark.django_db]


from tests.foundation.test_bad_input import (  # noqa: E402, F401 (PostgreSQL enforces lengths)
    alert,
    test_an_override_with_a_watched_word_too_long_is_refused_kindly,
)
from tests.moderation.test_queue_order import (  # noqa: E402, F401 (risk found in JSON on PostgreSQL)
    test_risk_alerts_come_first_regardless_of_age_or_severity,
)
