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


def cold(statement: str, bytecode_dir: str | None = None) -> float:
    """Median seconds of ``statement`` in fresh interpreters; with ``bytecode_dir``, with
    the bytecode of every module there (written by a first run), as the Lambda package ships
    it (deploy.bytecode)."""
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "1"}
    if bytecode_dir:
        env.pop("PYTHONDONTWRITEBYTECODE")
        env["PYTHONPYCACHEPREFIX"] = bytecode_dir

    def once() -> float:
        return float(subprocess.run([sys.executable, "-c", TIMER.format(statement=statement)],
                                    cwd=ROOT, env=env, capture_output=True, text=True,
                                    check=True).stdout)
    if bytecode_dir:
        once()
    return statistics.median(once() for _ in range(RUNS))


def main() -> None:
    import tempfile
    bare = cold(LIBRARIES)  # the libraries' bytecode was written when they were installed
    with tempfile.TemporaryDirectory() as bytecode_dir:
        app = cold(APP, bytecode_dir)
    print(f"\n## Cold import (median of {RUNS} fresh interpreters)")
    print(f"  bare libraries ({LIBRARIES[7:]}): {bare * 1000:7.1f} ms")
    print(f"  import app, with its bytecode as the package ships it: {app * 1000:7.1f} ms "
          f"({(app / bare - 1) * 100:+.0f}% against the bare libraries; target under +30%)")


#: In a fresh interpreter that sees only the unzipped package (-I: no site-packages, no user
#: environment), import app and answer one request, as a Lambda cold start does.
COLD_START = """
import sys, time
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
import app
imported = time.perf_counter()
event = {"resource": "/docs", "path": "/docs", "httpMethod": "GET", "headers": {},
         "multiValueHeaders": {}, "queryStringParameters": None,
         "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
         "body": None, "isBase64Encoded": False,
         "requestContext": {"resourcePath": "/docs", "httpMethod": "GET", "path": "/api/docs",
                            "requestId": "bench", "identity": {"sourceIp": "192.0.2.1"}}}
assert app.app(event, None)["statusCode"] == 200
print(imported - started, time.perf_counter() - started)
"""


def lambda_package() -> None:
    """The Lambda package's size, and a cold start from its unzipped contents."""
    import pathlib
    import tempfile
    import zipfile

    from deploy import package as packaging
    with tempfile.TemporaryDirectory() as scratch:
        out = pathlib.Path(scratch) / "package"
        packaging.package(out, bytecode=True)  # as make deploy packages it
        archive = out / "deployment.zip"
        with zipfile.ZipFile(archive) as contents:
            unzipped = sum(info.file_size for info in contents.infolist())
            contents.extractall(pathlib.Path(scratch) / "lambda")
        env = {"AWS_DEFAULT_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "1",
               "POWERTOOLS_METRICS_DISABLED": "true", "PATH": os.environ.get("PATH", "")}
        # -B: no bytecode written by the first run for the next (-I ignores
        # PYTHONDONTWRITEBYTECODE): each run sees the package as shipped, as Lambda does.
        runs = [subprocess.run([sys.executable, "-I", "-B", "-c", COLD_START,
                                str(pathlib.Path(scratch) / "lambda")], env=env,
                               capture_output=True, text=True, check=True).stdout.split()
                for _ in range(RUNS)]
        imports = statistics.median(float(run[0]) for run in runs)
        first = statistics.median(float(run[1]) for run in runs)
        print("\n## Lambda package (chalice package)")
        print(f"  deployment.zip: {archive.stat().st_size / 2**20:.1f} MiB "
              f"({unzipped / 2**20:.1f} MiB unzipped; Lambda's limits: 50 and 250)")
        print("  what remains, unzipped (deploy/package.py says what is taken out and why "
              "botocore stays): " + ", ".join(f"{name} {size / 2**20:.1f}"
                                             for name, size in packaging.largest_parts(archive)))
        print(f"  cold start from the unzipped package (median of {RUNS} fresh interpreters, "
              f"this machine's CPU): import app {imports * 1000:.0f} ms, "
              f"+ first request (GET /docs) {first * 1000:.0f} ms (goal: under 1,000 ms)")


if __name__ == "__main__":
    main()
    lambda_package()
