"""The audit log is append-only in the database, not only in ``AuditEntry.save()``.

Triggers (migration ``0004_audit_append_only``) refuse every UPDATE and DELETE of an audit
row, whoever sends it: ``.update()``, ``bulk_update``, ``.delete()``, raw SQL, a shell. One
change is let through: setting ``actor_id`` to NULL and nothing else, which is what deleting an
account does (the row keeps ``actor_username``).

The only deleter is the retention job (``minimentors.retention.purge_expired``). Inside its
own transaction it opens ``retention_deletes_allowed()``, which tells the trigger for the rest
of that transaction only:

- PostgreSQL: a transaction-local setting, ``minimentors.retention_purge = on``
  (``set_config(..., true)``), gone at commit or rollback.
- SQLite: triggers cannot read a connection's state, so each Django connection registers a
  function, ``minimentors_retention_deleting()``, that answers for that connection. Any other
  client (the sqlite3 shell) has no such function, so its deletes fail too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

POSTGRESQL_SETTING = "minimentors.retention_purge"
SQLITE_FUNCTION = "minimentors_retention_deleting"
_SQLITE_FLAG = "minimentors_retention_deleting"


def sqlite_function_register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give each SQLite connection its answer to the trigger."""
    if connection.vendor != "sqlite":
        return

    def deleting() -> int:
        return 1 if getattr(connection, _SQLITE_FLAG, False) else 0

    connection.connection.create_function(SQLITE_FUNCTION, 0, deleting)


@contextmanager
def retention_deletes_allowed(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let audit rows be deleted inside the caller's transaction. For the retention job only
    (and the test suite's database flush); raises ``RuntimeError`` outside a transaction,
    where the permission could outlive the job."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("retention_deletes_allowed() must run inside transaction.atomic().")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [POSTGRESQL_SETTING])
        yield
        # On success switch it off again (the transaction may go on, e.g. in a test); after an
        # error the rollback of the caller's savepoint or transaction undoes it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [POSTGRESQL_SETTING])
        return
    setattr(connection, _SQLITE_FLAG, True)
    try:
        yield
    finally:
        setattr(connection, _SQLITE_FLAG, False)
