"""User-user information (UUI) values as the prid API writes them."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Tuple, Union

IA5_PD = 4

UuiParam = Dict[str, Union[str, int]]


def uui_text(text: str) -> UuiParam:
    """UUI of IA5 text (protocol discriminator 4): ``{"text": …}``."""
    text.encode("ascii")  # IA5: raises UnicodeEncodeError for anything else
    return {"text": text}


def uui_bytes(data: bytes, pd: int = IA5_PD) -> UuiParam:
    """UUI of raw octets with protocol discriminator ``pd``: ``{"hex", "pd"}``."""
    if not 0 <= pd <= 255:
        raise ValueError(f"protocol discriminator {pd} is not 0…255")
    return {"hex": bytes(data).hex(), "pd": pd}


def decode_uui(uui: Mapping[str, Any]) -> Tuple[int, bytes]:
    """(pd, octets) of a UUI as prid reports it (``{pd, hex, text?}``) or takes it."""
    pd = uui.get("pd", IA5_PD)
    if not isinstance(pd, int):
        raise ValueError(f"UUI pd is not a number: {pd!r}")
    if "hex" in uui:
        return pd, bytes.fromhex(str(uui["hex"]))
    if "text" in uui:
        return pd, str(uui["text"]).encode("ascii")
    raise ValueError(f"UUI has neither hex nor text: {dict(uui)!r}")
