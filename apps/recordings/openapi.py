"""Add the recording format's msgspec types to the OpenAPI document."""

import msgspec
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from . import format

PREFIX = "Format"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "index": {"type": "integer"},
                "seq": {"type": "integer"},
                "missing": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "integer"}},
                },
            },
        }
    },
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (ldg_...) from the Extension page.",
        }


def openapi_30(schema):
    """Return a JSON Schema from msgspec in OpenAPI 3.0's dialect.

    3.0 has no ``{"type": "null"}``: an ``anyOf`` with it becomes the other
    branch marked ``nullable``. An empty ``required`` list is not allowed.
    """
    if isinstance(schema, list):
        return [openapi_30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: openapi_30(value) for key, value in schema.items()}
    if schema.get("required") == []:
        del schema["required"]
    branches = schema.get("anyOf")
    if branches and {"type": "null"} in branches:
        rest = [branch for branch in branches if branch != {"type": "null"}]
        del schema["anyOf"]
        if len(rest) == 1 and "$ref" not in rest[0]:
            schema.update(rest[0])
        else:
            schema["anyOf"] = rest
        schema["nullable"] = True
    return schema


def add_format_components(result, generator, request, public):
    """Put the format's types and Error into ``components.schemas``.

    The format's names get a prefix so they cannot collide with the
    serializers' (``FormatRecording`` is the document, ``Recording`` the
    resource).
    """
    (_schemas, components) = msgspec.json.schema_components(
        (format.Recording, format.Batch, format.Finish),
        ref_template="#/components/schemas/" + PREFIX + "{name}",
    )
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in openapi_30(components).items():
        schemas[PREFIX + name] = schema
    schemas["Error"] = ERROR_SCHEMA
    return result
