"""Every area's error classes (`domain/<area>/errors.py`), imported together so the
catalogue is complete."""

from domain import service_errors, storage  # noqa: F401  (what every area answers)
from domain.areas import area_modules
from domain.errors import CATALOGUE  # noqa: F401
from domain.tickets import attachments  # noqa: F401  (declared beside their checks)

area_modules("domain", "errors")
