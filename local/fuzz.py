"""``make fuzz``: schemathesis over every spec in ``openapi/`` against the stack as ``make run``
starts it, a bounded number of examples per operation, then its stateful phase along the specs'
links. Exits non-zero on any failure: a 5xx, a status, content type, header or body outside the
spec, an invalid request accepted, a wrong answer to an undeclared method, ...

Which checks run where is in ``schemathesis.toml`` (every check, less the two exceptions it
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

from .stack import DEMO, ROOT, LocalStack

EXAMPLES = os.environ.get("SERVICEDESK_FUZZ_EXAMPLES", "10")
REPORTS = pathlib.Path(ROOT) / "build" / "fuzz"


def _crm_token(base: str) -> str:
    """A login token of the CRM-style API, for its crmToken scheme (schemathesis.toml)."""
    import requests
    answer = requests.post(f"{base}/crmapi/rest/v2/authentication/token", timeout=30, json={
        "username": DEMO[0], "password": DEMO[1], "organisation": "servicedesk"})
    return answer.json()["data"]["token"]


def main() -> int:
    specs = sorted(name for name in os.listdir(os.path.join(ROOT, "openapi"))
                   if name.endswith(".yaml"))
    credentials = base64.b64encode(":".join(DEMO).encode()).decode()
    failed, generated = [], 0
    REPORTS.mkdir(parents=True, exist_ok=True)
    with LocalStack() as stack:
        env = {**os.environ, "SERVICEDESK_FUZZ_CRM_TOKEN": _crm_token(stack.base)}
        for name in specs:
            path = os.path.join(ROOT, "openapi", name)
            with open(path, encoding="utf-8") as handle:
                prefix = yaml.safe_load(handle).get("servers", [{"url": "/"}])[0]["url"]
            done = subprocess.run(cwd=ROOT, capture_output=True, text=True, env=env, args=[
                os.path.join(os.path.dirname(sys.executable), "schemathesis"), "run", path,
                "--url", stack.base + prefix.rstrip("/"), "--no-color",
                "-H", f"Authorization: Basic {credentials}", "--max-examples", EXAMPLES,
                "--request-timeout", "30", "--generation-deterministic"])
            report = REPORTS / (name.removesuffix(".yaml") + ".log")
            report.write_text(done.stdout + done.stderr, encoding="utf-8")
            count = sum(int(n) for n in re.findall(r"(\d+) generated", done.stdout))
            generated += count
            print(f"{name}: {count} generated requests, "
                  f"{'FAILED' if done.returncode else 'passed'} (report: "
                  f"{report.relative_to(ROOT)})", flush=True)
            if done.returncode:
                failed.append(name)
                print(done.stdout + done.stderr, flush=True)
    print(f"\nfuzzed {len(specs)} specs with {generated} generated requests; with failures: "
          f"{', '.join(failed) or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
