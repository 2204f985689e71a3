"""What an operator does to an API client (``python -m ops.admin``): rotate its secret with a
grace period, disable, enable or delete it, and end every live token it holds, in every API
(bearer tokens and CRM login tokens alike); and what it is shown of new credentials. Not
deployed, and never on a request path: ending tokens reads the small tokens table whole, with a
consistent Scan (an index would be eventually consistent, and could miss a token written a
moment before)."""
import secrets
import time

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.core.auth import ApiClient, digest_of
from chalicelib.core.db import is_conditional_failure
from chalicelib.core.tokens import AccessToken

__all__ = ["rotate_secret", "set_disabled", "delete_client", "revoke_tokens", "run_lifecycle",
           "credentials_text", "LIFECYCLE_COMMANDS", "register"]

LIFECYCLE_COMMANDS = {
    "disable-client": "refuse the client's calls and end its live tokens",
    "enable-client": "let a disabled client in again (its ended tokens stay ended)",
    "delete-client": "remove the client and end its live tokens",
    "revoke-tokens": "end every live token of the client, in every API, at once",
}


def credentials_text(client_id: str, secret: str, note: str) -> str:
    """What an operator is shown of new credentials: the id and the secret."""
    return f"client id: {client_id}\nsecret:    {secret}\n({note})"


def run_lifecycle(command: str, client_id: str, grace_hours: float = 0) -> str:
    """Run one client lifecycle command (``rotate-secret`` or a ``LIFECYCLE_COMMANDS``);
    what it prints."""
    if command == "rotate-secret":
        secret = rotate_secret(client_id, grace_hours)
        return credentials_text(client_id, secret, f"the secret is shown only once; the "
                                f"previous one works for {grace_hours:g} more hours")
    if command == "enable-client":
        set_disabled(client_id, False)
        return f"{client_id} enabled"
    ended = {"disable-client": lambda: set_disabled(client_id, True),
             "delete-client": lambda: delete_client(client_id),
             "revoke-tokens": lambda: revoke_tokens(client_id)}[command]()
    done = {"disable-client": "disabled", "delete-client": "deleted",
            "revoke-tokens": "kept"}[command]
    return f"{client_id} {done}; {ended} live token(s) ended"


def _existing(client_id: str) -> ApiClient:
    try:
        return ApiClient.get(client_id, consistent_read=True)
    except ApiClient.DoesNotExist:
        raise ValueError(f"no API client {client_id}") from None


def rotate_secret(client_id: str, grace_hours: float = 0) -> str:
    """A new secret for ``client_id`` (returned once, stored as its digest); the one before
    keeps working for ``grace_hours``. Its tokens stay valid until they expire."""
    if grace_hours < 0:
        raise ValueError("the grace period cannot be negative")
    client = _existing(client_id)
    secret = secrets.token_urlsafe(32)
    keep = [ApiClient.previous_secret_digest.set(client.secret_digest),
            ApiClient.previous_secret_until.set(int(time.time() + grace_hours * 3600))]
    drop = [ApiClient.previous_secret_digest.remove(), ApiClient.previous_secret_until.remove()]
    try:  # against the digest just read: of two rotations at once, one wins
        client.update(actions=[ApiClient.secret_digest.set(digest_of(secret)),
                               *(keep if grace_hours else drop)],
                      condition=ApiClient.secret_digest == client.secret_digest)
    except UpdateError as error:
        if is_conditional_failure(error):
            raise ValueError(f"{client_id} changed meanwhile; rotate again") from None
        raise
    return secret


def set_disabled(client_id: str, disabled: bool) -> int:
    """Disable a client (no call, no new token, and its live tokens end: their count is
    returned) or enable it again (tokens ended stay ended)."""
    client = _existing(client_id)
    client.update(actions=[ApiClient.disabled.set(True) if disabled
                           else ApiClient.disabled.remove()])
    return revoke_tokens(client_id) if disabled else 0


