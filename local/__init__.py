"""The local runner (``make run``), its AWS stand-in and the spec builder; never deployed."""
import sys

if sys.version_info < (3, 11):  # noqa: UP036 - before any module of ours uses newer syntax
    sys.exit(f"servicedesk needs Python 3.11 or newer; this is Python "
             f"{sys.version.split()[0]} ({sys.executable}).")
