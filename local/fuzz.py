"""``make fuzz``: schemathesis over every spec in ``openapi/`` against the stack as ``make run``
starts it (two such stacks, one per core, each taking half of the specs), a bounded number of
examples per operation, then its stateful phase along the specs' links. Exits non-zero on
any failure: a 5xx, a status, content type, header or body outside the spec, an invalid
request accepted, a wrong answer to an undeclared method, ...

Which checks run where is in ``schemathesis.toml`` (every check, less the exceptions it
explains). Each spec's full report goes to ``build/fuzz/<spec>.log``; the console gets one line
per spec, and the whole report of a spec that failed.
"""
import base64
import os
import pathlib
import re
import subprocess
import sys

import yaml

from .demo import DESK_CREDENTIALS, demo_open311_key
from .stack import DEMO, ROOT, LocalStack

DESK_SCOPE = "cases-operator"

EXAMPLES = os.environ.get("SERVICEDESK_FUZZ_EXAMPLES", "10")
REPORTS = pathlib.Path(ROOT) / "build" / "fuzz"


def _crm_token(base: str) -> str:
    """A login token of the CRM-style API, for its crmToken scheme (schemathesis.toml)."""
    import requests
    answer = requests.post(f"{base}/crmapi/rest/v2/authentication/token", timeout=30, json={
        "username": DEMO[0], "password": DEMO[1], "organisation": "servicedesk"})
    return answer.json()["data"]["token"]


STACKS = 2  # one per core: each stack serves one request at a time, as a Lambda instance


def _bearer_token(base: str, credentials: tuple[str, str] = DEMO) -> str:
    """A bearer token from the Case Management API's token endpoint."""
    import requests
    answer = requests.post(f"{base}/oauth2/v1/token", timeout=30, json={
        "client_id": credentials[0], "client_secret": credentials[1],
        "grant_type": "client_credentials"})
    return answer.json()["access_token"]


def _authorization(stack: LocalStack, document: dict) -> str:
    """The demo client's credentials (the desk's, for a spec that only the desk's scope
    opens: the desk API) in the first scheme the spec takes: HTTP Basic where it may, else
    a bearer token (the Case Management API takes only those)."""
    scopes = {scope for requirement in document.get("security", [])
              for listed in requirement.values() for scope in listed}
    credentials = DESK_CREDENTIALS if scopes == {"desk"} else DEMO
    if "basic" in document.get("components", {}).get("securitySchemes", {}):
        return "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
    return "Bearer " + _bearer_token(stack.base, credentials)


def _desk_only(document: dict) -> list[str]:
    """The operations that only the desk's scope opens (the demo client lacks it)."""
    return [definition["operationId"] for item in document["paths"].values()
            for definition in item.values() if isinstance(definition, dict)
            and definition.get("security") == [{"oauth2": [DESK_SCOPE]}]]


