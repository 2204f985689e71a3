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

Where it acts: the AWS endpoint that the environment names (``SERVICEDESK_AWS_ENDPOINT`` or
``AWS_ENDPOINT_URL``, with the service's table names and region); else the ``make run`` of
this checkout's data folder (``SERVICEDESK_DATA_DIR``), if one runs, which it finds by
itself and talks to alone; else AWS with the caller's credentials. ``--stack NAME`` before the
command takes the table names from that CloudFormation stack's outputs (a deployed stage's,
or the stand-in's own ``servicedesk``). When it reaches nothing, it says so in one line.
"""
import argparse
import importlib
import os
import sys

#: The modules of ``ops`` whose commands ``python -m ops.admin`` runs, in --help's order.
GROUPS = ("client_admin", "catalog_admin", "open311_admin", "endpoint_admin", "desk_admin",
          "maintenance_admin")


def use_stack_tables(stack_name: str) -> None:
    """Point the table names at a stack's (its outputs TableXxx name them): a deployed stage's
    with the caller's credentials, or the configured (or running) stand-in's."""
    import boto3

    from chalicelib.core.config import TABLES
    endpoint = os.environ.get("SERVICEDESK_AWS_ENDPOINT") or None
    stack = boto3.client("cloudformation", endpoint_url=endpoint).describe_stacks(
        StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    for logical in TABLES:
        key = "Table" + "".join(part.capitalize() for part in logical.split("_"))
        os.environ["SERVICEDESK_TABLE_" + logical.upper()] = outputs[key]
    os.environ["SERVICEDESK_ATTACHMENTS_BUCKET"] = outputs["AttachmentsBucket"]


#: What --help says before the commands: where they act.
WHERE = """The operator's commands of servicedesk: API clients, topics, communities, settings,
Open311 keys, webhook endpoints. Where they act: the AWS endpoint that the environment names
(SERVICEDESK_AWS_ENDPOINT or AWS_ENDPOINT_URL); else the `make run` of this checkout's data
folder (SERVICEDESK_DATA_DIR, default .servicedesk-data), if one runs, found by itself; else
AWS with your credentials. --stack NAME takes the tables of a deployed stage (servicedesk-dev,
...). docs/operating.md shows every command."""


def parser() -> argparse.ArgumentParser:
    """Every command of every group (importing them imports the models: only once the
    environment names the tables)."""
    found = argparse.ArgumentParser(prog="python -m ops.admin", description=WHERE,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
    found.add_argument("--stack", help="use the tables of this deployed CloudFormation stack")
    commands = found.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        importlib.import_module(f"ops.{group}").register(commands)
    return found


def use_running_stack() -> str | None:
    """Point at the ``make run`` of this checkout's data folder, when no endpoint is
    configured and one runs; its stand-in's endpoint (None: nothing to point at)."""
    if os.environ.get("SERVICEDESK_AWS_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL"):
        return None
    from local import discovery
    found = discovery.running()
    if not found or not found.get("aws"):
        return None
    os.environ["SERVICEDESK_AWS_ENDPOINT"] = found["aws"]
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ[name] = value  # the stand-in's; never the caller's AWS credentials
    return found["aws"]


def unreachable(error: BaseException) -> str | None:
    """One line for an AWS that could not be reached or refused the caller (None: another
    error)."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
    )
    from pynamodb.exceptions import PynamoDBException
    seen = error
    while seen is not None:
        if isinstance(seen, (NoCredentialsError, NoRegionError)):
            return ("ops.admin: no make run of this checkout is running, and no AWS credentials "
                    "were found: start make run, or set SERVICEDESK_AWS_ENDPOINT, or AWS "
                    "credentials and --stack NAME")
        if isinstance(seen, EndpointConnectionError):
            return f"ops.admin: cannot reach {seen.kwargs.get('endpoint_url')}: is it running?"
        if isinstance(seen, ClientError) and seen.response.get("Error", {}).get("Code") in (
                "ResourceNotFoundException", "UnrecognizedClientException",
                "AccessDeniedException", "ExpiredTokenException"):
            return f"ops.admin: AWS refused: {seen.response['Error'].get('Message')}"
        if isinstance(seen, PynamoDBException) and seen.cause is not None:
            seen = seen.cause
            continue
        seen = seen.__cause__ or seen.__context__
    return None


def refuse(command: str, message: str) -> None:
    """A refusal: one line, exit status 2 (as argparse's, without its usage line)."""
    print(f"python -m ops.admin {command}: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    stack = argparse.ArgumentParser(add_help=False)
    stack.add_argument("--stack")
    use_running_stack()
    chosen = stack.parse_known_args(argv)[0].stack
    try:
        if chosen:
            use_stack_tables(chosen)
        commands = parser()
        args = commands.parse_args(argv)
        from chalicelib.core.errors import ApiError
        try:
            printed = args.run(args)
        except ValueError as error:
            refuse(args.command, str(error))
        except ApiError as error:  # a service's refusal (no such topic, account...)
            refuse(args.command, error.message)
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - one line for what could not be reached
        line = unreachable(error)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 1
    if printed:
        print(printed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
