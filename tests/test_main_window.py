"""The minimal main window over the services: a lazily fetched case table and the case detail."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_case_table_model_and_detail(world, qtbot, qtmodeltester):
    import steps

    from enforcement_app.ui.main import CaseTableModel, MainWindow

    first = steps.lead(world, world.company)
    steps.file(world, first)
    steps.lead(world, world.person)
    session = world.as_(world.officer_a)
    model = CaseTableModel(session, world.clock().date())
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.table.selectRow([model.case_id(r) for r in range(2)].index(first))
    text = window.detail.toPlainText()
    assert "仲高新市监罚字〔2025〕1号" in text and "作出处罚决定期限" in text
