"""A manifest checked against KServe's InferenceService CRD schema, as a cluster with KServe
checks it when the manifest is applied with strict field validation (`kubectl apply`'s default):
types, formats, enums, required fields, and no field the schema does not know.

The CRD ships in KServe's repository and Helm chart, not on PyPI, so its schema is kept here:
kserve-inferenceservice.schema.json.gz is the `openAPIV3Schema` of serving.kserve.io/v1beta1 in
github.com/kserve/kserve config/crd/full/serving.kserve.io_inferenceservices.yaml (commit
aaac4e294, after v0.20.0), cut to what a predictor-only service reaches: `status` and the
spec's other components (transformer, explainer, canary) left out, so a manifest that used them
would be refused here, never passed unchecked.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = Path(__file__).with_name("kserve-inferenceservice.schema.json.gz")


def closed(schema: Any) -> Any:
    """`schema` with every object that lists its properties closed to other fields, as the API
    server's strict field validation treats a structural schema."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: closed(value) for key, value in schema.items()}
    if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        copy.setdefault("additionalProperties", False)
    return copy


@functools.cache
def validator() -> jsonschema.Draft4Validator:
    # OpenAPI v3's schema objects are JSON Schema draft 4's, with `format` names of their own.
    schema = json.loads(gzip.decompress(SCHEMA.read_bytes()))
    return jsonschema.Draft4Validator(closed(schema), format_checker=jsonschema.FormatChecker())


def crd_problems(manifest: dict[str, Any]) -> list[str]:
    """What the CRD's schema refuses in `manifest`, each as `path: problem`; empty when nothing."""
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator().iter_errors(manifest)
    ]