def delete_client(client_id: str) -> int:
    """Remove a client and end its live tokens (their count is returned)."""
    try:
        ApiClient(client_id).delete(condition=ApiClient.client_id.exists())
    except DeleteError as error:
        if is_conditional_failure(error):
            raise ValueError(f"no API client {client_id}") from None
        raise
    return revoke_tokens(client_id)


def revoke_tokens(client_id: str) -> int:
    """End every live token of ``client_id`` at once; the number ended. A token that is
    issued while this runs is a new one (disable the client first to stop those)."""
    ended = 0
    with AccessToken.batch_write() as batch:
        for token in AccessToken.scan(AccessToken.client_id == client_id, consistent_read=True):
            batch.delete(token)
            ended += 1
    return ended


def _check_account(identifier: str) -> None:
    """Refuse to bind a client to an account that does not exist or is not active."""
    from chalicelib.accounts import service as accounts
    from chalicelib.core.errors import ApiError
    try:
        accounts.get_active_account(identifier)
    except ApiError as error:
        raise ValueError(f"account {identifier}: {error.message}") from None


def _create(args) -> str:
    from chalicelib.core import auth
    scopes = [s for s in args.scopes.split(",") if s]
    if args.account:
        _check_account(args.account)
    client_id, secret = auth.create_client(args.name, scopes, args.client_id,
                                           replace=args.replace, account=args.account)
    return credentials_text(client_id, secret, "the secret is shown only once")


def _bind(args) -> str:
    from chalicelib.core import auth
    if bool(args.account) == args.none:
        raise ValueError("name an account, or --none")
    if args.account:
        _check_account(args.account)
    auth.bind_account(args.client_id, args.account)
    return f"{args.client_id} acts for {args.account or 'no account'}"


def _list(args) -> str:
    # A Scan of the small clients table: an operator's command, never a request path.
    rows = [f"{client.client_id}\t{client.name}\t{','.join(sorted(client.scopes or []))}"
            f"\t{client.account or '-'}\t{'disabled' if client.disabled else 'enabled'}"
            f"\tlast used {client.last_used or 'never'}"
            for client in sorted(ApiClient.scan(), key=lambda client: client.client_id)]
    return "\n".join(["id\tname\tscopes\taccount\tstate\tlast used", *rows])


def register(commands) -> None:
    from chalicelib.core import auth
    create = commands.add_parser("create-client", help="create an API client; prints its "
                                                       "secret once")
    create.add_argument("name")
    create.add_argument("--scopes", default="", help="comma-separated: " + ",".join(auth.SCOPES))
    create.add_argument("--id", dest="client_id", help="1 to 128 of A-Z a-z 0-9 . _ -")
    create.add_argument("--replace", action="store_true",
                        help="replace the client that has this id (its secret, scopes, account)")
    create.add_argument("--account", help="the customer account (identifier) it acts for")
    create.set_defaults(run=_create)
    bind = commands.add_parser("bind-account", help="set the customer account a client acts "
                                                    "for (its tickets, events and endpoints)")
    bind.add_argument("client_id")
    bind.add_argument("account", nargs="?")
    bind.add_argument("--none", action="store_true", help="act for no account")
    bind.set_defaults(run=_bind)
    commands.add_parser("list-clients", help="list API clients (never their secrets)"
                        ).set_defaults(run=_list)
    rotate = commands.add_parser("rotate-secret", help="a new secret (printed once); the old "
                                                       "one works for the grace period")
    rotate.add_argument("client_id")
    rotate.add_argument("--grace-hours", type=float, default=0)
    rotate.set_defaults(run=lambda args: run_lifecycle("rotate-secret", args.client_id,
                                                       args.grace_hours))
    for name, text in LIFECYCLE_COMMANDS.items():
        command = commands.add_parser(name, help=text)
        command.add_argument("client_id")
        command.set_defaults(run=lambda args, name=name: run_lifecycle(name, args.client_id))
