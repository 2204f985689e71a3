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


def register(commands) -> None:
    commands.add_parser("create-tables", help="create every missing table"
                        ).set_defaults(run=_create_tables)
    commands.add_parser("scrub-secrets", help="leave password hashes out of the history and "
                                              "of the accounts' copies stored before"
                        ).set_defaults(run=_scrub)
