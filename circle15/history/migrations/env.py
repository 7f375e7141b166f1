"""Alembic environment of the history store: always run programmatically.

:func:`circle15.history.store.open_store` passes an open connection in
``config.attributes["connection"]``; there is no ``alembic.ini`` and no offline mode.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None,
                  version_table="history_alembic_version", render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
