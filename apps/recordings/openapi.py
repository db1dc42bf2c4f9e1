"""Add the recording format's msgspec types to the OpenAPI document."""

import msgspec

from . import format

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
                "missing": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "integer"}},
                },
            },
        }
    },
}


def add_format_components(result, generator, request, public):
    """Put Recording, Batch, Finish and Error into ``components.schemas``."""
    (_schemas, components) = msgspec.json.schema_components(
        (format.Recording, format.Batch, format.Finish),
        ref_template="#/components/schemas/{name}",
    )
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(components)
    schemas["Error"] = ERROR_SCHEMA
    return result
