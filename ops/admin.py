"""Operator commands: tables, API clients, topics.

    python -m ops.admin create-tables
    python -m ops.admin create-client NAME --scopes requests,customers [--id ID [--replace]]
        [--account A]
    python -m ops.admin bind-account CLIENT_ID ACCOUNT   (or --none: act for no account)
    python -m ops.admin list-clients                     (state and last day of use too)
    python -m ops.admin rotate-secret CLIENT_ID [--grace-hours N]   (prints the new secret once)
    python -m ops.admin disable-client CLIENT_ID | enable-client CLIENT_ID | delete-client ...
    python -m ops.admin revoke-tokens CLIENT_ID          (its live tokens, in every API, end)
    python -m ops.admin list-endpoints [CLIENT_ID]       (webhook endpoints and TMF621 hubs)
    python -m ops.admin disable-endpoint ENDPOINT_ID | delete-endpoint ENDPOINT_ID
    python -m ops.admin scrub-secrets          (password hashes out of older history entries)
    python -m ops.admin add-topic IDENTIFIER [--extid EXTID] [--sub-topic NAME ...] [--private]
    python -m ops.admin add-topic-attribute TOPIC CODE --datatype D --description TEXT
        [--required] [--information-only] [--value KEY=NAME ...]
    python -m ops.admin mark-private REQUEST_ID [--public]   (Open311's public reads)
    python -m ops.admin index-open311          (once after upgrading: older records into Open311)
    python -m ops.admin add-community KEY [--label LABEL]
    python -m ops.admin add-additional-field KEY LABEL
    python -m ops.admin add-service-request-setting KIND NAME [--code C] [--alternative-code C]
        [--state STATE --type TYPE] [--requires-acceptance] [--emails] [--sms]
        [--cancellation-status STATUS --cancellation-reason REASON]

Uses the same environment variables as the service (table names, AWS endpoint, region), or,
with ``--stack servicedesk-dev`` before the command, the tables of that deployed stack (read
from its outputs with the caller's AWS credentials).
"""
import argparse
import os
import sys


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


