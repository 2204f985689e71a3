"""schemathesis hooks for the run over TM Forum's official TMF621 v5.0.1 specification
(``conformance/tmf621/``, unmodified on disk): the one place where the run reads it other
than as written, each change with its reason.

**Six discriminated ``oneOf`` schemas read through their ``@type`` discriminator.**
``AttachmentRefOrValue``, ``PartyRefOrPartyRoleRef`` and their ``_FVO`` and ``_MVO`` forms are
``oneOf`` two schemas that overlap: an ``AttachmentRef`` (an id, a name, a url) is also a valid
``Attachment``, a ``PartyRef`` a valid ``PartyRoleRef``, so JSON Schema's ``oneOf`` (exactly one
branch) refuses every such value, the spec's own examples included
(``TroubleTicket_create_example_response``'s parties). The spec means them to be told apart by
the ``discriminator`` it declares on ``@type`` (OpenAPI 3.0's discriminator, which JSON Schema
validators ignore). So each branch is read as "this branch, with the ``@type`` its mapping
names": ``oneOf: [allOf: [<branch>, {@type: enum [<name>]}], ...]``. Nothing else changes: no
check, no status, no other schema.
"""
import schemathesis

__all__ = ["read_through_discriminators", "DISCRIMINATED"]

TITLE = "Trouble Ticket"
DISCRIMINATED = ("AttachmentRefOrValue", "AttachmentRefOrValue_FVO", "AttachmentRefOrValue_MVO",
                 "PartyRefOrPartyRoleRef", "PartyRefOrPartyRoleRef_FVO",
                 "PartyRefOrPartyRoleRef_MVO")


def read_through_discriminators(document: dict) -> list[str]:
    """Rewrite ``DISCRIMINATED`` in ``document`` (in place); the names rewritten."""
    schemas = document["components"]["schemas"]
    done = []
    for name in DISCRIMINATED:
        schema = schemas[name]
        by_target = {target: kind for kind, target in schema["discriminator"]["mapping"].items()}
        schema["oneOf"] = [{"allOf": [branch, {"type": "object", "required": ["@type"],
                                               "properties": {"@type": {
                                                   "type": "string",
                                                   "enum": [by_target[branch["$ref"]]]}}}]}
                           for branch in schema["oneOf"]]
        done.append(name)
    return done


@schemathesis.hook
def before_load_schema(context, raw_schema: dict) -> None:
    if raw_schema.get("info", {}).get("title") == TITLE:
        read_through_discriminators(raw_schema)
