"""Party numbers as the prid API takes them (docs/api.md, "Party numbers")."""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Union

#: A party object: ``{"digits", "ton"?, "npi"?, "presentation"?, "screening"?}``.
PartyParam = Dict[str, str]

#: What ``number`` and ``calling`` take: a string of digits or a party object.
Number = Union[str, Mapping[str, str]]


def party(digits: str, *, ton: Optional[str] = None, npi: Optional[str] = None,
          presentation: Optional[str] = None, screening: Optional[str] = None) -> PartyParam:
    """A party object; what is left None is not sent, so the span's dial plan
    gives it (Q.931 4.5.8 / 4.5.10).

    ``ton``: unknown, international, national, network, subscriber,
    abbreviated. ``npi``: unknown, e164, x121, f69, national, private.
    ``presentation`` (allowed, restricted, unavailable) and ``screening``
    (user_not_screened, user_passed, user_failed, network): a calling number's
    only. prid checks the names and digits (``InvalidParams``).
    """
    obj: PartyParam = {"digits": digits}
    for key, value in (("ton", ton), ("npi", npi), ("presentation", presentation),
                       ("screening", screening)):
        if value is not None:
            obj[key] = value
    return obj
