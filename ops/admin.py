"""Operator commands: ``python -m ops.admin COMMAND ...`` (``--help`` lists them all).

Each group of commands is a module of ``ops`` that registers its commands
(``register(commands)``) and the function each runs (``args.run(args)``, which returns what
to print, or raises ValueError for a one-line refusal):

- ``clients``: API clients and their lifecycle (create, bind, rotate, disable, delete...);
- ``catalog``: topics, their Open311 questions, communities, additional fields, service
  request settings;
- ``open311``: what Open311 shows publicly, and its keys;
- ``endpoints``: webhook endpoints and TMF621 hubs;
- ``maintenance``: tables, upgrades.

Uses the same environment variables as the service (table names, AWS endpoint, region), or,
with ``--stack servicedesk-dev`` before the command, the tables of that deployed stack (read
from its outputs with the caller's AWS credentials).
"""
import argparse
import importlib
import os
import sys

#: The modules of ``ops`` whose commands ``python -m ops.admin`` runs, in --help's order.
GROUPS = ("client_admin", "catalog_admin", "open311_admin", "endpoint_admin",
          "maintenance_admin")


def use_stack_tables(stack_name: str) -> None:
    """Point the table names at a deployed stack's (its outputs TableXxx name them)."""
    import boto3

    from chalicelib.core.config import TABLES
    stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    for logical in TABLES:
        key = "Table" + "".join(part.capitalize() for part in logical.split("_"))
        os.environ["SERVICEDESK_TABLE_" + logical.upper()] = outputs[key]
    os.environ["SERVICEDESK_ATTACHMENTS_BUCKET"] = outputs["AttachmentsBucket"]


def parser() -> argparse.ArgumentParser:
    """Every command of every group (importing them imports the models: only once the
    environment names the tables)."""
    found = argparse.ArgumentParser(prog="python -m ops.admin", description=__doc__,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
    found.add_argument("--stack", help="use the tables of this deployed CloudFormation stack")
    commands = found.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        importlib.import_module(f"ops.{group}").register(commands)
    return found


def main(argv: list[str] | None = None) -> int:
    stack = argparse.ArgumentParser(add_help=False)
    stack.add_argument("--stack")
    if (chosen := stack.parse_known_args(argv)[0].stack):
        use_stack_tables(chosen)
    commands = parser()
    args = commands.parse_args(argv)
    from chalicelib.core.errors import ApiError
    try:
        printed = args.run(args)
    except ValueError as error:
        commands.error(str(error))
    except ApiError as error:  # a service's refusal (no such topic, account...)
        commands.error(error.message)
    if printed:
        print(printed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
