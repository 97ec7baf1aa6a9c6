"""Imports every model module, so Base.metadata knows every table
(Alembic's autogenerate and the drift test rely on this)."""
from accounts import models as accounts_models  # noqa: F401
from call_log import models as call_log_models  # noqa: F401
from callbacks import models as callbacks_models  # noqa: F401
from cases import models as cases_models  # noqa: F401
from database import Base
from ivr import models as ivr_models  # noqa: F401
from notifications import models as notifications_models  # noqa: F401
from operators import models as operators_models  # noqa: F401
from reports import models as reports_models  # noqa: F401
from routing import models as routing_models  # noqa: F401
from scheduler import models as scheduler_models  # noqa: F401
from understanding import models as understanding_models  # noqa: F401

metadata = Base.metadata
