"""What an operator does to webhook endpoints and TMF621 hubs (``python -m ops.admin``): list
them (every client's, or one's), disable one, delete one. Not deployed: listing every client's
endpoints is a Scan of the small endpoints table."""
from chalicelib.events.models import WebhookEndpoint
from chalicelib.webhooks import endpoints

__all__ = ["list_endpoints", "disable_endpoint", "delete_endpoint", "register"]


def _row(endpoint: WebhookEndpoint) -> str:
    kind = "hub" if endpoint.envelope else "endpoint"
    state = endpoint.status + (f" ({endpoint.disabled_reason})"
                               if endpoint.disabled_reason else "")
    return "\t".join([endpoint.endpoint_id, endpoint.client_id, kind, endpoint.url,
                      endpoint.account or "-", state, endpoint.created])


def list_endpoints(client_id: str | None = None) -> str:
    found = (WebhookEndpoint.by_client.query(client_id) if client_id
             else WebhookEndpoint.scan(consistent_read=True))
    rows = [_row(e) for e in sorted(found, key=lambda e: (e.client_id, e.created_key))]
    header = "id\tclient\tkind\turl\taccount\tstatus\tcreated"
    return "\n".join([header, *rows]) if rows else "no webhook endpoints"


def _existing(endpoint_id: str) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.get(endpoint_id, consistent_read=True)
    except WebhookEndpoint.DoesNotExist:
        raise ValueError(f"no webhook endpoint {endpoint_id}") from None


def disable_endpoint(endpoint_id: str) -> str:
    endpoint = _existing(endpoint_id)
    endpoint.status, endpoint.disabled_reason = "disabled", "Disabled by an operator."
    endpoints.save_revision(endpoint)
    return f"{endpoint_id} disabled (its client may enable it again)"


def delete_endpoint(endpoint_id: str) -> str:
    endpoints.remove(_existing(endpoint_id))
    return f"{endpoint_id} deleted"


def register(commands) -> None:
    listed = commands.add_parser("list-endpoints", help="list webhook endpoints and TMF621 "
                                                        "hubs (every client's, or one's)")
    listed.add_argument("client_id", nargs="?")
    listed.set_defaults(run=lambda args: list_endpoints(args.client_id))
    for name, text, run in (("disable-endpoint", "stop deliveries to an endpoint or hub",
                             disable_endpoint),
                            ("delete-endpoint", "remove an endpoint or hub", delete_endpoint)):
        command = commands.add_parser(name, help=text)
        command.add_argument("endpoint_id")
        command.set_defaults(run=lambda args, run=run: run(args.endpoint_id))
