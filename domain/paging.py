"""The one page of every list: items, the opaque cursor of the next page, and a total."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field

from domain.examples import CURSOR, example_of

T = TypeVar("T")


def _page_example(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # A page's example is one of its items' (declared once, on the item's model).
    item = get_args(cls.model_fields["items"].annotation)
    found = example_of(item[0]) if item and isinstance(item[0], type) else None
    if found is not None:
        schema["examples"] = [{"items": [found], "next_cursor": CURSOR}]


class Page(BaseModel, Generic[T]):
    """Each area names its pages with a bodiless subclass (`class UnitPage(Page[UnitRead])`):
    the OpenAPI document keeps one component per page, under the name clients know."""

    items: list[T]
    next_cursor: str | None = Field(description="Opaque cursor of the next page, null at the end")
    total: int | None = None

    model_config = ConfigDict(json_schema_extra=_page_example)

    @classmethod
    def of(cls, items: list, next_cursor: str | None = None, total: int | None = None):
        """A page of rows as a repository answers it: no validation (the response model
        validates once, or the hot paths write the rows themselves)."""
        return cls.model_construct(items=items, next_cursor=next_cursor, total=total)
