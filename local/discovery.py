"""How the operator's commands find a running ``make run``: it writes where it answers to
``stack.json`` in its data folder (``local.persistence``) and removes it when it stops;
``ops.admin`` reads it, and talks to that stand-in only, when no AWS endpoint is configured.
"""
import json
import os
import pathlib

from . import persistence

__all__ = ["announce", "running", "STACK_FILE"]

STACK_FILE = "stack.json"


def announce(base: str, aws_endpoint: str | None) -> pathlib.Path:
    """Record that this process serves ``base`` with the stand-in at ``aws_endpoint``; the
    file to remove when it stops."""
    folder = persistence.data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    found = folder / STACK_FILE
    found.write_text(json.dumps({"base": base, "aws": aws_endpoint, "pid": os.getpid()}))
    return found


def running() -> dict | None:
    """The ``make run`` of the data folder, if one runs now: {"base", "aws", "pid"}."""
    try:
        found = json.loads((persistence.data_dir() / STACK_FILE).read_text())
        os.kill(found["pid"], 0)  # no signal: does it live?
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found
