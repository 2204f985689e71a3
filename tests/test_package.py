"""The Lambda artifact carries what validation needs, and nothing from development."""
import pathlib
import re
import subprocess
import sys
import zipfile

from deploy.package import SERVICES

from .conftest import ROOT

CHECK = """
import sys
sys.path.insert(0, sys.argv[1])
import app
from chalicelib.core import spec, validation
from chalicelib.core.errors import BadRequest

class Request:
    uri_params = {"identifier": "10000001"}
    query_params = {}
    headers = {"content-type": "application/xml"}
    raw_body = b"<support-request-update><state>DONE</state></support-request-update>"

operation = spec.find_operation("/api/v1/requests/{identifier}/updates", "POST")
try:
    validation.validate_request(operation, Request())
except BadRequest as error:
    print([(f.xpath, f.hint) for f in error.field_errors])
"""


def test_packaged_lambda_validates_requests_from_its_own_contents(tmp_path):
    from deploy.package import package
    package(tmp_path / "out")  # as make deploy and the stand-in package it
    archive = zipfile.ZipFile(tmp_path / "out" / "deployment.zip")
    names = set(archive.namelist())
    assert {"chalicelib/openapi/support_requests.json", "chalicelib/openapi/oauth2.json",
            "app.py"} <= names
    # what no request reads is taken out: Swagger UI but the three files /docs serves, maps
    swagger = {n.rsplit("/", 1)[1] for n in names if n.startswith("swagger_ui_bundle/vendor/")}
    assert swagger == {"swagger-ui-bundle.js", "swagger-ui.css",
                       "swagger-ui-standalone-preset.js"}
    assert not any(n.endswith((".map", ".pyi")) or n.startswith(("jinja2/", "lxml/html/"))
                   for n in names)
    services = {n.split("/")[2] for n in names if n.startswith("botocore/data/") and
                n.count("/") > 3}
    assert services == set(SERVICES)
    assert not any(n.startswith(("moto/", "pytest", "yaml/", "openapi_spec_validator/", "local/",
                                 "tests/", "ops/", "bench/")) for n in names)
    archive.extractall(tmp_path / "lambda")
    # -I: no site-packages, no environment, no current directory; only the artifact.
    answer = subprocess.run([sys.executable, "-I", "-c", CHECK, str(tmp_path / "lambda")],
                            env={"AWS_DEFAULT_REGION": "us-east-1"}, capture_output=True,
                            text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "[('/support-request-update/state', 'invalid')]"


def test_the_package_keeps_the_model_of_every_aws_service_the_code_calls():
    called = set()
    root = pathlib.Path(ROOT)
    for path in [root / "app.py", *(root / "chalicelib").rglob("*.py")]:
        called |= set(re.findall(r"""client\(["']([a-z0-9-]+)["']""", path.read_text()))
    assert called | {"dynamodb"} == set(SERVICES)  # DynamoDB: PynamoDB's client


def test_bytecode_added_to_a_package_is_what_a_fresh_interpreter_runs(tmp_path):
    from deploy.bytecode import add_bytecode
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("greeting.py", "WORD = 'compiled'\n")
        package.writestr("legacy.py", "print 'a Python 2 file that is never imported'\n")
    assert add_bytecode(archive) == 1 and add_bytecode(archive) == 0  # once only
    unzipped = tmp_path / "lambda"
    zipfile.ZipFile(archive).extractall(unzipped)
    # The bytecode is used without looking at the source: change the source, keep its size.
    (unzipped / "greeting.py").write_text("WORD = 'xsources'\n")
    done = subprocess.run([sys.executable, "-I", "-c", "import sys; sys.path.insert(0, "
                           f"{str(unzipped)!r}); import greeting; print(greeting.WORD)"],
                          capture_output=True, text=True, check=True,
                          env={"PYTHONDONTWRITEBYTECODE": "1"})
    assert done.stdout.strip() == "compiled"
