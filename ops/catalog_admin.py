"""Operator commands for what requests and accounts are classified by: support request topics
(and their Open311 questions), communities, additional account fields, and the settings of
service requests (types, statuses, categories, users, groups...)."""

__all__ = ["register"]


def _add_topic(args) -> str:
    from chalicelib.support_requests import service
    service.add_topic(args.identifier, args.extid, args.sub_topic, public=args.public)
    return f"topic {args.identifier} saved" + (" (its Open311 reports are public)"
                                               if args.public else "")


def _add_attribute(args) -> str:
    from chalicelib.open311 import services
    values = tuple(tuple(value.split("=", 1)) for value in args.value)
    if any(len(value) != 2 for value in values):
        raise ValueError("each --value is KEY=NAME")
    services.add_attribute(args.topic, args.code, args.datatype, args.description,
                           args.required, values, variable=not args.information_only)
    return f"attribute {args.code} of topic {args.topic} saved"


def _add_community(args) -> str:
    from chalicelib.accounts import catalog
    catalog.add_community(args.key, args.label)
    return f"community {args.key} saved"


def _add_field(args) -> str:
    from chalicelib.accounts import catalog
    catalog.add_additional_field(args.key, args.label)
    return f"additional field {args.key} saved"


def _add_setting(args) -> str:
    from chalicelib.service_requests import configuration
    entry = configuration.add(args.kind, args.name, **_setting_fields(args, configuration))
    return f"{args.kind} {args.name} saved (id {entry.id})"


def _setting_fields(args, configuration) -> dict:
    """The entry's fields from the command line, naming other entries by name."""
    def named(kind: str, name: str | None, **scope) -> str | None:
        if name is None:
            return None
        matches = [e for e in configuration.entries(kind) if e.name == name and all(
            getattr(e, key) == value for key, value in scope.items())]
        if not matches:
            raise ValueError(f"no {kind} named {name}")
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


def _topics(args) -> str:
    from chalicelib.support_requests.models import CATALOG, Topic
    lines = ["topic\tsub-topics\tOpen311 reports\textid"]
    for topic in Topic.by_catalog.query(CATALOG):
        lines.append(f"{topic.identifier}\t{', '.join(s.identifier for s in topic.sub_topics)}"
                     f"\t{'public' if topic.public else 'private'}\t{topic.extid or '-'}")
        for entry in sorted(topic.attributes, key=lambda entry: entry.order):
            values = ", ".join(f"{value.key}={value.name}" for value in entry.values)
            lines.append(f"  attribute {entry.code}: {entry.datatype}"
                         f"{' required' if entry.required else ''}"
                         f"{' information only' if not entry.variable else ''}"
                         f" - {entry.description}{f' ({values})' if values else ''}")
    return "\n".join(lines)


def _catalog(kind: str):
    def listed(args) -> str:
        from chalicelib.accounts import catalog
        return "\n".join(["key\tlabel", *(f"{key}\t{label}"
                                           for key, label in catalog.entries_of(kind))])
    return listed


def _settings(args) -> str:
    from chalicelib.service_requests import configuration
    kinds = [args.kind] if args.kind else sorted(configuration.KINDS)
    lines = ["kind\tname\tid\tdetails"]
    for kind in kinds:
        for entry in configuration.entries(kind):
            details = {name: value for name, value in configuration.representation(
                entry).items() if name not in ("id", "name") and value not in (None, "")}
            lines.append(f"{kind}\t{entry.name}\t{entry.id}\t"
                         + ", ".join(f"{name}={value}" for name, value in details.items()))
    return "\n".join(lines)


def register(commands) -> None:
    from chalicelib.service_requests import configuration
    commands.add_parser("list-topics", help="list the topics, their sub-topics, whether their "
                                            "Open311 reports are public, and their questions"
                        ).set_defaults(run=_topics)
    commands.add_parser("list-communities", help="list the customer communities"
                        ).set_defaults(run=_catalog("community"))
    commands.add_parser("list-additional-fields", help="list the additional account fields"
                        ).set_defaults(run=_catalog("additional-field"))
    settings = commands.add_parser("list-service-request-settings",
                                   help="list the types, statuses, categories, ... of service "
                                        "requests (one kind, or all)")
    settings.add_argument("kind", nargs="?", choices=sorted(configuration.KINDS))
    settings.set_defaults(run=_settings)
    topic = commands.add_parser("add-topic", help="add or replace a support request topic")
    topic.add_argument("identifier")
    topic.add_argument("--extid")
    topic.add_argument("--sub-topic", action="append", default=[])
    topic.add_argument("--public", action="store_true",
                       help="its Open311 reports are public (Open311's reads show them)")
    topic.set_defaults(run=_add_topic)
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
    attribute.set_defaults(run=_add_attribute)
    community = commands.add_parser("add-community", help="add a customer community")
    community.add_argument("key")
    community.add_argument("--label")
    community.set_defaults(run=_add_community)
    field = commands.add_parser("add-additional-field",
                                help="add an additional account field (key and label)")
    field.add_argument("key")
    field.add_argument("label")
    field.set_defaults(run=_add_field)
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
    setting.set_defaults(run=_add_setting)
