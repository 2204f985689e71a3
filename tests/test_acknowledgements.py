"""Acknowledgements: what they clear, all or nothing, and never a change they did not see."""
BASE = "/api/v1/requests"


def ack(api, *references, attributes="", path="acked"):
    items = "".join(f"<acknowledgement{extra}>{ref}</acknowledgement>"
                    for ref, extra in (r if isinstance(r, tuple) else (r, "") for r in references))
    return api.post_xml(f"{BASE}/{path}",
                        f"<acknowledgements {attributes}>{items}</acknowledgements>")


def test_ack_clears_the_request_and_all_its_updates(api):
    identifier = api.raise_request()
    api.update(identifier, "<comment>one</comment>")
    answer = ack(api, identifier)
    assert answer.status == 204
    request = api.get(f"{BASE}/{identifier}").data
    assert "unacked-since" not in request
    assert all("unacked-since" not in update for update in request["updates"])


def test_ack_does_not_change_last_update_time(api):
    identifier = api.raise_request()
    before = api.get(f"{BASE}/{identifier}").data["last-update-time"]
    ack(api, identifier)
    assert api.get(f"{BASE}/{identifier}").data["last-update-time"] == before


def test_acknowledge_updates_false_leaves_the_updates_flagged(api):
    identifier = api.raise_request()
    api.update(identifier, "<comment>one</comment>")
    assert ack(api, identifier, attributes='acknowledgeUpdates="false"').status == 204
    request = api.get(f"{BASE}/{identifier}").data
    assert "unacked-since" not in request
    assert "unacked-since" in request["updates"][0]


def test_the_seed_misspelling_of_acknowledge_updates_is_accepted(api):
    identifier = api.raise_request()
    api.update(identifier, "<comment>one</comment>")
    assert ack(api, identifier, attributes='acknowlegdeUpdates="false"').status == 204
    assert "unacked-since" in api.get(f"{BASE}/{identifier}").data["updates"][0]


def test_seed_example_acknowledgements_document_is_accepted_as_written(api):
    first, second = api.raise_request(), api.raise_request()
    assert first == "10000001" and second == "10000002"
    answer = api.post_xml(f"{BASE}/acked", '<acknowledgements acknowlegdeUpdates="true"> '
                          '<acknowledgement>10000001</acknowledgement> '
                          '<acknowledgement>10000002</acknowledgement> </acknowledgements>')
    assert answer.status == 204
    assert api.get(f"{BASE}?acked=false").data == {}


def test_ack_by_extid(api):
    identifier = api.raise_request()
    api.post_form(f"{BASE}/{identifier}/extid", "extid=MAX-1234")
    assert ack(api, "MAX-1234", path="external/acked").status == 204
    assert "unacked-since" not in api.get(f"{BASE}/{identifier}").data


def test_unknown_id_gets_404_naming_it_and_nothing_is_acknowledged(api):
    identifier = api.raise_request()
    answer = ack(api, identifier, "99999999")
    assert answer.status == 404
    assert "99999999" in answer.message
    assert "unacked-since" in api.get(f"{BASE}/{identifier}").data


def test_unknown_extid_gets_404_naming_it(api):
    answer = ack(api, "NOPE", path="external/acked")
    assert answer.status == 404 and "NOPE" in answer.message


def test_a_change_after_the_version_the_client_saw_stays_unacknowledged(api):
    identifier = api.raise_request()
    seen = api.get(f"{BASE}/{identifier}").data
    api.update(identifier, "<comment>arrived after the read</comment>")  # lands before the ack
    assert ack(api, (identifier, f' version="{seen["version"]}"')).status == 204
    request = api.get(f"{BASE}/{identifier}").data
    [update] = request["updates"]
    assert "unacked-since" in update
    assert request["unacked-since"] == update["unacked-since"]
    assert request["identifier"] in [r["identifier"] for r in
                                     api.get(f"{BASE}?acked=false").data["support-request"]]


def test_ack_with_the_current_version_clears_everything(api):
    identifier = api.raise_request()
    api.update(identifier, "<comment>seen</comment>")
    version = api.get(f"{BASE}/{identifier}").data["version"]
    ack(api, (identifier, f' version="{version}"'))
    request = api.get(f"{BASE}/{identifier}").data
    assert "unacked-since" not in request and "unacked-since" not in request["updates"][0]


def test_the_same_request_named_twice_is_acknowledged_once(api):
    identifier = api.raise_request()
    assert ack(api, identifier, identifier).status == 204
    assert "unacked-since" not in api.get(f"{BASE}/{identifier}").data


def test_a_change_after_an_ack_flags_the_request_again(api):
    identifier = api.raise_request()
    ack(api, identifier)
    api.update(identifier, "<comment>new</comment>")
    request = api.get(f"{BASE}/{identifier}").data
    assert request["unacked-since"] == request["updates"][0]["update-time"]


def test_empty_or_oversized_acknowledgements_get_400(api):
    assert api.post_xml(f"{BASE}/acked", "<acknowledgements/>").status == 400
    many = "".join(f"<acknowledgement>{n}</acknowledgement>" for n in range(101))
    answer = api.post_xml(f"{BASE}/acked", f"<acknowledgements>{many}</acknowledgements>")
    assert answer.status == 400
    assert answer.field_errors == [("/acknowledgements/acknowledgement", "invalid")]


def test_invalid_flag_or_version_gets_400_naming_it(api):
    identifier = api.raise_request()
    answer = ack(api, identifier, attributes='acknowledgeUpdates="maybe"')
    assert answer.field_errors == [("/acknowledgements/@acknowledgeUpdates", "invalid")]
    answer = ack(api, (identifier, ' version="x"'))
    assert answer.field_errors == [("/acknowledgements/acknowledgement[1]/@version", "invalid")]
