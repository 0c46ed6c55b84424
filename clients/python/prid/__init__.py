"""prid: asyncio client of the prid ISDN PRI daemon's socket API.

    client = await prid.connect()            # $PRID_SOCKET or /run/prid/prid.sock
    status = await client.call("daemon.status")
    call = await client.make(prid.party("5551234", ton="national"))
    async for event in client.events():
        ...

Standard library only. The API itself is docs/api.md of the prid sources.
"""

from .client import (DEFAULT_SOCKET, Cause, Client, Event, EventStream, Uui, connect,
                     default_socket)
from .errors import (ApiError, EventsLost, InternalError, InvalidCallHandle, InvalidCallState,
                     InvalidParams, InvalidRequest, MethodNotFound, NotOwner,
                     OperationUnavailable, ParseError, PermissionDenied, ResourceUnavailable,
                     ResultTooLarge, SpanDown, TransportError, UserUserInfoTooBig)
from .party import Number, PartyParam, party
from .uui import IA5_PD, decode_uui, uui_bytes, uui_text

__version__ = "1.1.0"

__all__ = [
    "ApiError", "Cause", "Client", "DEFAULT_SOCKET", "Event", "EventStream", "EventsLost",
    "IA5_PD", "InternalError", "InvalidCallHandle", "InvalidCallState", "InvalidParams",
    "InvalidRequest", "MethodNotFound", "NotOwner", "Number", "OperationUnavailable",
    "ParseError", "PartyParam", "PermissionDenied", "ResourceUnavailable", "ResultTooLarge",
    "SpanDown", "TransportError", "Uui", "UserUserInfoTooBig", "connect", "decode_uui",
    "default_socket", "party", "uui_bytes", "uui_text",
]
