"""``make run`` for real: the local runner in its own process, spoken to over HTTP."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from local.stack import free_port

from .conftest import ROOT

AUTH = ("demo", "demo-secret")
XML = {"Content-Type": "application/xml"}


def wait_until(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


def runner_environment(port: int, aws_port: int) -> dict:
    """make run's environment, on these ports, with a new (empty) data folder."""
    import tempfile
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SERVICEDESK_", "AWS_"))}
    env.update(PORT=str(port), SERVICEDESK_AWS_PORT=str(aws_port),
               SERVICEDESK_DATA_DIR=tempfile.mkdtemp(prefix="servicedesk-data-"))
    return env


def test_local_runner_serves_the_api_and_sends_email_over_real_http():
    port, aws_port = free_port(), free_port()
    env = runner_environment(port, aws_port)
    process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        wait_until(lambda: requests.get(f"{base}/requests", auth=AUTH, timeout=5).ok, 60)
        created = requests.post(f"{base}/requests", auth=AUTH, headers=XML, timeout=5, data=(
            '<support-request><account identifier="01234574"/><topic identifier="Alarm"/>'
            '<summary>Alarm keeps ringing</summary></support-request>'))
        assert created.status_code == 201
        assert f'ref="http://127.0.0.1:{port}/api/v1/requests/10000001"' in created.text
        updated = requests.post(f"{base}/requests/10000001/updates", auth=AUTH, headers=XML,
                                timeout=5, data="<support-request-update><state>PROBLEM"
                                                "</state></support-request-update>")
        assert updated.status_code == 201 and "<state>PROBLEM</state>" in updated.text
        assert requests.get(f"{base}/requests/10000001", timeout=5).status_code == 401
        unknown = requests.get(f"{base}/nothing/here", auth=AUTH, timeout=5)
        assert unknown.status_code == 404 and "<message>There is no resource" in unknown.text

        def mail():
            data = requests.get(f"http://127.0.0.1:{aws_port}/moto-api/data.json", timeout=5)
            return data.json().get("ses", {}).get("Message")
        [email] = wait_until(mail, 10)
        assert email["destinations"]["ToAddresses"] == ["joe.banks@example.net"]
        assert "is now Problem" in email["subject"]

        # 40 clients at once: every connection is queued and answered, none reset
        def raise_one(n):
            return requests.post(f"{base}/requests", auth=AUTH, headers=XML, timeout=60, data=(
                '<support-request><account identifier="01234574"/><topic identifier="Alarm"/>'
                f'<summary>Burst {n}</summary></support-request>')).status_code
        with ThreadPoolExecutor(40) as pool:
            assert list(pool.map(raise_one, range(40))) == [201] * 40

        with_params = requests.get(f"{base}/requests/10000001;x=1", auth=AUTH, timeout=5)
        assert with_params.status_code == 400 and 'xpath="identifier"' in with_params.text

        for method in ("TRACE", "CONNECT", "BREW"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(method, "/api/v1/requests")
            answer = connection.getresponse()
            assert answer.status == 405 and answer.getheader("Allow") == "GET, POST"
            assert f"<message>Method {method}" in answer.read().decode()
            connection.close()
        wrong = requests.get(f"http://127.0.0.1:{port}/oauth2/token", timeout=5)
        assert wrong.status_code == 405 and wrong.json()["error"] == "invalid_request"
    finally:
        output = _stop(process)
    assert process.returncode == 0, output
    assert "curl -u demo:demo-secret" in output


def test_a_port_in_use_stops_the_runner_at_once_with_one_clear_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for env in (runner_environment(port, free_port()), runner_environment(free_port(), port)):
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "local.run"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=30)
            assert done.returncode != 0 and time.monotonic() - started < 15
            assert f"port {port} on 127.0.0.1 is in use" in done.stderr
            assert "servicedesk is running" not in done.stdout


