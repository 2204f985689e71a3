"""``make run`` for real: the local runner in its own process, spoken to over HTTP."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

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
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SERVICEDESK_", "AWS_"))}
    env.update(PORT=str(port), SERVICEDESK_AWS_PORT=str(aws_port))
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
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
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
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
        standin.stop()
    assert "unhandled error" not in output, output
