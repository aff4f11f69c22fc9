"""Every table, imported once so the metadata (and Alembic) sees the whole schema."""

from domain.accounts.models import (  # noqa: F401
    LoginThrottle,
    RefreshToken,
    RevokedToken,
    ServiceAccount,
    ServiceAccountUnit,
    User,
    UserUnit,
)
from domain.announcements.models import (  # noqa: F401
    Announcement,
    AnnouncementDelivery,
    AnnouncementUnit,
)
from domain.audit.models import AuditEvent  # noqa: F401
from domain.base import metadata  # noqa: F401
from domain.idempotency import IdempotencyRecord  # noqa: F401
from domain.imports.models import ImportJob  # noqa: F401
from domain.outreach.models import (  # noqa: F401
    Campaign,
    CampaignCounter,
    CampaignGroup,
    CampaignHousehold,
    GoalProgress,
    Visit,
    VisitNeed,
)
from domain.register.models import (  # noqa: F401
    ChangeLog,
    Household,
    ReadinessFact,
    Resident,
)
from domain.units.models import AdminUnit, Street  # noqa: F401