def _schemathesis(stack: LocalStack, env: dict, path: str, base: str, authorization: str,
                  *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(cwd=ROOT, capture_output=True, text=True, env=env, args=[
        os.path.join(os.path.dirname(sys.executable), "schemathesis"), "run", path,
        "--url", base, "--no-color", "-H", f"Authorization: {authorization}",
        "--max-examples", EXAMPLES, "--request-timeout", "30", "--generation-deterministic",
        *options])


class Official:
    """A standard's own specification that a face of ours conforms to, run as it is: where it
    lives in the repository, the face's base path, the schemathesis hooks that say how the run
    reads it (with the reasons), and the checks the standard's conformance asks for."""

    def __init__(self, path: str, base: str, hooks: str, checks: str,
                 *options: str) -> None:
        self.path, self.base, self.hooks, self.checks = path, base, hooks, checks
        self.options = options


#: name -> the official specification, fuzzed beside the hand-written ones.
OFFICIAL = {
    "tmf621-official.yaml": Official(
        "conformance/tmf621/TMF621-Trouble_Ticket-v5.0.1.oas.yaml", "/tmf-api/troubleTicket/v5",
        "local.tmf621_conformance",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,response_headers_conformance",
        # The listener operations are the client's: what a hub posts events to (our hub
        # deliveries are checked against their schemas in tests/test_tmf621_hub.py).
        "--exclude-path-regex", "^/listener/"),
}
#: Hand-written specs whose operations an official run covers with every generated value:
#: their own run leaves out the coverage phase (the longest), for CI's time.
COVERED_BY_OFFICIAL = {"tmf621.yaml": "tmf621-official.yaml"}


def _path_of(name: str) -> str:
    return os.path.join(ROOT, OFFICIAL[name].path if name in OFFICIAL else
                        os.path.join("openapi", name))


def _fuzz_official(stack: LocalStack, env: dict, name: str) -> tuple[str, int, int, str]:
    """schemathesis over an official specification, positive and negative data, with the
    checks it names, as the demo client."""
    official = OFFICIAL[name]
    done = _schemathesis(stack, {**env, "SCHEMATHESIS_HOOKS": official.hooks}, _path_of(name),
                         stack.base + official.base, "Bearer " + _bearer_token(stack.base),
                         "--mode", "all", "--checks", official.checks, *official.options)
    report = done.stdout + done.stderr
    return name, sum(int(n) for n in re.findall(r"(\d+) generated", report)), \
        done.returncode, report


def _fuzz(stack: LocalStack, env: dict, name: str) -> tuple[str, int, int, str]:
    """Run schemathesis over one spec as the demo client, then its desk-only operations as
    the desk; (name, generated requests, exit status, report)."""
    if name in OFFICIAL:
        return _fuzz_official(stack, env, name)
    path = _path_of(name)
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    base = stack.base + document.get("servers", [{"url": "/"}])[0]["url"].rstrip("/")
    phases = ("--phases", "examples,fuzzing,stateful") if name in COVERED_BY_OFFICIAL else ()
    runs = [_schemathesis(stack, env, path, base, _authorization(stack, document), *phases)]
    for operation_id in _desk_only(document):
        runs.append(_schemathesis(stack, env, path, base, "Bearer " + _bearer_token(
            stack.base, DESK_CREDENTIALS), "--include-operation-id", operation_id,
            "--phases", "coverage,fuzzing"))  # alone, it has no links to follow
    report = "".join(done.stdout + done.stderr for done in runs)
    count = sum(int(n) for n in re.findall(r"(\d+) generated", report))
    return name, count, max(done.returncode for done in runs), report


def _worker(specs: list[str]) -> list[tuple[str, int, int, str]]:
    """Fuzz ``specs`` one after another against a stack of their own."""
    with LocalStack() as stack:
        env = {**os.environ, "SERVICEDESK_FUZZ_CRM_TOKEN": _crm_token(stack.base),
               "SERVICEDESK_FUZZ_OPEN311_KEY": demo_open311_key()}
        return [_fuzz(stack, env, name) for name in specs]


#: Seconds each spec's run took in CI (beside the core soak), to share the specs out evenly:
#: a spec's size says little (the official TMF621 spec is 10 times the CRM-style API's and
#: takes as long). A spec not listed counts a second per KB.
MEASURED_SECONDS = {"service_requests.yaml": 300, "tmf621-official.yaml": 280,
                    "customers.yaml": 170, "support_requests.yaml": 80, "cases.yaml": 60,
                    "webhooks.yaml": 40, "property_relationships.yaml": 40,
                    "properties.yaml": 35, "tmf621.yaml": 15, "oauth2.yaml": 10, "open311.yaml": 40,
                    "docs.yaml": 3, "desk.yaml": 30}


def _expected_seconds(name: str) -> float:
    return MEASURED_SECONDS.get(name, os.path.getsize(_path_of(name)) / 1024)


def main() -> int:
    from concurrent.futures import ThreadPoolExecutor
    # SERVICEDESK_FUZZ_SPECS=cases.yaml,oauth2.yaml fuzzes only those.
    chosen = [n for n in os.environ.get("SERVICEDESK_FUZZ_SPECS", "").split(",") if n]
    specs = sorted(name for name in [*os.listdir(os.path.join(ROOT, "openapi")), *OFFICIAL]
                   if name.endswith(".yaml") and (not chosen or name in chosen))
    # The longest runs first, each to the stack with the least to do.
    shares: list[list[str]] = [[] for _ in range(STACKS)]
    loads = [0.0] * STACKS
    for name in sorted(specs, key=lambda n: -_expected_seconds(n)):
        least = loads.index(min(loads))
        shares[least].append(name)
        loads[least] += _expected_seconds(name)
    REPORTS.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(STACKS) as pool:
        results = sorted(result for share in pool.map(_worker, shares) for result in share)
    failed, generated = [], 0
    for name, count, returncode, output in results:
        report = REPORTS / (name.removesuffix(".yaml") + ".log")
        report.write_text(output, encoding="utf-8")
        generated += count
        print(f"{name}: {count} generated requests, {'FAILED' if returncode else 'passed'} "
              f"(report: {report.relative_to(ROOT)})", flush=True)
        if returncode:
            failed.append(name)
            print(output, flush=True)
    print(f"\nfuzzed {len(specs)} specs with {generated} generated requests; with failures: "
          f"{', '.join(failed) or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
