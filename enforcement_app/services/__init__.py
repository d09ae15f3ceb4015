"""The one API through which the client, the CLI, the PDF export and the tests act.

Every action: a permission check, one transaction, one recorded event. See :class:`Services` and
:class:`Session` (a user acting through the services).
"""

from ..store.database import default_db_path, demo_db_path
from .api import SYSTEM_ACTOR, CaseView, Services, Session, restore

__all__ = ["CaseView", "Services", "Session", "SYSTEM_ACTOR", "default_db_path", "demo_db_path", "restore"]
