"""Concurrent writers: uniqueness holds and no change is lost.

Each thread calls the service layer as one Lambda invocation would (chalice serves one request
per process, so its in-process test client cannot run requests side by side); the writes race
for real against DynamoDB (moto server) through their conditions and transactions.
"""
from concurrent.futures import ThreadPoolExecutor

from chalicelib.core.errors import Conflict
from chalicelib.core.unique_keys import owner_of
from chalicelib.support_requests import service
from chalicelib.support_requests.models import SupportRequest

THREADS = 20


def run_all(function, arguments):
    """Run every call at once; return (results, errors) in the order of ``arguments``."""
    def attempt(argument):
        try:
            return function(argument), None
        except Conflict as error:
            return None, error
    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(attempt, arguments))
    return [r for r, _ in outcomes], [e for _, e in outcomes]


def test_twenty_requests_claiming_one_extid_exactly_one_wins(api):
    requests = [api.raise_request(f"r{n}") for n in range(THREADS)]
    results, errors = run_all(lambda identifier: service.set_extid(identifier, "MAX-1"),
                              requests)
    winners = [r.identifier for r in results if r is not None]
    assert len(winners) == 1
    assert sum(e is not None for e in errors) == THREADS - 1
    assert owner_of("support-request-extid", "MAX-1") == winners[0]
    holders = [i for i in requests if SupportRequest.get(i).extid == "MAX-1"]
    assert holders == winners


def test_twenty_creates_with_one_extid_create_exactly_one_request(api):
    results, errors = run_all(lambda n: service.raise_request(
        "01234574", "Parking", f"r{n}", extid="SAME"), range(THREADS))
    assert sum(r is not None for r in results) == 1
    assert SupportRequest.count() == 1


def test_concurrent_comments_are_all_kept(api):
    identifier = api.raise_request()
    results, errors = run_all(lambda n: service.post_update(
        "agent", identifier, comment=f"comment {n}"), range(THREADS))
    assert errors == [None] * THREADS
    stored = SupportRequest.get(identifier, consistent_read=True)
    assert sorted(u.comment for u in stored.updates()) == sorted(f"comment {n}"
                                                                for n in range(THREADS))
    assert stored.version == THREADS + 1


def test_concurrent_state_changes_are_each_applied_or_refused_never_lost(api):
    identifier = api.raise_request()
    states = ["IN_PROGRESS", "PROBLEM"] * (THREADS // 2)
    results, errors = run_all(lambda state: service.post_update(
        "agent", identifier, state=state), states)
    applied = [state for state, result in zip(states, results, strict=True) if result]
    stored = SupportRequest.get(identifier, consistent_read=True)
    history = [u.state for u in stored.updates()]
    assert sorted(history) == sorted(applied)  # every accepted change is in the history
    assert all("cannot move" in e.message for e in errors if e)  # the rest were refused
    assert all(a != b for a, b in zip(history, history[1:], strict=False))  # real transitions
    assert stored.state == history[-1]


def test_an_acknowledgement_racing_changes_never_clears_one_it_did_not_see(api):
    identifier = api.raise_request()
    seen_versions = []

    def work(n):
        if n % 2:
            return service.post_update("agent", identifier, comment=f"c{n}")
        seen = service.get_request(identifier).version
        seen_versions.append(seen)
        return service.acknowledge([(identifier, seen)], True, False)
    run_all(work, range(THREADS))
    stored = SupportRequest.get(identifier, consistent_read=True)
    newest_seen = max(seen_versions)
    for update in stored.updates():
        if not stored.is_unacked(update):
            assert update.version <= newest_seen
        if update.version > newest_seen:
            assert stored.is_unacked(update)
    if any(u.version > newest_seen for u in stored.updates()):
        assert stored.unacked_since is not None