def test_storage_down_answers_503_with_retry_after_and_recovers_without_a_restart():
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    port, aws_port = free_port(), free_port()
    standin = ThreadedMotoServer(ip_address="127.0.0.1", port=aws_port, verbose=False)
    standin.start()
    env = runner_environment(port, free_port())
    env["SERVICEDESK_AWS_ENDPOINT"] = f"http://127.0.0.1:{aws_port}"
    process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{base}/api/v1/requests", auth=AUTH, timeout=5).ok, 60)
        standin.stop()
        down = requests.get(f"{base}/api/v1/requests", auth=AUTH, timeout=30)
        assert down.status_code == 503 and down.headers["Retry-After"] == "5"
        assert "<message>The service is temporarily unavailable" in down.text
        token = requests.post(f"{base}/oauth2/token", auth=AUTH, timeout=30,
                              data={"grant_type": "client_credentials"})
        assert token.status_code == 503
        assert token.json()["error"] == "temporarily_unavailable"
        crm = requests.post(f"{base}/crmapi/rest/v2/authentication/token", timeout=30, json={
            "username": "demo", "password": "demo-secret", "organisation": "servicedesk"})
        assert crm.status_code == 503  # a fault of ours keeps its status, in the envelope
        assert crm.json()["status"]["code"] == "TEMPORARILY_UNAVAILABLE"
        case_token = requests.post(f"{base}/oauth2/v1/token", timeout=30, json={
            "client_id": "demo", "client_secret": "demo-secret",
            "grant_type": "client_credentials"})
        assert case_token.status_code == 503
        assert case_token.json()["error_code"] == "temporarily_unavailable"
        tickets = requests.get(f"{base}/support/v2/tickets", timeout=30,
                               headers={"Authorization": "Bearer any"})
        assert tickets.status_code == 503 and tickets.headers["Retry-After"] == "5"
        assert tickets.json()[0]["errorCode"] == "EQ-5030001"
        standin = ThreadedMotoServer(ip_address="127.0.0.1", port=aws_port, verbose=False)
        standin.start()
        assert requests.get(f"{base}/api/v1/requests", auth=AUTH, timeout=30).status_code == 200
        # the stream poller lost the stand-in too, and reads again from its checkpoint
        created = requests.post(f"{base}/api/v1/requests", auth=AUTH, headers=XML, timeout=30,
                                data='<support-request><account identifier="01234574"/>'
                                     '<topic identifier="Alarm"/><summary>After the outage'
                                     '</summary></support-request>')
        identifier = created.headers["Location"].rsplit("/", 1)[1]
        assert requests.post(f"{base}/api/v1/requests/{identifier}/updates", auth=AUTH,
                             headers=XML, timeout=30, data="<support-request-update><state>"
                             "PROBLEM</state></support-request-update>").status_code == 201

        def mail():
            data = requests.get(f"http://127.0.0.1:{aws_port}/moto-api/data.json", timeout=5)
            return [m for m in data.json().get("ses", {}).get("Message", [])
                    if f"request {identifier} is now Problem" in m["subject"]]
        assert len(wait_until(mail, 20)) == 1
    finally:
        try:
            output = _stop(process)
        finally:
            standin.stop()
    assert "unhandled error" not in output, output


def _raise(base: str, summary: str, email: str) -> str:
    created = requests.post(f"{base}/api/v1/requests", auth=AUTH, headers=XML, timeout=30,
                            data=('<support-request><account identifier="01234574"/>'
                                  f'<topic identifier="Alarm"/><summary>{summary}</summary>'
                                  f'<email>{email}</email></support-request>'))
    assert created.status_code == 201, created.text
    return created.text.split('identifier="')[1].split('"')[0]


def _emailed_within(stack, base: str, identifier: str, email: str, seconds: float) -> float:
    """Move ``identifier``; how long its e-mail took (fails past ``seconds``)."""
    moved = requests.post(f"{base}/api/v1/requests/{identifier}/updates", auth=AUTH,
                          headers=XML, timeout=30, data="<support-request-update><state>"
                          "PROBLEM</state></support-request-update>")
    assert moved.status_code == 201
    started = time.monotonic()
    wait_until(lambda: any(m["destinations"]["ToAddresses"] == [email]
                           for m in stack.sent_emails()), seconds)
    return time.monotonic() - started


