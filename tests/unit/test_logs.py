"""The log formatter's last line of defence against personal data and tokens."""

from __future__ import annotations

import logging

from api.logs import JsonFormatter, redact


def test_redacts_id_numbers_phones_and_tokens():
    line = ("citizen 079203001234 phone 0912 345 678 or +84912345678 auth Bearer "
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
    out = redact(line)
    assert "079203001234" not in out
    assert "0912 345 678" not in out and "+84912345678" not in out
    assert "eyJ" not in out
    assert "[id-number]" in out and "[phone]" in out


def test_formatter_emits_json_with_extra_fields():
    record = logging.LogRecord("api", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.status = 201
    text = JsonFormatter().format(record)
    assert '"message":"hello world"' in text and '"status":201' in text
