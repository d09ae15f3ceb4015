"""Every code the procedure accepts has its Chinese name, and no name stands for a code it refuses."""

from enforcement_app.domain import labels, procedure


def test_labels_name_exactly_the_procedures_codes():
    assert set(labels.SOURCE_ZH) == set(procedure.SOURCES)
    assert set(labels.EVIDENCE_KIND_ZH) == set(procedure.EVIDENCE_KINDS)
    assert set(labels.SERVICE_METHOD_ZH) == set(procedure.SERVICE_METHODS)
    assert set(labels.SERVED_DOCUMENT_ZH) == set(procedure.SERVED_DOCUMENTS)
    assert set(labels.REVIEW_CHECKLIST_ZH) == set(procedure.REVIEW_CHECKLIST)
    assert set(labels.APPROVAL_MATTER_ZH) == set(procedure.APPROVAL_MATTERS)
