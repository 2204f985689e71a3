"""/docs: the API documentation page, the specs as JSON and the renderer's files (public)."""
import functools
import json
import pathlib

from chalice import Blueprint, Response

from ..core.errors import ApiError

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
SPECS = pathlib.Path(__file__).resolve().parent.parent / "openapi"
ASSET_TYPES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>servicedesk API</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css"></head>
<body>
<h1 style="font-family: sans-serif; margin: 1em 20px">servicedesk API</h1>
{sections}
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script>
for (const section of document.querySelectorAll("section[data-spec]")) {{
  SwaggerUIBundle({{url: "docs/specs/" + section.dataset.spec, domNode: section,
                   displayOperationId: true, docExpansion: "list", deepLinking: false}});
}}
</script>
</body>
</html>
"""


@functools.cache
def _page() -> str:
    names = sorted(path.name for path in SPECS.glob("*.json"))
    return PAGE.format(sections="\n".join(f'<section data-spec="{name}"></section>'
                                          for name in names))


@functools.cache
def _asset(name: str) -> str:
    from swagger_ui_bundle import swagger_ui_path  # only when the page is opened
    return (swagger_ui_path / name).read_text(encoding="utf-8")


@blueprint.route("/docs", methods=["GET"])
def show_api_documentation():
    return Response(body=_page(), headers={"Content-Type": "text/html; charset=utf-8"})


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
