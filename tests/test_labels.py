"""Every code the procedure accepts has its Chinese name, and no name stands for a code it refuses."""

from enforcement_app.domain import labels, procedure


def test_labels_name_exactly_the_procedures_codes():
    assert set(labels.CASE_SOURCE_ZH) == set(procedure.CASE_SOURCES)
    assert set(labels.EVIDENCE_KIND_ZH) == set(procedure.EVIDENCE_KINDS)
    assert set(labels.SERVICE_METHOD_ZH) == set(procedure.SERVICE_METHODS)
    assert set(labels.SERVED_DOCUMENT_ZH) == set(procedure.SERVED_DOCUMENTS)
    assert set(labels.REVIEW_CHECKLIST_ZH) == set(procedure.REVIEW_CHECKLIST)
    assert set(labels.APPROVAL_MATTER_ZH) == set(procedure.APPROVAL_MATTERS)
    assert set(labels.STATEMENT_FORM_ZH) == set(procedure.notice.STATEMENT_FORMS)
    assert set(labels.RETENTION_ZH) == set(procedure.closing.RETENTION_PERIODS)
    assert set(labels.PRESERVATION_DISPOSAL_ZH) == set(procedure.investigation.PRESERVATION_DISPOSALS)
    assert set(labels.RECUSAL_DECISION_ZH) == set(procedure.investigation.RECUSAL_DECISIONS)
    assert set(labels.HEARING_ABSENCE_ZH) == set(procedure.notice.ABSENCE_KINDS)
