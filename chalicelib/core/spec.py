"""The OpenAPI documents as the runtime's index of operations.

``openapi/*.yaml`` are the hand-written contracts; ``make specs`` copies each into
``chalicelib/openapi/*.json`` so that the Lambda package carries them and the runtime never
parses YAML. The index is built on first use, not at import, to keep cold starts short.
"""
import json
import os
import re
from functools import cache

__all__ = ["Operation", "find_operation", "operations", "resolver", "SPEC_DIR", "methods_of",
           "route_of"]

SPEC_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "openapi")



class Operation:
    """One (path, method) of a spec, with what the HTTP pipeline needs to serve it."""

    def __init__(self, api: str, document: dict, path: str, method: str, definition: dict) -> None:
        self.api = api
        self.document = document
        self.path = path
        self.method = method
        self.definition = definition
        self.operation_id = definition["operationId"]
        # An operation may speak another format than its document (the Case Management API's
        # token endpoint lives beside /oauth2/token but answers errors as that API does).
        self.error_format = definition.get("x-error-format",
                                           document.get("x-error-format", "leap"))
        self.parameters = definition.get("parameters", []) + document["paths"][path].get(
            "parameters", [])
        requirements = definition.get("security", document.get("security", []))
        # Any one requirement object may be met; each names the scopes it needs.
        self.security = [dict(requirement) for requirement in requirements]

    def resolve(self, schema: dict) -> dict:
        return resolver(self.api)(schema)

    def credential_parameters(self) -> set[str]:
        """Query parameters that carry credentials (apiKey schemes ``in: query``, such as the
        CRM API's ``token``): allowed beside the declared parameters."""
        schemes = self.document.get("components", {}).get("securitySchemes", {})
        return {schemes[name]["name"] for requirement in self.security for name in requirement
                if schemes.get(name, {}).get("type") == "apiKey"
                and schemes[name].get("in") == "query"}

    def _response(self, status: int) -> dict | None:
        responses = self.definition.get("responses", {})
        return responses.get(str(status)) or (responses.get("default") if status >= 400 else None)

    def response_schema(self, status: int, media_type: str) -> dict | None:
        response = self._response(status)
        if response is None:
            return None
        content = self.resolve(response).get("content", {})
        entry = content.get(media_type) or next(iter(content.values()), None)
        return None if entry is None else self.resolve(entry.get("schema", {}))

    def response_media_type(self, status: int) -> str | None:
        content = self.resolve(self._response(status) or {}).get("content", {})
        return next(iter(content), None)


@cache
def _documents() -> dict[str, dict]:
    documents = {}
    for filename in sorted(os.listdir(SPEC_DIR)):
        if filename.endswith(".json"):
            with open(os.path.join(SPEC_DIR, filename), encoding="utf-8") as handle:
                documents[filename[:-5]] = json.load(handle)
    return documents


@cache
def resolver(api: str):
    """A function that follows local ``$ref`` pointers of ``api``'s document."""
    document = _documents()[api]

    def resolve(schema: dict) -> dict:
        # Keywords beside a $ref (an ``xml`` hint, a description) refine its target.
        beside: dict = {}
        while isinstance(schema, dict) and "$ref" in schema:
            beside = {**{k: v for k, v in schema.items() if k != "$ref"}, **beside}
            node = document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return {**schema, **beside} if beside else schema
    return resolve


@cache
def operations() -> dict[tuple[str, str], Operation]:
    """(route path as chalice declares it, HTTP method) -> Operation, over every spec."""
    index = {}
    for api, document in _documents().items():
        prefix = document.get("servers", [{"url": ""}])[0]["url"].rstrip("/")
        for path, item in document["paths"].items():
            for method, definition in item.items():
                if method in ("get", "put", "post", "delete", "patch"):
                    index[(prefix + path, method.upper())] = Operation(
                        api, document, path, method.upper(), definition)
    return index


def find_operation(route_path: str, method: str) -> Operation | None:
    return operations().get((route_path, method.upper()))


def methods_of(route_path: str) -> list[str]:
    return sorted(method for path, method in operations() if path == route_path)


@cache
def _route_patterns() -> list[tuple[re.Pattern, str]]:
    # Static segments first, as chalice matches them before a {parameter}.
    routes = {path for path, _ in operations()}
    return [(re.compile("^" + re.sub(r"{[^}]+}", "[^/]+", route) + "/?$"), route)
            for route in sorted(routes, key=lambda route: (route.count("{"), route))]


def route_of(path: str) -> str | None:
    """The route (as chalice declares it) that serves a request path, or None."""
    path = path.split("?")[0]
    return next((route for pattern, route in _route_patterns() if pattern.match(path)), None)


def api_operation_of(path: str) -> Operation | None:
    """An operation of the API whose own base path (its spec's server URL, such as
    ``/crmapi/rest/v2``) starts ``path``: its error format answers a path that no route has."""
    path = path.split("?")[0]
    for operation in operations().values():
        prefix = operation.document.get("servers", [{"url": "/"}])[0]["url"].rstrip("/")
        if prefix and path.startswith(prefix + "/"):
            return operation
    return None
