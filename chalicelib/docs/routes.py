"""/docs: the API documentation page, the specs as JSON and the renderer's files (public).

The page shows one spec at a time, chosen in Swagger UI's top bar (``?spec=cases.json``
opens that one first); its files' URLs are absolute, under the service's base URL, so that
``/docs`` and ``/docs/`` alike find them, and it runs no inline script.
"""
import functools
import json
import pathlib
from html import escape

from chalice import Blueprint, Response

from ..core.errors import ApiError
from ..core.http import base_url

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
SPECS = pathlib.Path(__file__).resolve().parent.parent / "openapi"
ASSET_TYPES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
               "swagger-ui-standalone-preset.js": "text/javascript",
               "docs.js": "text/javascript"}
#: Our own files beside Swagger UI's.
OWN_ASSETS = {"docs.js": pathlib.Path(__file__).resolve().parent / "docs.js"}
#: The specs in the selector's order: the APIs first, then the machinery.
ORDER = ("support_requests", "customers", "properties", "property_relationships",
         "service_requests", "cases", "tmf621", "open311", "desk", "webhooks", "oauth2",
         "docs")
HEADERS = {"Content-Type": "text/html; charset=utf-8",
           "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                                      "style-src 'self' 'unsafe-inline'; object-src 'none'; "
                                      "base-uri 'none'; frame-ancestors 'none'"}

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>servicedesk API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{base}/docs/assets/swagger-ui.css"></head>
<body>
<main id="docs" data-specs="{specs}"></main>
<script src="{base}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{base}/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="{base}/docs/assets/docs.js"></script>
</body>
</html>
"""


@functools.cache
def _specs(base: str) -> list[dict]:
    """[{"name": the API's title, "url", "file"}] of every spec, in ``ORDER``."""
    found = []
    for path in SPECS.glob("*.json"):
        title = json.loads(path.read_text(encoding="utf-8"))["info"]["title"]
        found.append({"name": title.removeprefix("servicedesk - "),
                      "url": f"{base}/docs/specs/{path.name}", "file": path.name})
    rank = {name: place for place, name in enumerate(ORDER)}
    return sorted(found, key=lambda spec: (rank.get(spec["file"][:-5], len(ORDER)),
                                           spec["file"]))


def _page(base: str) -> str:
    return PAGE.format(base=escape(base), specs=escape(json.dumps(_specs(base))))


@functools.cache
def _asset(name: str) -> str:
    if name in OWN_ASSETS:
        return OWN_ASSETS[name].read_text(encoding="utf-8")
    from swagger_ui_bundle import swagger_ui_path  # only when the page is opened
    return (swagger_ui_path / name).read_text(encoding="utf-8")


@blueprint.route("/docs", methods=["GET"])
def show_api_documentation():
    return Response(body=_page(base_url(blueprint.current_request)), headers=HEADERS)


@blueprint.route("/docs/specs/{name}", methods=["GET"])
def get_api_spec(name):
    path = SPECS / name
    if not path.is_file():
        raise ApiError(f"There is no spec named {name}.", status=404)
    return Response(body=json.dumps(json.loads(path.read_text(encoding="utf-8"))),
                    headers={"Content-Type": "application/json"})


@blueprint.route("/docs/assets/{name}", methods=["GET"])
def get_documentation_asset(name):
    return Response(body=_asset(name), headers={"Content-Type": ASSET_TYPES[name]})
