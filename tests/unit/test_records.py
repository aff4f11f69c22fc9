"""`records` rows off PostgreSQL answer as asyncpg's do: by position, by name, unpacked."""

from __future__ import annotations

from repositories.direct import records_of


def test_a_record_answers_by_position_and_by_name():
    first, second = records_of(["id", "full_name"], [(1, "Đặng Thị Ánh"), (2, "Siu H'Prông")])
    assert (first[0], first["full_name"], first[-1]) == (1, "Đặng Thị Ánh", "Đặng Thị Ánh")
    assert tuple(second) == (2, "Siu H'Prông") and [*second] == [2, "Siu H'Prông"]
    assert dict(first.items()) == {"id": 1, "full_name": "Đặng Thị Ánh"}
    assert list(first.keys()) == ["id", "full_name"] and first.get("sex") is None
    # Each result names its own columns.
    [other] = records_of(["full_name"], [("Lê Văn Cường",)])
    assert other["full_name"] == "Lê Văn Cường" and first["id"] == 1
