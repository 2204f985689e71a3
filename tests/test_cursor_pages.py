"""Every list pages by cursor: a Link to the next page, bounded reads at any depth, cursors
that are signed and bound to their query, and pages that stay right while the table changes."""
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.counting import install
from chalicelib.core import pages
from chalicelib.core.config import settings
from chalicelib.service_requests.configuration import ConfigurationEntry

from .cases_client import customer
from .test_crm_authentication import login, status
from .test_crm_service_requests import call, create

METER = install()  # counts DynamoDB calls and items read, at botocore's door


def next_path(answer) -> str | None:
    """The path and query of the answer's ``Link: <...>; rel="next"`` (None: none)."""
    link = answer.headers.get("link")
    if link is None:
        return None
    found = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert found, link
    url = urlsplit(found.group(1))
    assert f"{url.scheme}://{url.netloc}" == "http://localhost"  # the configured base URL
    return f"{url.path}?{url.query}"


def identifiers(answer) -> list[str]:
    return [r["identifier"] for r in answer.data.get("support-request", [])]


def walk(api, path: str, read=identifiers, **kw) -> tuple[list, int]:
    """Every item of a list by following its Links; (items, pages)."""
    found, count = [], 0
    while path:
        answer = api.get(path, **kw)
        assert answer.status == 200, answer
        found += read(answer)
        count += 1
        path = next_path(answer)
    return found, count


def test_a_list_walked_by_cursor_holds_every_request_once_while_others_are_added(api):
    first = [api.raise_request(f"request {n}") for n in range(7)]
    page = api.get("/api/v1/requests?limit=3")
    assert identifiers(page) == first[:3] and next_path(page)
    seen = identifiers(page)
    added = api.raise_request("raised while the client pages")
    path = next_path(page)
    while path:
        page = api.get(path)
        seen += identifiers(page)
        path = next_path(page)
    assert seen == first + [added]  # nothing skipped, nothing repeated, the new one last
    last = api.get("/api/v1/requests?limit=8")
    assert identifiers(last) == first + [added] and "link" not in last.headers


def test_an_offset_page_links_to_the_cursor_page_after_it(api):
    made = [api.raise_request(f"request {n}") for n in range(5)]
    page = api.get("/api/v1/requests?limit=2&offset=1")
    assert identifiers(page) == made[1:3]
    following = next_path(page)
    assert "offset" not in parse_qs(urlsplit(following).query)
    assert parse_qs(urlsplit(following).query)["limit"] == ["2"]
    assert identifiers(api.get(following)) == made[3:5]


def test_a_page_by_cursor_reads_limit_plus_one_items_at_any_depth(api):
    for n in range(24):
        api.raise_request(f"request {n}")
    path, reads = "/api/v1/requests/by-topic/Parking?limit=5", []
    while path:
        METER.reset()
        answer = api.get(path)
        reads.append(METER.items_queried)
        path = next_path(answer)
    assert len(reads) == 5 and max(reads) <= 6, reads
    deep = api.get("/api/v1/requests/by-topic/Parking?limit=5&offset=20")
    assert len(identifiers(deep)) == 4 and "link" not in deep.headers


def test_a_forged_edited_or_foreign_cursor_is_a_400_naming_it_and_changes_nothing(api):
    for n in range(3):
        api.raise_request(f"request {n}")
    cursor = parse_qs(urlsplit(next_path(api.get("/api/v1/requests?limit=1"))).query)[
        "cursor"][0]
    payload, tag = cursor.split(".")
    edited = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + tag
    for path in (f"/api/v1/requests?cursor={edited}",
                 "/api/v1/requests?cursor=bm90LWEtY3Vyc29y",
                 f"/api/v1/requests?acked=true&cursor={cursor}",  # other filters
                 f"/api/v1/properties?cursor={cursor}"):  # another list
        answer = api.get(path)
        assert answer.status == 400, (path, answer)
        assert answer.field_errors == [("cursor", "invalid")], answer
    both = api.get(f"/api/v1/requests?offset=1&cursor={cursor}")
    assert both.status == 400 and both.field_errors == [("offset", "invalid")]


def test_customers_and_their_finds_page_by_cursor(api):
    for n in range(3):
        made = api.post_xml("/api/v1/customers", f"""<account><owner>
            <email>pager{n}@example.net</email><password>Pager-Password-{n}1</password>
            <name><family-name>Pager</family-name><given-name>N{n}</given-name></name></owner>
            <additional-fields><field key="crm-identifier">PAGED</field></additional-fields>
            <communities><community>original</community></communities></account>""")
        assert made.status == 201, made
    def read(answer):
        return [x["identifier"] for x in answer.data.get("account", [])]
    accounts, count = walk(api, "/api/v1/customers?limit=1", read=read)
    assert count == 4 and len(set(accounts)) == 4  # the demo account and the three
    assert accounts == read(api.get("/api/v1/customers"))
    found, count = walk(api, "/api/v1/customers/by-additional-field/crm-identifier/PAGED"
                             "?limit=2", read=read)
    assert count == 2 and len(set(found)) == 3 and set(found) < set(accounts)


@pytest.fixture
def token(api):
    return login(api).data["data"]["token"]


def numbers(answer) -> list[str]:
    assert status(answer) == (200, "OK"), answer
    return [item["number"] for item in answer.data["data"]]


