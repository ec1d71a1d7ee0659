"""The Open Inference Protocol's wire format on its own, whatever the model: every datatype read
from JSON and from binary tensor data as the standard client writes them, written back as it
reads them, and binary data that does not add up refused with what was expected."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import tritonclient.http as triton

from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.protocol import (
    NUMBER_TYPES,
    Tensor,
    read_request,
    write_response,
)

# Values each datatype holds exactly, in a [2, 2] shape.
VALUES = {
    "BOOL": [[True, False], [False, True]],
    **{name: [[0, 1], [2, 127]] for name in NUMBER_TYPES if name != "BOOL"},
}


def sent(tensors: list[tuple[str, str, np.ndarray]], binary: bool) -> tuple[bytes, str | None]:
    """The body and header length tritonclient sends for `tensors`."""
    inputs = []
    for name, datatype, data in tensors:
        tensor = triton.InferInput(name, list(data.shape), datatype)
        tensor.set_data_from_numpy(data, binary_data=binary)
        inputs.append(tensor)
    body, json_size = triton.InferenceServerClient.generate_request_body(inputs)
    return body, None if json_size is None else str(json_size)


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
@pytest.mark.parametrize("datatype", sorted(NUMBER_TYPES))
def test_every_number_datatype_is_read_as_sent(datatype: str, binary: bool) -> None:
    data = np.array(VALUES[datatype], dtype=NUMBER_TYPES[datatype])
    (tensor,) = read_request(*sent([("x", datatype, data)], binary)).inputs
    assert (tensor.name, tensor.datatype, tensor.shape) == ("x", datatype, [2, 2])
    assert tensor.data.dtype == np.dtype(NUMBER_TYPES[datatype])
    np.testing.assert_array_equal(tensor.data, data)


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_text_is_read_as_bytes_elements_empty_ones_included(binary: bool) -> None:
    data = np.array([b"card", b"", "café".encode(), b"a\0"], dtype=object)
    number = np.array([1.5, 2.5, 3.5, 4.5])
    first, second = read_request(
        *sent([("text", "BYTES", data), ("number", "FP64", number)], binary)
    ).inputs
    assert first.data.dtype == object and first.data.tolist() == data.tolist()
    np.testing.assert_array_equal(second.data, number)  # found after the text's bytes


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
@pytest.mark.parametrize("datatype", [*sorted(NUMBER_TYPES), "BYTES"])
def test_every_datatype_is_written_as_the_standard_client_reads_it(
    datatype: str, binary: bool
) -> None:
    if datatype == "BYTES":
        data = np.array([[b"yes", b""], ["é".encode(), b"no"]], dtype=object)
    else:
        data = np.array(VALUES[datatype], dtype=NUMBER_TYPES[datatype])
    body, json_length = write_response(
        {"id": "7"}, [Tensor("y", datatype, data)], {"y"} if binary else set()
    )
    assert (json_length is not None) is binary
    (described,) = json.loads(body[:json_length])["outputs"]
    assert described["shape"] == [2, 2] and len(described.get("data", "four")) == 4  # flat
    result = triton.InferenceServerClient.parse_response_body(body, header_length=json_length)
    assert result.get_response()["id"] == "7"
    read = result.as_numpy("y")
    assert read is not None and read.shape == (2, 2)
    if datatype == "BYTES":  # the client gives JSON text as str, binary elements as bytes
        texts = [v.decode() if isinstance(v, bytes) else v for v in read.reshape(-1).tolist()]
        assert texts == ["yes", "", "é", "no"]
    else:
        assert read.dtype == data.dtype
        np.testing.assert_array_equal(read, data)


def json_request(datatype: str, data: list[object]) -> bytes:
    tensor = {"name": "x", "shape": [len(data)], "datatype": datatype, "data": data}
    return json.dumps({"inputs": [tensor]}).encode()


def test_null_is_a_missing_number_where_numbers_can_be_missing() -> None:
    for datatype in ("FP16", "FP32", "FP64"):
        (tensor,) = read_request(json_request(datatype, [1.5, None]), None).inputs
        assert tensor.data.dtype == np.dtype(NUMBER_TYPES[datatype])
        assert tensor.data[0] == 1.5 and np.isnan(tensor.data[1])
    (flags,) = read_request(json_request("BOOL", [True, 0, 1]), None).inputs
    assert flags.data.tolist() == [True, False, True]


@pytest.mark.parametrize(
    ("datatype", "data", "message"),
    [
        ("BYTES", ["a", 1], "'x': BYTES data must be strings (null for a missing value)"),
        ("BOOL", [True, "yes"], "'x': 'yes' is not of datatype BOOL; expected true or false"),
        ("INT32", [1, True], "'x': True is not of datatype INT32; expected numbers"),
        ("INT64", [1, None], "'x': None is not of datatype INT64; expected numbers"),
        ("FP64", [1, "2"], "'x': '2' is not of datatype FP64; expected numbers (null for missing)"),
        ("INT8", [1, 300], "'x': a value does not fit in INT8"),
    ],
)
def test_json_data_that_is_not_of_its_datatype_is_refused(
    datatype: str, data: list[object], message: str
) -> None:
    with pytest.raises(UserError) as refused:
        read_request(json_request(datatype, data), None)
    assert str(refused.value).endswith(message)


X = {"name": "x", "shape": [1], "datatype": "FP64", "data": [1.0]}


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"inputs": {"x": X}}, 'the request needs "inputs": a list of tensors (name, shape, '),
        (
            {"inputs": [X], "model": "m"},
            "the request has unknown field(s) model; expected: id, inputs, outputs, parameters",
        ),
        ({"inputs": [X, X]}, "an input is given twice: x, x"),
        ({"inputs": [X], "id": 7}, '"id" must be a string'),
        ({"inputs": [X], "parameters": [1]}, '"parameters" of the request must be a JSON object'),
        ({"inputs": ["x"]}, 'each input must be an object with a "name", "shape", "datatype" and'),
        (
            {"inputs": [{**X, "size": 1}]},
            "input 'x' has unknown field(s) size; expected: data, datatype, name, parameters, sh",
        ),
        (
            {"inputs": [{**X, "parameters": {"binary_data_size": 8}}]},
            "input 'x' has both data and binary_data_size; send one",
        ),
        ({"inputs": [{**X, "shape": [True]}]}, "input 'x': shape must be a list of whole numbers"),
    ],
)
def test_a_request_not_in_the_protocol_s_shape_is_refused(
    request_: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError) as refused:
        read_request(json.dumps(request_).encode(), None)
    assert str(refused.value).startswith(message)


def test_an_inference_request_may_hold_the_standard_client_s_nan_but_not_bad_json() -> None:
    body = b'{"inputs": [{"name": "x", "shape": [2], "datatype": "FP64", "data": [NaN, 1]}]}'
    (tensor,) = read_request(body, None).inputs
    assert np.isnan(tensor.data[0]) and tensor.data[1] == 1
    with pytest.raises(UserError, match=r"^the inference request is not valid JSON: "):
        read_request(b'{"inputs": [}', None)


def test_a_header_length_of_the_whole_body_is_a_json_request() -> None:
    body = json.dumps(
        {"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [2.0]}]}
    ).encode()
    (tensor,) = read_request(body, str(len(body))).inputs
    assert tensor.data.tolist() == [2.0]
    with pytest.raises(UserError, match="at most the body's"):
        read_request(body, str(len(body) + 1))


def binary_request(shape: list[int], datatype: str, data: bytes) -> tuple[bytes, str]:
    header = json.dumps(
        {
            "inputs": [
                {
                    "name": "x",
                    "shape": shape,
                    "datatype": datatype,
                    "parameters": {"binary_data_size": len(data)},
                }
            ]
        }
    ).encode()
    return header + data, str(len(header))


def length(size: int) -> bytes:
    return struct.pack("<I", size)


@pytest.mark.parametrize(
    ("shape", "datatype", "data", "message"),
    [
        ([2], "FP64", bytes(8), "'x': 8 bytes of binary data for 2 FP64 values (16 bytes)"),
        ([3], "INT32", bytes(16), "'x': 16 bytes of binary data for 3 INT32 values (12 bytes)"),
        ([1], "BYTES", b"\x01\0\0", "'x': BYTES binary data ends inside an element's length"),
        ([1], "BYTES", length(4) + b"abc", "'x': a BYTES element of 4 bytes runs past the data"),
        ([1], "BYTES", length(2**32 - 1) + b"ab", "a BYTES element of 4294967295 bytes runs"),
        ([1], "BYTES", length(1) + b"a" + length(0), "'x': 2 BYTES elements for a shape of 1"),
        ([2], "BYTES", length(1) + b"a", "'x': 1 BYTES elements for a shape of 2 elements"),
    ],
)
def test_binary_data_that_does_not_fit_its_tensor_is_refused(
    shape: list[int], datatype: str, data: bytes, message: str
) -> None:
    with pytest.raises(UserError) as refused:
        read_request(*binary_request(shape, datatype, data))
    assert message in str(refused.value)


def test_a_response_is_valid_json_or_not_written() -> None:
    """NaN is not JSON: a model that gave one is a fault to see (a 500), not a body to send."""
    with pytest.raises(ValueError, match="not JSON compliant"):
        write_response({}, [Tensor("y", "FP64", np.array([np.nan]))], set())