def test_neither_a_long_history_nor_a_poison_record_stalls_the_running_stack():
    """On the stack as make run starts it: 150 comments of 3,000 characters on one request,
    then another request's state change e-mails within 5 s; a record that cannot succeed is
    set aside at once, and the one behind it e-mails within 2 s."""
    from local.stack import LocalStack
    with LocalStack(SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR="0") as stack:
        long = _raise(stack.base, "A long conversation", "long@example.net")
        for n in range(150):
            answer = requests.post(
                f"{stack.base}/api/v1/requests/{long}/updates", auth=AUTH, headers=XML,
                timeout=30, data=f"<support-request-update><comment>{n} {'x' * 2990}"
                                 "</comment></support-request-update>")
            assert answer.status_code == 201
        other = _raise(stack.base, "Behind the long one", "behind@example.net")
        assert _emailed_within(stack, stack.base, other, "behind@example.net", 5) < 5
        wait_until(lambda: len([e for e in stack.scan("servicedesk-events")
                                if e["type"]["S"] == "support_request.commented"]) == 150, 60)
        poisoned = _raise(stack.base, "About to be broken", "poison@example.net")
        last = _raise(stack.base, "Right behind it", "last@example.net")
        stack.wait_until_idle()
        stack.dynamodb().update_item(
            TableName="servicedesk-support-requests", Key={"identifier": {"S": poisoned}},
            UpdateExpression="SET version = :v", ExpressionAttributeValues={":v": {"S": "x"}})
        assert _emailed_within(stack, stack.base, last, "last@example.net", 2) < 2
        [aside] = wait_until(stack.failed_stream_batches, 10)
        assert '"PermanentFailure"' in aside["Body"] and poisoned in aside["Body"]
        assert "stream record set aside" in stack.served_log()


def _stop(process, seconds: float = 120) -> str:
    """Ctrl-C, and what make run printed; a runner that does not stop in time is killed (its
    stand-in stops with it) and the test fails, leaving nothing running."""
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"make run did not stop within {seconds} s:\n{output[-3000:]}") \
            from None
    return output


def test_make_run_keeps_its_data_across_a_restart_and_ops_admin_finds_it():
    port, aws_port = free_port(), free_port()
    env = runner_environment(port, aws_port)
    base = f"http://127.0.0.1:{port}"
    admin_env = {key: value for key, value in os.environ.items()
                 if not key.startswith(("SERVICEDESK_", "AWS_"))}
    admin_env["SERVICEDESK_DATA_DIR"] = env["SERVICEDESK_DATA_DIR"]

    def admin(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ops.admin", *argv], cwd=ROOT,
                              env=admin_env, capture_output=True, text=True, timeout=60)
    outputs = []
    for round_ in (1, 2):
        process = subprocess.Popen([sys.executable, "-m", "local.run"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wait_until(lambda: requests.get(f"{base}/api/v1/requests", auth=AUTH,
                                            timeout=5).ok, 90)
            created = _raise(base, f"Raised in round {round_}", "rounds@example.net")
            listed = requests.get(f"{base}/api/v1/requests", auth=AUTH, timeout=30).text
            if round_ == 1:
                assert admin("add-community", "harbour", "--label", "Harbour").returncode == 0
            else:
                assert "Raised in round 1" in listed and created == "10000002"
                communities = admin("list-communities")
                assert communities.returncode == 0 and "harbour" in communities.stdout
        finally:
            outputs.append(_stop(process))
    assert "(empty: the demo data was seeded)" in outputs[0]
    assert "(restored " in outputs[1] and env["SERVICEDESK_DATA_DIR"] in outputs[1]
    # with nothing running, one line and no traceback
    stopped = admin("list-clients")
    assert stopped.returncode == 1 and "Traceback" not in stopped.stderr
    assert len(stopped.stderr.strip().splitlines()) == 1


def test_a_snapshot_that_fails_half_written_leaves_the_previous_one_whole(tmp_path):
    from local import persistence
    persistence.save({"version": 1, "tables": {"t": [{"id": {"S": "kept"}}]}}, tmp_path)
    with pytest.raises(TypeError):  # json cannot write it: it fails mid-file
        persistence.save({"version": 1, "tables": {"t": [{"id": {"S": "new"}}],
                                                   "u": [object()]}}, tmp_path)
    assert persistence.load(tmp_path)["tables"] == {"t": [{"id": {"S": "kept"}}]}
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]  # no half file left
