"""Each API's wire format, one module per format behind one small interface, registered by
name: an operation's ``x-error-format`` (its spec's) chooses it, and the pipeline
(core.http) holds no branch per format.

A format says:
- how an error is written (``render_error``: status, headers and body of an ``ApiError``);
- where its clients put a token besides the Authorization header (``token_of``; most put
  none: the CRM-style API's clients send theirs as a parameter, Open311's their API key),
  and which security scheme that token meets (``token_scheme``);
- what a path that no route serves answers (``missing_route``: by default the format's 404,
  or its 405 with ``Allow`` naming the methods the path has);
- which format answers a given path (``for_path``: itself, unless the API's paths name their
  format, as Open311's ``services.json`` and ``services.xml``).

A new API adds a module here that subclasses ``WireFormat`` and registers it.
"""
from typing import Any

from chalice import Response

from ..errors import ApiError

__all__ = ["WireFormat", "register", "of", "FORMATS", "DEFAULT"]

#: name -> format, filled by each module's ``register``.
FORMATS: dict[str, "WireFormat"] = {}
#: What answers when no operation says (a path under no API at all): LEAP's XML, the first.
DEFAULT = "leap"


class WireFormat:
    """The interface; ``name`` is the value of ``x-error-format`` that chooses it."""
    name = ""
    #: The security scheme (of ``core.callers.TOKEN_SCHEMES``) of what ``token_of`` finds.
    token_scheme = ""

    def render_error(self, error: ApiError) -> Response:
        raise NotImplementedError

    def token_of(self, request: Any) -> str | None:
        """A token the request carries outside its Authorization header (None: none)."""
        return None

    def for_path(self, path: str) -> "WireFormat":
        """The format that answers ``path`` (itself, but for an API whose paths name their
        format, as Open311's ``.json`` and ``.xml``)."""
        return self

    def missing_route(self, path: str, method: str, allowed: list[str]) -> Response:
        """The answer to ``method path`` that no operation serves; ``allowed``: the methods
        that the path has (empty: no route has the path)."""
        if not allowed:
            return self.render_error(ApiError(f"There is no resource at {path.split('?')[0]}.",
                                              status=404))
        return self.render_error(ApiError(f"Method {method} is not allowed on {path}.",
                                          status=405, headers={"Allow": ", ".join(allowed)}))


def register(format_class: type[WireFormat]) -> type[WireFormat]:
    """Class decorator: make ``format_class`` the format of its ``name``."""
    FORMATS[format_class.name] = format_class()
    return format_class


def of(operation: Any) -> WireFormat:
    """The wire format of ``operation`` (an ``spec.Operation``; None: the default)."""
    return FORMATS[operation.error_format if operation is not None else DEFAULT]


from . import cases, crm, leap, oauth2, open311, tmf, webhooks  # noqa: E402,F401 - each registers its own
