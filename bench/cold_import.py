"""Cold import of app.py against the bare import of the libraries it stands on."""
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = 7
LIBRARIES = "import chalice, boto3, pynamodb.models, lxml.etree"
APP = "import app"
TIMER = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"


def cold(statement: str) -> float:
    """Median seconds of ``statement`` in fresh interpreters."""
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "1"}
    times = [float(subprocess.run([sys.executable, "-c", TIMER.format(statement=statement)],
                                  cwd=ROOT, env=env, capture_output=True, text=True,
                                  check=True).stdout) for _ in range(RUNS)]
    return statistics.median(times)


def main() -> None:
    bare = cold(LIBRARIES)
    app = cold(APP)
    print(f"\n## Cold import (median of {RUNS} fresh interpreters)")
    print(f"  bare libraries ({LIBRARIES[7:]}): {bare * 1000:7.1f} ms")
    print(f"  import app:                                   {app * 1000:7.1f} ms "
          f"({(app / bare - 1) * 100:+.0f}% against the bare libraries; target under +30%)")
