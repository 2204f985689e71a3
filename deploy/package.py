"""The Lambda package: ``chalice package --merge-template``, then what no request reads taken
out, then (for a deployment) bytecode added.

Taken out:
- Swagger UI's files but the two that ``/docs`` serves (its source maps alone are 11 MiB);
- botocore's models of the 440-odd AWS services that the code never calls (``SERVICES``
  lists those it does; a test holds the list to the code), and every service's examples;
- lxml's C sources and headers, and its modules that nothing imports (objectify, html,
  isoschematron: the code uses ``lxml.etree`` alone);
- jinja2 and markupsafe, which swagger-ui-bundle requires for a template nothing renders;
- every ``*.map``, ``*.pyi`` and ``py.typed`` (for debuggers and type checkers).

Kept: botocore itself, though the Lambda runtime has its own. The runtime's version is
whatever AWS ships that month, while the tests, the stand-in and the bench run ours (pinned
through PynamoDB's requirement); keeping it makes what is deployed the thing that was tested,
and with only its models of the services called it is a few MiB. ``make bench`` prints what
remains, largest first.

``make run``, the tests and the bench create their stand-in stack from this same package
(local.cloudformation), and ``make deploy`` ships it (deploy.stage).
"""
import fcntl
import json
import os
import pathlib
import subprocess
import sys
import zipfile

__all__ = ["package", "trim", "ROOT", "MERGE_TEMPLATE", "largest_parts"]

ROOT = pathlib.Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / ".chalice" / "resources.json"
#: The files of Swagger UI that /docs serves (chalicelib.docs.routes.ASSET_TYPES).
SERVED_SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css",
                        "swagger-ui-standalone-preset.js")
#: The AWS services that chalicelib and app.py call (clients.client("...") and PynamoDB's).
SERVICES = ("dynamodb", "kms", "s3", "ses", "sns", "sqs")
_DEAD_SUFFIXES = (".map", ".pyi", "py.typed", ".pyx", ".pxd", ".pxi", ".h", ".c")
_DEAD_PARTS = ("lxml/includes/", "lxml/objectify", "lxml/html/", "lxml/isoschematron/",
               "jinja2/", "markupsafe/")


def _is_dead(name: str) -> bool:
    path = pathlib.PurePosixPath(name)
    if name.endswith(_DEAD_SUFFIXES) or name.startswith(_DEAD_PARTS):
        return True
    if name.startswith("swagger_ui_bundle/vendor/"):
        return path.name not in SERVED_SWAGGER_FILES
    if name.startswith("botocore/data/") and len(path.parts) > 3:  # data/<service>/<version>/
        return path.parts[2] not in SERVICES or path.name.startswith("examples-")
    return False


def trim(archive: pathlib.Path) -> int:
    """Rewrite ``archive`` without what no request reads; the bytes of what was taken out."""
    kept = archive.with_suffix(".trimmed")
    removed = 0
    with zipfile.ZipFile(archive) as source, \
            zipfile.ZipFile(kept, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if _is_dead(info.filename):
                removed += info.file_size
                continue
            target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
    kept.replace(archive)
    return removed


def largest_parts(archive: pathlib.Path, count: int = 8) -> list[tuple[str, int]]:
    """The top-level directories (or files) of ``archive`` by unzipped size, largest first."""
    sizes: dict[str, int] = {}
    with zipfile.ZipFile(archive) as contents:
        for info in contents.infolist():
            top = info.filename.split("/", 1)[0]
            sizes[top] = sizes.get(top, 0) + info.file_size
    return sorted(sizes.items(), key=lambda item: -item[1])[:count]


def package(out_dir: pathlib.Path, stage: str = "dev", bytecode: bool = False) -> dict:
    """``chalice package --merge-template`` into ``out_dir``, trimmed; the SAM template it
    wrote. ``bytecode``: compile the package's modules too (deploy.bytecode), as a deployment
    does; the stand-in runs no Lambda code, so it need not wait for that."""
    chalice = os.path.join(os.path.dirname(sys.executable), "chalice")
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    # chalice keeps the dependencies it built in .chalice/deployments and reads them back: two
    # packagers at once (CI's soak beside the fuzzer's stacks) would read a half-written one
    with open(ROOT / ".chalice" / "package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run([chalice, "package", "--stage", stage, "--merge-template",
                               str(MERGE_TEMPLATE), str(out_dir)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"chalice package failed:\n{done.stdout}{done.stderr}")
    trim(out_dir / "deployment.zip")
    if bytecode:
        from .bytecode import add_bytecode
        add_bytecode(out_dir / "deployment.zip")
    return json.loads((out_dir / "sam.json").read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    """``python -m deploy.package OUT_DIR [STAGE]``: what ``make package`` builds."""
    out = pathlib.Path(argv[0])
    package(out, argv[1] if len(argv) > 1 else "dev", bytecode=True)
    print(f"wrote {out / 'deployment.zip'} and {out / 'sam.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
