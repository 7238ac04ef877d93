"""What the OpenAPI document cannot learn from a handler's signature.

Litestar documents a route from its signature, but our handlers read their bodies with
msgspec decoders of their own (``body.py``), answer errors from one exception handler
(``errors.py``) and send some answers as images or HTML. Each route names here what it
takes and what it may answer, so the document at /api/schema is complete enough for a
client generator or a fuzzer (tests/test_schema_fuzz.py) to trust.

The request schemas are msgspec's JSON Schema of the Structs the decoders use: the
document's dialect (OpenAPI 3.1 is JSON Schema 2020-12), so one definition serves both.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
    SecurityScheme,
)
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from schema.kinds import KINDS
from sync.domain.hlc import HLC_PATTERN
from sync.domain.validate import RECORD_ID
from sync.protocol import ErrorBody, Mutation, PushRequest

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
BINARY: dict[str, Any] = {"type": "string", "format": "binary"}

# Every route that needs a login names this; the token comes from POST /api/v1/auth/login.
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
COMPONENTS = Components(security_schemes={"bearer": SecurityScheme(
    type="http", scheme="bearer", description="the token from POST /api/v1/auth/login")})


class RawJSONPlugin(OpenAPISchemaPlugin):
    """A ``msgspec.Raw`` field documented as the JSON type its ``msgspec.Meta`` names.

    A Raw is JSON sent as stored (a pulled record's fields), so its shape is declared in
    the wire Struct with ``extra_json_schema``: msgspec's own schema shows it, but
    Litestar reads only a Meta's title, description and examples from it.
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return field_definition.annotation is msgspec.Raw

    def to_openapi_schema(self, field_definition: FieldDefinition,
                          schema_creator: SchemaCreator) -> Schema:
        declared = msgspec.json.schema(field_definition.raw)
        return Schema(type=OpenAPIType(declared["type"]) if "type" in declared else None)


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The error answers a route may give, each with the contract's error body.

    Every route may answer 400: the gate refuses control characters in any path or query
    before a handler runs. Body-taking routes add 413 (the server's body limit).
    """
    return {status: ResponseSpec(ErrorBody, generate_examples=False,
                                 description=HTTPStatus(status).phrase)
            for status in sorted({400, *statuses})}


def json_body(struct: type[msgspec.Struct]) -> type[Operation]:
    """An operation whose JSON body is ``struct``, as its handler's decoder reads it."""
    return documented(body={"application/json": _inline(msgspec.json.schema(struct))})


def documented(*, body: Mapping[str, dict[str, Any]] | None = None,
               answers: Mapping[int, Mapping[str, dict[str, Any]] | None] | None = None
               ) -> type[Operation]:
    """An Operation class that adds a request body (media type → schema) and replaces the
    content of success answers (status → media type → schema; ``None`` for no body)."""

    # A dataclass again, so that the generated __init__ calls __post_init__.
    @dataclass
    class Documented(Operation):
        def __post_init__(self) -> None:
            if body is not None:
                self.request_body = RequestBody(required=True, content={
                    media_type: OpenAPIMediaType(schema=cast(Schema, schema))
                    for media_type, schema in body.items()})
            for status, content in (answers or {}).items():
                response = (self.responses or {}).get(str(status))
                if not isinstance(response, OpenAPIResponse):
                    continue
                response.content = None if content is None else {
                    media_type: OpenAPIMediaType(schema=cast(Schema, schema))
                    for media_type, schema in content.items()}

    return Documented


def push_operation() -> type[Operation]:
    return documented(body={"application/json": push_schema()})


@cache
def push_schema() -> dict[str, Any]:
    """A push, with each mutation's ``fields`` documented as its kind's (schema/kinds.py).

    A mutation outside these is still answered 200, rejected on its own in ``results``
    (an ``hlc`` must also end in the pushing device's id); only a body that does not
    decode as a push at all is a 400.
    """
    push = _inline(msgspec.json.schema(PushRequest))
    mutation = _inline(msgspec.json.schema(Mutation))
    variants = []
    # What validate.py checks per mutation, from its own patterns.
    mutation["properties"]["hlc"]["pattern"] = HLC_PATTERN.pattern
    mutation["properties"]["record_id"]["pattern"] = RECORD_ID.pattern
    mutation["properties"]["seq"]["minimum"] = 1
    mutation["properties"]["base_version"]["minimum"] = 0
    for name, kind in KINDS.items():
        variant = copy.deepcopy(mutation)
        variant["title"] = f"Mutation ({name})"
        variant["properties"]["kind"] = {"const": name}
        variant["properties"]["fields"] = _inline(msgspec.json.schema(kind))
        variants.append(variant)
    push["properties"]["mutations"]["items"] = {"oneOf": variants}
    return push


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """msgspec's schema with its ``$defs`` references replaced by what they name.

    An operation's schema cannot carry ``$defs`` of its own (a reference resolves from the
    document's root), and none of the request Structs is recursive.
    """
    defs = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return cast(dict[str, Any], resolve(schema))