def crm_walk(api, token, path: str) -> tuple[list[str], list[int]]:
    """A CRM list by its Links (each Link leaves out the token: the client adds its own)."""
    found, sizes = [], []
    while path:
        answer = call(api, "GET", token, query=path.split("/service_requests/", 1)[1])
        found += numbers(answer)
        sizes.append(len(answer.data["data"]))
        path = next_path(answer)
        assert path is None or "token" not in parse_qs(urlsplit(path).query)
    return found, sizes


def test_a_sparse_combination_of_crm_filters_answers_short_pages_within_its_budget(api, token):
    made = [create(api, token).data["data"]["number"] for _ in range(12)]
    plumbing = create(api, token, category_identifier={"name": "Plumbing"}).data["data"]
    query = ("get_pending?fields_set=number&number_of_results=1&category_identifier="
             "name=Plumbing&accounts_receivable_identifier=number=01234574")
    METER.reset()
    first = call(api, "GET", token, query=query)
    assert numbers(first) == [] and next_path(first), first  # short, with a Link to go on
    assert METER.items_queried <= pages.BUDGET * 1
    found, sizes = crm_walk(api, token, f"/crmapi/rest/v2/service_requests/{query}")
    assert found == [plumbing["number"]] and sizes[0] == 0
    everything, _ = crm_walk(api, token, "/crmapi/rest/v2/service_requests/get_pending?"
                                         "fields_set=number&number_of_results=5")
    assert everything == made + [plumbing["number"]]


def test_crm_cursors_are_bound_to_their_method_and_filters(api, token):
    for _ in range(3):
        create(api, token)
    page = call(api, "GET", token, query="get_pending?fields_set=number&number_of_results=1")
    cursor = parse_qs(urlsplit(next_path(page)).query)["cursor"][0]
    other = call(api, "GET", token, query=f"get_completed?cursor={cursor}")
    assert status(other) == (200, "INVALID_PARAMETER") and "cursor" in \
        other.data["status"]["message"], other


def test_configuration_lists_page_by_cursor(api, token):
    every = [e["id"] for e in call(
        api, "GET", token, query="configuration/statuses/list?number_of_results=100").data["data"]]
    found, path = [], "/crmapi/rest/v2/service_requests/configuration/statuses/list?" \
                       "number_of_results=2"
    while path:
        answer = call(api, "GET", token, query=path.split("/service_requests/", 1)[1])
        found += [e["id"] for e in answer.data["data"]]
        path = next_path(answer)
    assert found == every and len(every) > 2


def test_configuration_is_read_once_per_instance_and_seen_again_after_its_time(api, token):
    call(api, "GET", token, query="configuration/types/list?number_of_results=100")
    METER.reset()
    shown = call(api, "GET", token, query="configuration/types/list?number_of_results=100")
    assert "Query" not in METER.calls  # kept: no read
    fault = next(e for e in shown.data["data"] if e["name"] == "Fault")
    kept_for = settings.configuration_cache_seconds
    settings.configuration_cache_seconds = 0.5
    try:
        # another instance's operator renames the type's description, in the table itself
        entry = ConfigurationEntry.get("type", fault["id"])
        entry.description = "Renamed elsewhere"
        entry.save()
        time.sleep(0.6)
        again = call(api, "GET", token, query="configuration/types/list?number_of_results=100")
        assert next(e for e in again.data["data"] if e["id"] == fault["id"])[
            "description"] == "Renamed elsewhere"
    finally:
        settings.configuration_cache_seconds = kept_for


def test_showing_a_service_request_reads_its_token_and_its_item_only(api, token, streams):
    number = create(api, token).data["data"]["number"]
    # a warm instance, which has read its configuration
    call(api, "GET", token, query="configuration/types/list?number_of_results=100")
    METER.reset()
    shown = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert status(shown) == (200, "OK") and METER.calls == ["GetItem", "GetItem"], METER.calls
    assert shown.data["data"]["accounts_receivable"]["name"] == "Joseph Banks"
    renamed = api.request("PUT", "/api/v1/customers/01234574", """<account><owner><name>
        <family-name>Bankes</family-name><given-name>Joseph</given-name></name></owner>
        </account>""", headers={"Content-Type": "application/xml"})
    assert renamed.status == 201, renamed
    streams.drain()
    again = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert again.data["data"]["accounts_receivable"]["name"] == "Joseph Bankes"


def test_tickets_page_newest_first_by_cursor(api):
    client = customer(api)
    made = [client.new_ticket(description=f"ticket {n}") for n in range(5)]
    found, path = [], "/support/v2/tickets?limit=2"
    while path:
        answer = client.call("GET", path.removeprefix("/support/v2"))
        assert answer.status == 200 and answer.data["hasMore"] == bool(
            answer.headers.get("link")), answer
        found += [t["id"] for t in answer.data["tickets"]]
        path = next_path(answer)
    assert found == list(reversed(made))


def test_a_link_is_a_valid_url_whatever_the_path_holds(api):
    for n in range(3):
        api.raise_request(f"request {n}", topic="Air Conditioning")
    page = api.get("/api/v1/requests/by-topic/Air%20Conditioning?limit=1")
    following = next_path(page)
    assert following.startswith("/api/v1/requests/by-topic/Air%20Conditioning?")
    url = page.headers["link"].split(">")[0]
    assert " " not in url and len(identifiers(api.get(following))) == 1