def main(argv: list[str] | None = None) -> int:
    stack = argparse.ArgumentParser(add_help=False)
    stack.add_argument("--stack")
    if (chosen := stack.parse_known_args(argv)[0].stack):
        use_stack_tables(chosen)
    # The models read the table names when they are imported: only now.
    from chalicelib.accounts import catalog
    from chalicelib.core import auth
    from chalicelib.service_requests import configuration
    from chalicelib.support_requests import service as support_requests
    from chalicelib.tables import create_all_tables

    from . import client_admin

    parser = argparse.ArgumentParser(prog="python -m ops.admin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", help="use the tables of this deployed CloudFormation stack")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("create-tables", help="create every missing table")
    create = commands.add_parser("create-client", help="create an API client; prints its secret")
    create.add_argument("name")
    create.add_argument("--scopes", default="", help="comma-separated: " + ",".join(auth.SCOPES))
    create.add_argument("--id", dest="client_id", help="1 to 128 of A-Z a-z 0-9 . _ -")
    create.add_argument("--replace", action="store_true",
                        help="replace the client that has this id (its secret, scopes, account)")
    create.add_argument("--account", help="the customer account (identifier) it acts for in "
                                          "the Case Management API")
    bind = commands.add_parser("bind-account", help="set the customer account a client acts "
                                                    "for in the Case Management API")
    bind.add_argument("client_id")
    bind.add_argument("account", nargs="?")
    bind.add_argument("--none", action="store_true", help="act for no account")
    commands.add_parser("list-clients", help="list API clients (never their secrets)")
    rotate = commands.add_parser("rotate-secret", help="a new secret (printed once); the old "
                                                       "one works for the grace period")
    rotate.add_argument("client_id")
    rotate.add_argument("--grace-hours", type=float, default=0)
    for name, text in client_admin.LIFECYCLE_COMMANDS.items():
        commands.add_parser(name, help=text).add_argument("client_id")
    listed = commands.add_parser("list-endpoints", help="list webhook endpoints and TMF621 "
                                                        "hubs (every client's, or one's)")
    listed.add_argument("client_id", nargs="?")
    for name, text in (("disable-endpoint", "stop deliveries to an endpoint or hub"),
                       ("delete-endpoint", "remove an endpoint or hub")):
        commands.add_parser(name, help=text).add_argument("endpoint_id")
    commands.add_parser("scrub-secrets", help="leave password hashes out of the history and "
                                              "of the accounts' copies stored before")
    topic = commands.add_parser("add-topic", help="add or replace a support request topic")
    topic.add_argument("identifier")
    topic.add_argument("--extid")
    topic.add_argument("--sub-topic", action="append", default=[])
    topic.add_argument("--private", action="store_true",
                       help="its requests are private when raised (Open311 does not show them)")
    private = commands.add_parser("mark-private", help="hide a support request from Open311's "
                                                       "public reads (or show it: --public)")
    private.add_argument("request")
    private.add_argument("--public", action="store_true")
    attribute = commands.add_parser(
        "add-topic-attribute", help="add or replace a question of a topic's Open311 reports")
    attribute.add_argument("topic")
    attribute.add_argument("code")
    attribute.add_argument("--datatype", required=True,
                           help="string, number, datetime, text, singlevaluelist or "
                                "multivaluelist")
    attribute.add_argument("--description", required=True)
    attribute.add_argument("--required", action="store_true")
    attribute.add_argument("--information-only", action="store_true",
                           help="shown to the reporter, not asked (Open311's variable false)")
    attribute.add_argument("--value", action="append", default=[], metavar="KEY=NAME",
                           help="a choice of a list's datatype (repeat for each)")
    commands.add_parser("index-open311", help="put topics, communities and support requests "
                                              "made before Open311 in its lists (once, after "
                                              "upgrading)")
    community = commands.add_parser("add-community", help="add a customer community")
    community.add_argument("key")
    community.add_argument("--label")
    field = commands.add_parser("add-additional-field",
                                help="add an additional account field (key and label)")
    field.add_argument("key")
    field.add_argument("label")
    setting = commands.add_parser("add-service-request-setting",
                                  help="add or replace a type, status, category, ... of "
                                       "service requests")
    setting.add_argument("kind", choices=sorted(configuration.KINDS))
    setting.add_argument("name", help="its name (a user's username)")
    setting.add_argument("--code")
    setting.add_argument("--alternative-code")
    setting.add_argument("--description")
    setting.add_argument("--state", choices=configuration.LIFE_CYCLE_STATES,
                         help="a status's life cycle state")
    setting.add_argument("--type", help="the name of a status's type")
    setting.add_argument("--requires-acceptance", action="store_true",
                         help="a response or final resolution category's")
    setting.add_argument("--emails", action="store_true", help="a type's: e-mail customers")
    setting.add_argument("--sms", action="store_true", help="a type's: text customers")
    setting.add_argument("--cancellation-status", help="a type's default cancellation status")
    setting.add_argument("--cancellation-reason", help="a type's default cancellation reason")
    args = parser.parse_args(argv)

    if args.command == "create-tables":
        create_all_tables()
        print("tables ready")
    elif args.command == "create-client":
        scopes = [s for s in args.scopes.split(",") if s]
        try:
            if args.account:
                _check_account(args.account, parser)
            client_id, secret = auth.create_client(args.name, scopes, args.client_id,
                                                   replace=args.replace,
                                                   account=args.account)
        except ValueError as error:
            parser.error(str(error))
        print(client_admin.credentials_text(client_id, secret, "the secret is shown only once"))
    elif args.command == "bind-account":
        if bool(args.account) == args.none:
            parser.error("name an account, or --none")
        if args.account:
            _check_account(args.account, parser)
        try:
            auth.bind_account(args.client_id, args.account)
        except ValueError as error:
            parser.error(str(error))
        print(f"{args.client_id} acts for {args.account or 'no account'}")
    elif args.command == "list-clients":
        # A Scan of the small clients table: an operator's command, never a request path.
        for client in sorted(auth.ApiClient.scan(), key=lambda client: client.client_id):
            print(f"{client.client_id}\t{client.name}\t{','.join(sorted(client.scopes or []))}"
                  f"\t{client.account or '-'}\t{'disabled' if client.disabled else 'enabled'}"
                  f"\tlast used {client.last_used or 'never'}")
    elif args.command in ("list-endpoints", "disable-endpoint", "delete-endpoint"):
        from . import endpoint_admin
        try:
            print(endpoint_admin.list_endpoints(args.client_id)
                  if args.command == "list-endpoints" else
                  getattr(endpoint_admin, args.command.replace("-", "_"))(args.endpoint_id))
        except ValueError as error:
            parser.error(str(error))
    elif args.command == "scrub-secrets":
        from .scrub import scrub_secrets
        entries, copies = scrub_secrets()
        print(f"scrubbed {entries} history entries and {copies} account copies")
    elif args.command == "rotate-secret" or args.command in client_admin.LIFECYCLE_COMMANDS:
        try:
            print(client_admin.run_lifecycle(args.command, args.client_id,
                                             getattr(args, "grace_hours", 0)))
        except ValueError as error:
            parser.error(str(error))
    elif args.command == "add-topic":
        support_requests.add_topic(args.identifier, args.extid, args.sub_topic,
                                   private=args.private)
        print(f"topic {args.identifier} saved")
    elif args.command == "add-topic-attribute":
        from chalicelib.core.errors import ApiError
        from chalicelib.open311 import services
        try:
            services.add_attribute(args.topic, args.code, args.datatype, args.description,
                                   args.required, tuple(tuple(value.split("=", 1))
                                                        for value in args.value),
                                   variable=not args.information_only)
        except (ApiError, ValueError) as error:
            parser.error(str(error))
        print(f"attribute {args.code} of topic {args.topic} saved")
    elif args.command == "index-open311":
        from .open311_admin import index_open311
        print(index_open311())
    elif args.command == "mark-private":
        from chalicelib.core.errors import ApiError
        try:
            support_requests.set_private(args.request, not args.public)
        except ApiError as error:
            parser.error(error.message)
        print(f"support request {args.request} is {'public' if args.public else 'private'}")
    elif args.command == "add-community":
        catalog.add_community(args.key, args.label)
        print(f"community {args.key} saved")
    elif args.command == "add-service-request-setting":
        entry = configuration.add(args.kind, args.name, **_setting_fields(args, configuration))
        print(f"{args.kind} {args.name} saved (id {entry.id})")
    elif args.command == "add-additional-field":
        catalog.add_additional_field(args.key, args.label)
        print(f"additional field {args.key} saved")
    return 0


