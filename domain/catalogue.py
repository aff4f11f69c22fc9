"""Every area's error classes, imported together so the catalogue is complete."""

from domain import service_errors  # noqa: F401
from domain.accounts import errors as accounts  # noqa: F401
from domain.announcements import errors as announcements  # noqa: F401
from domain.audit import errors as audit  # noqa: F401
from domain.errors import CATALOGUE  # noqa: F401
from domain.imports import errors as imports  # noqa: F401
from domain.outreach import errors as outreach  # noqa: F401
from domain.register import errors as register  # noqa: F401
from domain.units import errors as units  # noqa: F401
