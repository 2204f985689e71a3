"""Lists: all, by topic, by topic in a state; paging, the [from, to) window, acknowledgement."""
from urllib.parse import quote

BASE = "/api/v1/requests"


def identifiers(answer) -> list[str]:
    assert answer.status == 200, answer
    return [item["identifier"] for item in answer.data.get("support-request", [])]


def test_list_returns_requests_by_last_update_without_their_updates(api):
    first, second, third = (api.raise_request(f"r{n}") for n in range(3))
    api.update(first, "<comment>bump</comment>")
    answer = api.get(BASE)
    assert identifiers(answer) == [second, third, first]
    assert all("updates" not in item for item in answer.data["support-request"])
    assert answer.text("/l:support-requests/l:support-request/l:updates") is None


def test_empty_list_is_an_empty_document(api):
    answer = api.get(BASE)
    assert answer.status == 200 and identifiers(answer) == []


def test_limit_and_offset_page_through_in_a_stable_order(api):
    created = [api.raise_request(f"r{n}") for n in range(7)]
    pages = [identifiers(api.get(f"{BASE}?limit=3&offset={offset}")) for offset in (0, 3, 6)]
    assert pages == [created[0:3], created[3:6], created[6:7]]
    assert identifiers(api.get(f"{BASE}?offset=7")) == []


def test_date_window_is_half_open_so_consecutive_windows_neither_miss_nor_repeat(api):
    created = [api.raise_request(f"r{n}") for n in range(4)]
    times = [api.get(f"{BASE}/{i}").data["last-update-time"] for i in created]
    cut = quote(times[2])
    early = identifiers(api.get(f"{BASE}?last-update-to={cut}"))
    late = identifiers(api.get(f"{BASE}?last-update-from={cut}"))
    assert early + late == created
    assert created[2] in late and created[2] not in early
    window = identifiers(api.get(f"{BASE}?last-update-from={quote(times[1])}"
                                 f"&last-update-to={cut}"))
    assert window == [r for r, t in zip(created, times, strict=True) if times[1] <= t < times[2]]


def test_dates_with_z_or_offsets_are_accepted(api):
    api.raise_request()
    assert api.get(f"{BASE}?last-update-from=2010-04-06T12:43:17.123Z"
                   f"&last-update-to=2099-12-03T11:11:12.987Z").status == 200
    assert len(identifiers(api.get(f"{BASE}?last-update-from=2010-04-06T22:43:17%2B10:00"))) == 1
    assert identifiers(api.get(f"{BASE}?last-update-to=2010-01-01T00:00:00Z")) == []


def test_window_with_from_after_to_is_empty(api):
    api.raise_request()
    answer = api.get(f"{BASE}?last-update-from=2030-01-01T00:00:00Z"
                     f"&last-update-to=2020-01-01T00:00:00Z")
    assert identifiers(answer) == []


def test_acked_filter_splits_acknowledged_from_unacknowledged(api):
    acked, unacked = api.raise_request("a"), api.raise_request("b")
    api.post_xml(f"{BASE}/acked", f"<acknowledgements><acknowledgement>{acked}"
                                  "</acknowledgement></acknowledgements>")
    assert identifiers(api.get(f"{BASE}?acked=true")) == [acked]
    assert identifiers(api.get(f"{BASE}?acked=false")) == [unacked]
    assert sorted(identifiers(api.get(BASE))) == sorted([acked, unacked])


def test_by_topic_lists_only_that_topic(api):
    parking = api.raise_request(topic="Parking")
    alarm = api.raise_request(topic="Alarm")
    assert identifiers(api.get(f"{BASE}/by-topic/Parking")) == [parking]
    assert identifiers(api.get(f"{BASE}/by-topic/Alarm")) == [alarm]
    assert identifiers(api.get(f"{BASE}/by-topic/Air%20Conditioning")) == []


def test_by_topic_in_state_follows_state_changes(api):
    moving, staying = api.raise_request(), api.raise_request()
    api.update(moving, "<state>IN_PROGRESS</state>")
    assert identifiers(api.get(f"{BASE}/by-topic/Parking/in-state/NEW")) == [staying]
    assert identifiers(api.get(f"{BASE}/by-topic/Parking/in-state/IN_PROGRESS")) == [moving]
    assert identifiers(api.get(f"{BASE}/by-topic/Parking/in-state/IN_PROGRESS?acked=true")) == []
    assert identifiers(api.get(f"{BASE}/by-topic/Parking/in-state/IN_PROGRESS?acked=false")) \
        == [moving]


def test_unknown_topic_gets_404(api):
    assert api.get(f"{BASE}/by-topic/Plumbing").status == 404
    assert api.get(f"{BASE}/by-topic/Plumbing/in-state/NEW").status == 404


def test_invalid_state_in_path_gets_400(api):
    answer = api.get(f"{BASE}/by-topic/Parking/in-state/DONE")
    assert answer.status == 400
    assert answer.field_errors == [("state", "invalid")]


def test_invalid_dates_on_topic_lists_get_400(api):
    assert api.get(f"{BASE}/by-topic/Parking?last-update-from=soon").status == 400
    assert api.get(f"{BASE}/by-topic/Parking/in-state/NEW?last-update-to=x").status == 400