def _check_account(identifier: str, parser) -> None:
    """Refuse to bind a client to an account that does not exist or is not active."""
    from chalicelib.accounts import service as accounts
    from chalicelib.core.errors import ApiError
    try:
        accounts.get_active_account(identifier)
    except ApiError as error:
        parser.error(f"account {identifier}: {error.message}")


def _setting_fields(args, configuration) -> dict:
    """The entry's fields from the command line, naming other entries by name."""
    def named(kind: str, name: str | None, **scope) -> str | None:
        if name is None:
            return None
        matches = [e for e in configuration.entries(kind) if e.name == name and all(
            getattr(e, key) == value for key, value in scope.items())]
        if not matches:
            raise SystemExit(f"no {kind} named {name}")
        return matches[0].id
    type_id = named("type", args.type)
    fields = {"code": args.code, "alternative_code": args.alternative_code,
              "description": args.description, "life_cycle_state": args.state,
              "type_id": type_id,
              "requires_acceptance": args.requires_acceptance if args.kind.endswith(
                  "_category") else None,
              "emails_customers": args.emails if args.kind == "type" else None,
              "texts_customers": args.sms if args.kind == "type" else None,
              "cancellation_reason_id": named("cancellation_reason", args.cancellation_reason)}
    if args.kind == "type" and args.cancellation_status:
        current = [e for e in configuration.entries("type") if e.name == args.name]
        fields["cancellation_status_id"] = named("status", args.cancellation_status,
                                                 type_id=current[0].id if current else None)
    return {key: value for key, value in fields.items() if value is not None}


if __name__ == "__main__":
    sys.exit(main())
