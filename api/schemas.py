"""What the API's operations share: a State is always ``{iso3, name}``; an amount is a decimal string with its
currency; a source says where a fact came from."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class StateRef(Schema):
    iso3: str = Field(description="ISO 3166-1 alpha-3 code.", examples=["LAO"])
    name: str = Field(description="The State's name in the requested language (Accept-Language).")


def state_ref(state: Any) -> dict[str, str]:
    """``{iso3, name}`` of a State (a ``parties.models.State`` or anything with those attributes)."""
    return {"iso3": state.iso3, "name": state.name}


class Amount(Schema):
    amount: str = Field(description="A decimal number as a string, never rounded.", examples=["125000.00"])
    currency: str = Field(description="ISO 4217 currency code.", examples=["USD"])


class Problem(Schema):
    detail: Any = Field(description="What went wrong, for a person to read (a list for invalid parameters).")
