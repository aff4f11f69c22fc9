"""The one page of every list: items, the opaque cursor of the next page, and a total."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """Each area names its pages with a bodiless subclass (`class UnitPage(Page[UnitRead])`):
    the OpenAPI document keeps one component per page, under the name clients know."""

    items: list[T]
    next_cursor: str | None = Field(description="Opaque cursor of the next page, null at the end")
    total: int | None = None

    @classmethod
    def of(cls, items: list, next_cursor: str | None = None, total: int | None = None):
        """A page of rows as a repository answers it: no validation (the response model
        validates once, or the hot paths write the rows themselves)."""
        return cls.model_construct(items=items, next_cursor=next_cursor, total=total)
