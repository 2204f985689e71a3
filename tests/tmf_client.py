"""TMF621 as its clients call it: a bearer token from /oauth2/v1/token (as for the Case
Management API, whose tickets these are), then JSON under /tmf-api/troubleTicket/v5."""
import json

from local import demo

from .cases_client import JSON, NOTIFY, CaseClient

BASE = "/tmf-api/troubleTicket/v5"
MERGE = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


def trouble_ticket(**overrides) -> dict:
    """A create body as TMF621 clients write one: a power outage, its reporter e-mailed."""
    body = {"@type": "TroubleTicket", "description": "No power in cage 12.",
            "severity": "Major", "ticketType": "TROUBLE", "name": "Cage 12 dark",
            "troubleTicketCharacteristic": [{"@type": "StringCharacteristic", "name": "code",
                                             "value": "0002-0000"}],
            "relatedEntity": [{"@type": "RelatedEntity", "role": "cage",
                               "entity": {"@type": "EntityRef", "id": "SV5:01:000120"}}],
            "relatedParty": [{"@type": "RelatedPartyRefOrPartyRoleRef", "role": "reporter",
                              "partyOrPartyRole": {
                                  "@type": "PartyRef", "@referredType": "Individual",
                                  "id": "fran", "name": "Fran Kelly",
                                  "contactMedium": [{"mediumType": "email", "characteristic": {
                                      "emailAddress": NOTIFY}}]}}]}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


class TmfClient(CaseClient):
    """One API client of the TMF621 face."""

    def call(self, method: str, path: str, body=None, headers=None):
        raw = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        sent = {**(JSON if body is not None else {}), **(headers or {})}
        return self.api.request(method, BASE + path, raw or b"", headers=sent,
                                auth=self.headers)

    def create(self, body: dict | None = None, **headers):
        return self.call("POST", "/troubleTicket",
                         body if body is not None else trouble_ticket(), headers=headers)

    def new_ticket(self, **overrides) -> str:
        answer = self.create(trouble_ticket(**overrides))
        assert answer.status == 201, answer
        return answer.data["id"]

    def get(self, identifier: str, query: str = ""):
        return self.call("GET", f"/troubleTicket/{identifier}{query}")

    def patch(self, identifier: str, body, media=MERGE, **headers):
        return self.call("PATCH", f"/troubleTicket/{identifier}", body,
                         headers={**media, **headers})

    def list(self, query: str = ""):
        return self.call("GET", f"/troubleTicket{query}")


def tmf_customer(api) -> TmfClient:
    return TmfClient(api, *demo.demo_credentials())


def tmf_desk(api) -> TmfClient:
    return TmfClient(api, *demo.DESK_CREDENTIALS)
