"""JSON log lines through the standard library, each carrying the request id."""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime

import orjson

from domain import context

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Last line of defence: whatever a library logs, no 12-digit ID, phone or bearer token leaves.
_REDACT = [
    (re.compile(r"(?<![\w])\d{12}(?![\w])"), "[id-number]"),
    (re.compile(r"(?<![\w])(?:\+?84|0)[\s.]?[35789](?:[\s.]?\d){8}(?![\d])"), "[phone]"),
    (re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [token]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[jwt]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _REDACT:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": context.request_id(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith(("_", "color_")):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(orjson.dumps(entry, default=str).decode())


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._digital_street = True  # type: ignore[attr-defined]  # replaced on reconfigure; other handlers stay
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "_digital_street", False)]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs requests
