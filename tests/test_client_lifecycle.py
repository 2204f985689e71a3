"""An operator rotates, disables, enables and deletes API clients and ends their tokens, with
ops.admin; each command is then seen over HTTP, in every API that takes a token."""
import json
import re
import time

from chalicelib.core import auth
from ops import admin

from .support import basic

LIST = "/api/v1/requests"
JSON = {"Content-Type": "application/json"}


def _command(capsys, *argv: str) -> str:
    capsys.readouterr()  # what requests before it printed (their metric lines)
    assert admin.main(list(argv)) == 0
    return capsys.readouterr().out


def _client(capsys, *scopes: str) -> tuple[str, str]:
    printed = _command(capsys, "create-client", "Lifecycle", "--scopes", ",".join(scopes))
    return (re.search(r"client id: (\S+)", printed).group(1),
            re.search(r"secret:\s+(\S+)", printed).group(1))


def _tokens(api, client_id: str, secret: str) -> dict:
    """A bearer token (OAuth 2.0) and a CRM login token of the client."""
    bearer = api.post_form("/oauth2/token", "grant_type=client_credentials",
                           auth=basic(client_id, secret)).data["access_token"]
    crm = api.request("POST", "/crmapi/rest/v2/authentication/token", json.dumps({
        "username": client_id, "password": secret, "organisation": "servicedesk"}),
        headers=JSON, auth=None).data["data"]["token"]
    return {"bearer": bearer, "crm": crm}


def _works(api, tokens: dict) -> tuple[bool, bool]:
    """Whether each token is taken: (bearer on a LEAP list, CRM token on a CRM read)."""
    leap = api.get(LIST, auth={"Authorization": f"Bearer {tokens['bearer']}"}).status == 200
    crm = api.get("/crmapi/rest/v2/service_requests/configuration/types/list?token="
                  + tokens["crm"], auth=None).data["status"]["code"] == "OK"
    return leap, crm


def test_a_rotated_secret_replaces_the_old_one_at_once_or_after_its_grace(api, capsys):
    client_id, old = _client(capsys, "requests")
    printed = _command(capsys, "rotate-secret", client_id)
    new = re.search(r"secret:\s+(\S+)", printed).group(1)
    assert new != old and "shown only once" in printed
    assert api.get(LIST, auth=basic(client_id, old)).status == 401
    assert api.get(LIST, auth=basic(client_id, new)).status == 200
    graced = re.search(r"secret:\s+(\S+)", _command(
        capsys, "rotate-secret", client_id, "--grace-hours", "2")).group(1)
    assert api.get(LIST, auth=basic(client_id, new)).status == 200  # within its grace
    assert api.get(LIST, auth=basic(client_id, graced)).status == 200
    stored = auth.ApiClient.get(client_id)
    assert 7100 < stored.previous_secret_until - time.time() <= 7200
    assert new not in str(stored.attribute_values) and graced not in str(stored.attribute_values)
    stored.update(actions=[auth.ApiClient.previous_secret_until.set(int(time.time()) - 1)])
    assert api.get(LIST, auth=basic(client_id, new)).status == 401  # the grace is over
    assert api.get(LIST, auth=basic(client_id, graced)).status == 200


def test_a_disabled_client_is_refused_everywhere_and_its_tokens_end(api, capsys):
    client_id, secret = _client(capsys, "requests", "service-requests")
    tokens = _tokens(api, client_id, secret)
    assert _works(api, tokens) == (True, True)
    printed = _command(capsys, "disable-client", client_id)
    assert printed.strip() == f"{client_id} disabled; 2 live token(s) ended"
    assert _works(api, tokens) == (False, False)
    assert api.get(LIST, auth=basic(client_id, secret)).status == 401
    assert api.post_form("/oauth2/token", "grant_type=client_credentials",
                         auth=basic(client_id, secret)).status == 401
    assert f"{client_id}\tLifecycle\trequests,service-requests\t-\tdisabled\tlast used " in \
        _command(capsys, "list-clients")
    _command(capsys, "enable-client", client_id)
    assert _works(api, tokens) == (False, False)  # ended tokens stay ended
    assert _works(api, _tokens(api, client_id, secret)) == (True, True)


def test_revoking_tokens_ends_every_live_token_of_the_client_only(api, capsys):
    client_id, secret = _client(capsys, "requests", "service-requests")
    mine = [_tokens(api, client_id, secret) for _ in range(3)]
    theirs = _tokens(api, "demo", "demo-secret")
    printed = _command(capsys, "revoke-tokens", client_id)
    assert printed.strip() == f"{client_id} kept; 6 live token(s) ended"
    assert all(_works(api, tokens) == (False, False) for tokens in mine)
    assert _works(api, theirs) == (True, True)
    assert api.get(LIST, auth=basic(client_id, secret)).status == 200  # the secret still works
    assert _works(api, _tokens(api, client_id, secret)) == (True, True)


def test_a_deleted_client_is_gone_with_its_tokens(api, capsys):
    client_id, secret = _client(capsys, "requests", "service-requests")
    tokens = _tokens(api, client_id, secret)
    assert _command(capsys, "delete-client", client_id).strip() == \
        f"{client_id} deleted; 2 live token(s) ended"
    assert _works(api, tokens) == (False, False)
    assert api.get(LIST, auth=basic(client_id, secret)).status == 401
    assert client_id not in _command(capsys, "list-clients")


def test_list_clients_shows_the_last_day_of_use_written_once_a_day(api, capsys):
    client_id, secret = _client(capsys, "requests")
    assert "\tenabled\tlast used never" in _command(capsys, "list-clients")
    for _ in range(3):
        assert api.get(LIST, auth=basic(client_id, secret)).status == 200
    today = time.strftime("%Y-%m-%d", time.gmtime())
    listed = [line for line in _command(capsys, "list-clients").splitlines()
              if line.startswith(client_id)]
    assert listed == [f"{client_id}\tLifecycle\trequests\t-\tenabled\tlast used {today}"]


def test_commands_on_an_unknown_client_say_so(capsys):
    for command in ("rotate-secret", "disable-client", "enable-client", "delete-client"):
        try:
            admin.main([command, "nobody"])
        except SystemExit as exit_:
            assert exit_.code == 2
        assert "no API client nobody" in capsys.readouterr().err
