"""Errors of the prid socket API as Python exceptions.

Every JSON-RPC error the daemon answers becomes an ApiError, or the subclass
named after its ``data.name`` (the "Errors" table of docs/api.md), so that a
caller can write ``except prid.InvalidCallHandle``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type, cast


class ApiError(Exception):
    """A JSON-RPC error from prid (or TransportError, from this library)."""

    def __init__(self, name: str, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{name} ({code}): {message}")
        self.name: str = name
        self.code: int = code
        self.message: str = message
        self.data: Any = data


class ParseError(ApiError):
    pass


class InvalidRequest(ApiError):
    pass


class MethodNotFound(ApiError):
    pass


class InvalidParams(ApiError):
    pass


class InternalError(ApiError):
    pass


class InvalidCallHandle(ApiError):
    pass


class InvalidCallState(ApiError):
    pass


class NotOwner(ApiError):
    pass


class UserUserInfoTooBig(ApiError):
    pass


class OperationUnavailable(ApiError):
    pass


class ResourceUnavailable(ApiError):
    pass


class SpanDown(ApiError):
    pass


class EventsLost(ApiError):
    pass


class PermissionDenied(ApiError):
    pass


class ResultTooLarge(ApiError):
    pass


class TransportError(ApiError):
    """The connection failed or closed (code -32099, never on the wire)."""

    def __init__(self, message: str, data: Any = None) -> None:
        super().__init__("TransportError", -32099, message, data)


_BY_NAME: Dict[str, Type[ApiError]] = {
    cls.__name__: cls
    for cls in (
        ParseError, InvalidRequest, MethodNotFound, InvalidParams, InternalError,
        InvalidCallHandle, InvalidCallState, NotOwner, UserUserInfoTooBig,
        OperationUnavailable, ResourceUnavailable, SpanDown, EventsLost,
        PermissionDenied, ResultTooLarge,
    )
}

_BY_CODE: Dict[int, str] = {
    -32700: "ParseError", -32600: "InvalidRequest", -32601: "MethodNotFound",
    -32602: "InvalidParams", -32603: "InternalError", 1: "InvalidCallHandle",
    2: "InvalidCallState", 3: "NotOwner", 4: "UserUserInfoTooBig",
    5: "OperationUnavailable", 6: "ResourceUnavailable", 7: "SpanDown",
    8: "EventsLost", 9: "PermissionDenied", 10: "ResultTooLarge",
}


def error_from_reply(error: Any) -> ApiError:
    """The exception for a reply's ``error`` member."""
    if not isinstance(error, dict):
        return ApiError("InvalidReply", 0, f"malformed JSON-RPC error: {error!r}")
    error = cast(Dict[str, Any], error)
    code = error.get("code")
    code_int = code if isinstance(code, int) else 0
    message = str(error.get("message", ""))
    data: Any = error.get("data")
    name: Optional[str] = None
    if isinstance(data, dict):
        data_name: Any = cast(Dict[str, Any], data).get("name")
        if isinstance(data_name, str):
            name = data_name
    if name is None:
        name = _BY_CODE.get(code_int, "ApiError")
    cls = _BY_NAME.get(name, ApiError)
    return cls(name, code_int, message, data)
