"""Migrating a test database to an earlier state and back, for the tests of a data migration:
build rows as the old code did, migrate forward, look."""

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str]]) -> Any:
    """The apps of `targets` at those migrations, every other app at its latest; the models of
    that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    named = {app for app, _name in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in named]
    executor.migrate([*others, *targets])
    return executor.loader.project_state([*others, *targets]).apps


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
