"""Operator commands that keep the store itself: its tables, and rewrites after an upgrade."""

__all__ = ["register"]


def _create_tables(args) -> str:
    from chalicelib.tables import create_all_tables
    create_all_tables()
    return "tables ready"


def _scrub(args) -> str:
    from .scrub import scrub_secrets
    entries, copies = scrub_secrets()
    return f"scrubbed {entries} history entries and {copies} account copies"


def _rebuild_work_items(args) -> str:
    from chalicelib.desk.projection import rebuild
    written = rebuild()
    return ("work items written: " + ", ".join(f"{count} {kind}" for kind, count in
                                                written.items())
            + " (an item that reads as its record does is left alone)")


def register(commands) -> None:
    commands.add_parser("create-tables", help="create every missing table"
                        ).set_defaults(run=_create_tables)
    commands.add_parser("scrub-secrets", help="leave password hashes out of the history and "
                                              "of the accounts' copies stored before"
                        ).set_defaults(run=_scrub)
    commands.add_parser("rebuild-work-items", help="the desk's work items again from every "
                                                   "record (idempotent; after upgrading)"
                        ).set_defaults(run=_rebuild_work_items)
