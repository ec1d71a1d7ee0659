"""The Open Inference Protocol v2 (KServe V2 REST) on the wire: an inference request's tensors
read from JSON or from the binary tensor data extension, and a response written either way.

The extension is what the standard clients (tritonclient) send by default: the body starts with
the JSON request, `Inference-Header-Content-Length` bytes long, followed by the tensors whose
`parameters.binary_data_size` says how many bytes each takes, in the order of `inputs`.
A BYTES tensor's elements are each a 4-byte little-endian length and the bytes.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import UserError

HEADER_LENGTH = "Inference-Header-Content-Length"
NUMBER_TYPES: dict[str, type[np.generic]] = {
    "BOOL": np.bool_,
    "UINT8": np.uint8,
    "UINT16": np.uint16,
    "UINT32": np.uint32,
    "UINT64": np.uint64,
    "INT8": np.int8,
    "INT16": np.int16,
    "INT32": np.int32,
    "INT64": np.int64,
    "FP16": np.float16,
    "FP32": np.float32,
    "FP64": np.float64,
}
DATATYPES = [*NUMBER_TYPES, "BYTES"]
REQUEST_FIELDS = {"id", "parameters", "inputs", "outputs"}
INPUT_FIELDS = {"name", "shape", "datatype", "parameters", "data"}
OUTPUT_FIELDS = {"name", "parameters"}


@dataclass(frozen=True)
class Tensor:
    """A named tensor: numbers as a NumPy array of its datatype, BYTES as an object array of
    `bytes`, in its shape."""

    name: str
    datatype: str
    data: np.ndarray

    @property
    def shape(self) -> list[int]:
        return [int(side) for side in self.data.shape]


@dataclass(frozen=True)
class InferRequest:
    inputs: list[Tensor]
    id: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    # The outputs asked for (all when None), and whether each is wanted as binary data.
    outputs: dict[str, bool] | None = None

    @property
    def binary_output(self) -> bool:
        """Binary for the outputs not named in `outputs` (tritonclient's default)."""
        return self.parameters.get("binary_data_output") is True


def read_request(body: bytes, header_length: str | None) -> InferRequest:
    """The request in `body`; `header_length`: the Inference-Header-Content-Length header."""
    json_length = len(body) if header_length is None else parse_length(header_length, len(body))
    request = json_object(body[:json_length], "the inference request", constants=True)
    unknown_fields(request, REQUEST_FIELDS, "the request")
    inputs = request.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise UserError(
            'the request needs "inputs": a list of tensors (name, shape, datatype, data)'
        )
    binary = memoryview(body)[json_length:]
    tensors, used = [], 0
    for item in inputs:
        tensor, size = read_tensor(item, binary[used:])
        tensors.append(tensor)
        used += size
    if used != len(binary):
        raise UserError(
            f"the body has {len(binary)} bytes of binary tensor data after the JSON header; "
            f"the inputs' binary_data_size add up to {used}"
        )
    names = [tensor.name for tensor in tensors]
    if len(set(names)) != len(names):
        raise UserError(f"an input is given twice: {', '.join(names)}")
    request_id = request.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise UserError('"id" must be a string')
    return InferRequest(
        inputs=tensors,
        id=request_id,
        parameters=parameters_of(request, "the request"),
        outputs=requested_outputs(request.get("outputs")),
    )


def parse_length(header: str, body_length: int) -> int:
    if not header.strip().isdigit() or int(header) > body_length:
        raise UserError(
            f"{HEADER_LENGTH}: {header!r} is not the length of the JSON part of the body "
            f"(a whole number of bytes, at most the body's {body_length})"
        )
    return int(header)


def json_object(text: bytes | memoryview, what: str, constants: bool = False) -> dict[str, Any]:
    """`text` read as a JSON object. NaN and Infinity are not JSON, but the standard V2 client
    writes them in JSON tensors (`constants`); elsewhere a missing value is sent as null."""
    try:
        value = json.loads(bytes(text), parse_constant=float if constants else refuse_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise UserError(f"{what} is not valid JSON here: it is nested too deeply") from None
    if not isinstance(value, dict):
        raise UserError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number (send a missing value as null)")


def unknown_fields(item: dict[str, Any], known: set[str], what: str) -> None:
    extra = sorted(set(item) - known)
    if extra:
        raise UserError(
            f"{what} has unknown field(s) {', '.join(extra)}; expected: {', '.join(sorted(known))}"
        )


def parameters_of(item: dict[str, Any], what: str) -> dict[str, Any]:
    parameters = item.get("parameters", {})
    if not isinstance(parameters, dict):
        raise UserError(f'"parameters" of {what} must be a JSON object')
    return parameters


def read_tensor(item: Any, binary: memoryview) -> tuple[Tensor, int]:
    """One input tensor, and how many bytes of the binary data it took."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise UserError('each input must be an object with a "name", "shape", "datatype" and data')
    name = item["name"]
    what = f"input {name!r}"
    unknown_fields(item, INPUT_FIELDS, what)
    shape, datatype = item.get("shape"), item.get("datatype")
    if not isinstance(shape, list) or not all(is_size(side) for side in shape):
        raise UserError(f"{what}: shape must be a list of whole numbers >= 0, not {shape!r}")
    if datatype not in DATATYPES:
        raise UserError(f"{what}: datatype {datatype!r} is not one of {', '.join(DATATYPES)}")
    count = math.prod(shape)
    size = parameters_of(item, what).get("binary_data_size")
    if size is not None:
        if "data" in item:
            raise UserError(f"{what} has both data and binary_data_size; send one")
        if not is_size(size) or size > len(binary):
            raise UserError(
                f"{what}: binary_data_size {size!r} is more than the {len(binary)} bytes left"
            )
        return Tensor(
            name, datatype, from_bytes(binary[:size], datatype, count, what).reshape(shape)
        ), size
    if "data" not in item:
        raise UserError(f'{what} has no "data" (nor a binary_data_size parameter)')
    return Tensor(name, datatype, from_json(item["data"], datatype, count, what).reshape(shape)), 0


def is_size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def flatten(data: Any) -> list[Any]:
    """Row-major elements of nested lists (the protocol allows flat or nested data)."""
    if not isinstance(data, list):
        return [data]
    flat: list[Any] = []
    for item in data:
        flat.extend(flatten(item) if isinstance(item, list) else [item])
    return flat


def from_json(data: Any, datatype: str, count: int, what: str) -> np.ndarray:
    values = flatten(data)
    if len(values) != count:
        raise UserError(f"{what}: {len(values)} values for a shape of {count} elements")
    if datatype == "BYTES":
        if not all(isinstance(value, str) or value is None for value in values):
            raise UserError(f"{what}: BYTES data must be strings (null for a missing value)")
        return np.array([None if v is None else v.encode() for v in values], dtype=object)
    floats = datatype.startswith("FP")
    for value in values:  # null stands for a missing number: NaN
        if not (
            is_number(value)
            or (floats and value is None)
            or (datatype == "BOOL" and isinstance(value, bool))
        ):
            expected = (
                "true or false"
                if datatype == "BOOL"
                else "numbers" + (" (null for missing)" if floats else "")
            )
            raise UserError(f"{what}: {value!r} is not of datatype {datatype}; expected {expected}")
    try:
        return np.array(
            [math.nan if v is None else v for v in values], dtype=NUMBER_TYPES[datatype]
        )
    except OverflowError:
        raise UserError(f"{what}: a value does not fit in {datatype}") from None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def from_bytes(data: memoryview, datatype: str, count: int, what: str) -> np.ndarray:
    if datatype != "BYTES":
        dtype = np.dtype(NUMBER_TYPES[datatype]).newbyteorder("<")
        if len(data) != count * dtype.itemsize:
            raise UserError(
                f"{what}: {len(data)} bytes of binary data for {count} {datatype} values "
                f"({count * dtype.itemsize} bytes)"
            )
        return np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="))
    items, offset = [], 0
    while offset < len(data):
        if offset + 4 > len(data):
            raise UserError(f"{what}: BYTES binary data ends inside an element's length")
        (length,) = struct.unpack_from("<I", data, offset)
        if offset + 4 + length > len(data):
            raise UserError(f"{what}: a BYTES element of {length} bytes runs past the data")
        items.append(bytes(data[offset + 4 : offset + 4 + length]))
        offset += 4 + length
    if len(items) != count:
        raise UserError(f"{what}: {len(items)} BYTES elements for a shape of {count} elements")
    return np.array(items, dtype=object)


def requested_outputs(outputs: Any) -> dict[str, bool] | None:
    if outputs is None:
        return None
    if not isinstance(outputs, list) or not all(
        isinstance(o, dict) and isinstance(o.get("name"), str) for o in outputs
    ):
        raise UserError('"outputs" must be a list of objects with a "name"')
    for item in outputs:
        unknown_fields(item, OUTPUT_FIELDS, f"output {item['name']!r}")
    return {
        item["name"]: parameters_of(item, f"output {item['name']!r}").get("binary_data") is True
        for item in outputs
    }


def write_response(
    header: dict[str, Any], outputs: list[Tensor], binary: set[str]
) -> tuple[bytes, int | None]:
    """The response body, and the length of its JSON part when tensors follow it in binary
    (None when the whole body is JSON). `binary`: the outputs to send as binary data."""
    described, tails = [], []
    for tensor in outputs:
        item: dict[str, Any] = {
            "name": tensor.name,
            "datatype": tensor.datatype,
            "shape": tensor.shape,
        }
        if tensor.name in binary:
            data = to_bytes(tensor)
            item["parameters"] = {"binary_data_size": len(data)}
            tails.append(data)
        else:
            item["data"] = to_json(tensor)
        described.append(item)
    text = json.dumps({**header, "outputs": described}, allow_nan=False).encode()
    if not tails:
        return text, None
    return b"".join([text, *tails]), len(text)


def to_json(tensor: Tensor) -> list[Any]:
    flat = tensor.data.reshape(-1)
    if tensor.datatype == "BYTES":
        return [value.decode() for value in flat]
    values: list[Any] = flat.tolist()
    return values


def to_bytes(tensor: Tensor) -> bytes:
    flat = tensor.data.reshape(-1)
    if tensor.datatype == "BYTES":
        return b"".join(struct.pack("<I", len(value)) + value for value in flat)
    dtype = np.dtype(NUMBER_TYPES[tensor.datatype]).newbyteorder("<")
    return flat.astype(dtype).tobytes()
