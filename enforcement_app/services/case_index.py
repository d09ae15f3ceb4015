"""The client's case list reads through a read-only index of the case table of its own (see
:mod:`enforcement_app.store.case_index`); offered here so that the client needs nothing below the services."""

from ..store.case_index import COLUMNS, SORTABLE, CaseIndex, CaseListUnavailable, ListQuery

__all__ = ["COLUMNS", "SORTABLE", "CaseIndex", "CaseListUnavailable", "ListQuery"]
