"""A manifest checked against the models that KServe's SDK and the Kubernetes client generate
from their APIs' OpenAPI schemas (the schemas the cluster's CRDs and API server use): every
field known to its type, every value of its field's type, every required field given."""

from __future__ import annotations

from typing import Any

import kserve.models
import kubernetes.client.models

SCALARS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "bytes": (str,),  # base64 text in a manifest
    "object": (object,),  # IntOrString, Quantity and free-form fields
    "datetime": (str,),
    "date": (str,),
}


def problems(value: Any, type_name: str, where: str = "") -> list[str]:
    """What is wrong with `value` as an instance of the API type `type_name` (e.g.
    "V1beta1InferenceService"), each as `where.field: problem`; empty when nothing is."""
    if type_name.startswith(("list[", "List[")):  # the generators write both spellings
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        inner = type_name[len("list[") : -1]
        return [found for i, item in enumerate(value) for found in problems(item, inner, f"{where}[{i}]")]
    if type_name.startswith(("dict(", "Dict[")):
        if not isinstance(value, dict):
            return [f"{where}: expected a mapping"]
        inner = type_name[type_name.index(", ") + 2 : -1]
        return [found for key, item in value.items() for found in problems(item, inner, f"{where}.{key}")]
    if type_name in SCALARS:
        expected = SCALARS[type_name]
        wrong = not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected)
        return [f"{where}: expected {type_name}, found {value!r}"] if wrong and type_name != "object" else []
    model = getattr(kserve.models, type_name, None) or getattr(kubernetes.client.models, type_name)
    if not isinstance(value, dict):
        return [f"{where}: expected a {type_name} mapping"]
    fields = {key: attribute for attribute, key in model.attribute_map.items()}
    found = [f"{where}.{key}: no such field in {type_name}" for key in value if key not in fields]
    for key, item in value.items():
        if key in fields:
            found += problems(item, model.openapi_types[fields[key]], f"{where}.{key}")
    try:  # the generated constructor refuses a required field left out (and a bad enum value)
        model(**{fields[key]: item for key, item in value.items() if key in fields})
    except ValueError as error:
        found.append(f"{where}: {error}")
    return found
