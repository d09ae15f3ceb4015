"""Forms for the procedural steps: a field list per action, a dialog that builds itself from it.

The client holds no rules: a form only gathers what the step's payload needs and sends it to the
services; every refusal comes back from the procedure and is shown at the field it names (or at the top
of the form when it names none).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, QDateTime, QSize, Qt, QTime
from PySide6.QtGui import QColor, QGuiApplication, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.case import OUTCOME_ZH, Outcome
from ..domain.forms import CHINA
from ..domain.handwriting import signer_rules
from ..domain.identity import InvalidIdentityNumber, age_on, birth_date, validate_id_number
from ..domain.labels import (
    APPROVAL_MATTER_ZH,
    EVIDENCE_KIND_ZH,
    HEARING_ABSENCE_ZH,
    ID_TYPE_ZH,
    NO_PENALTY_GROUND_ZH,
    ON_SPOT_GROUND_ZH,
    PAYMENT_CHANNEL_ZH,
    PRESERVATION_DISPOSAL_ZH,
    RECUSAL_DECISION_ZH,
    RELATION_SUGGESTIONS,
    REMEDY_KIND_ZH,
    REMEDY_OUTCOME_ZH,
    RETENTION_ZH,
    REVIEW_CHECKLIST_ZH,
    REVIEW_OUTCOME_ZH,
    SERVED_DOCUMENT_ZH,
    SERVICE_METHOD_ZH,
    SEX_ZH,
    STATEMENT_FORM_ZH,
)
from ..domain.penalties import PENALTY_KIND_ZH
from ..domain.refusals import RuleViolation
from .i18n import tr
from .signature_pad import AddScan, SignaturesField

Draft = Callable[[str, dict[str, Any], Callable[[str], None], Callable[[BaseException], None]], None]
"""Makes the record a form would send into a document: (how: "print" or "view", the payload, report, fail)."""
AddFile = Callable[[str, Callable[[str, str], None]], None]
"""Registers a file (path) as evidence of the case, then calls back with its SHA-256 and description."""
Precheck = Callable[[dict[str, Any], Callable[[str], None], Callable[[], None]], None]
"""Looks at the payload before it is sent (in the worker): calls ``ask(question)`` to have the user confirm it first,
or ``proceed()``."""

MAX_DIALOG_HEIGHT = 690
"""Pixels of a dialog's inside: a 1366×768 screen less its taskbar (40) and the window's title bar."""
MAX_DIALOG_WIDTH = 1320
RED = "#c62828"
REQUIRED_MARK = f"<span style='color:{RED}'>&nbsp;*</span>"


def fitting(width: int, height: int, widget: QWidget | None = None) -> QSize:
    """The size a dialog is opened at: what it asks for, within a 1366×768 screen (and within a smaller one's room)."""
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    room = screen.availableGeometry() if screen is not None else None
    high = min(MAX_DIALOG_HEIGHT, room.height() - 40) if room is not None else MAX_DIALOG_HEIGHT
    wide = min(MAX_DIALOG_WIDTH, room.width() - 40) if room is not None else MAX_DIALOG_WIDTH
    return QSize(min(width, wide), max(240, min(height, high)))


def _wall_clock(now: datetime | None) -> QDateTime:
    """``now`` (the computer's clock without it) as China's wall clock to the minute, as 笔录 state their times."""
    moment = (now.astimezone(CHINA) if now is not None and now.tzinfo is not None else now) or datetime.now(CHINA)
    return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))


def fit_to_form(combo: QComboBox, characters: int = 16) -> QComboBox:
    """A choice of long items (a citation, a conduct's name) as wide as the form gives it, not as its longest item:
    the form never scrolls sideways; the list shows each item whole."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


def form_layout(parent: QWidget | None = None) -> QFormLayout:
    """The forms' layout: each label at the top of its row (a row holds the field and the line kept for its error); a
    row whose label and field do not fit side by side puts the field below."""
    form = QFormLayout(parent)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setVerticalSpacing(4)
    return form


def row_label(text: str, required: bool, name: str = "") -> QLabel:
    """A form row's label, its asterisk red where the field is required."""
    label = QLabel(label_text(text, required))
    label.setTextFormat(Qt.TextFormat.RichText)
    if name:
        label.setObjectName(name)
    return label


def label_text(label: str, required: bool) -> str:
    """A form row's label as rich text: the name, and a red asterisk when the field must be filled in."""
    return html.escape(label) + (REQUIRED_MARK if required else "")


class ErrorLine(QLabel):
    """A refusal under its field, on a line kept for it from the start: showing one moves nothing on the form. A
    message longer than the line ends in … and reads whole on hover (and at the top of the form)."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 2)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, self.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, self.height())

    def paintEvent(self, _event) -> None:  # noqa: N802
        if not self.text():
            return
        painter = QPainter(self)
        painter.setPen(QColor(RED))
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)


def with_error_line(control: QWidget | QLayout, name: str) -> tuple[QWidget, ErrorLine]:
    """A field above the line kept for its refusal (``name``): the holder to put in the form, and the line."""
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    if isinstance(control, QWidget):
        column.addWidget(control)
    else:
        column.addLayout(control)
    error = ErrorLine(name)
    column.addWidget(error)
    return holder, error


class MessageBar(QScrollArea):
    """The strip at the top of a form, of a fixed height: what the form needs (required fields are marked), the
    refusals that name no field and how many fields to put right, or what printing a draft did. Its text changes;
    the form below does not move."""

    LINES = 2

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("message_bar")
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidgetResizable(True)
        inside = QWidget()
        column = QVBoxLayout(inside)
        column.setContentsMargins(2, 2, 2, 2)
        self.hint, self.message, self.status = QLabel(), QLabel(), QLabel()
        for label, name, style in ((self.hint, "form_hint", "color:#607d8b;"),
                                   (self.message, "form_message", f"color:{RED}; font-weight:600;"),
                                   (self.status, "form_status", "color:#1b5e20;")):
            label.setObjectName(name)
            label.setWordWrap(True)
            label.setStyleSheet(style)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            column.addWidget(label)
        column.addStretch(1)
        self.setWidget(inside)
        self.setFixedHeight(self.LINES * self.fontMetrics().lineSpacing() + 10)
        self.show_hint("")

    def show_hint(self, text: str) -> None:
        self._only(self.hint, text)

    def show_message(self, text: str) -> None:
        self._only(self.message, text)

    def show_status(self, text: str) -> None:
        self._only(self.status, text)

    def _only(self, label: QLabel, text: str) -> None:
        for other in (self.hint, self.message, self.status):
            if other is not label:
                other.setText("")
                other.hide()
        label.setText(text)
        label.setVisible(bool(text))
        self.verticalScrollBar().setValue(0)


class PersonField(QWidget):
    """The person questioned, line by line as the 询问笔录 asks: name, identity document (kind and number), sex and
    age, telephone, address and relation to the case, each refused at its own line. A valid 居民身份证 number fills in
    the sex and the age (周岁 on ``day()``, the inquiry's day) it carries."""

    def __init__(self, value: Mapping[str, Any], day: Callable[[], QDate], parent: QWidget | None = None):
        super().__init__(parent)
        self.day = day
        layout = form_layout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.errors: dict[str, ErrorLine] = {}
        self.name = QLineEdit(str(value.get("name", "")))
        self.id_type = QComboBox()
        for code, zh in ID_TYPE_ZH.items():
            self.id_type.addItem(zh, code)
        self.id_type.setCurrentIndex(max(0, self.id_type.findData(value.get("id_type") or "resident_id")))
        self.id_number = QLineEdit(str(value.get("id_number", "")))
        self.sex = QComboBox()
        self.sex.addItem("", "")
        for code, zh in SEX_ZH.items():
            self.sex.addItem(zh, code)
        self.sex.setCurrentIndex(max(0, self.sex.findData(value.get("sex", ""))))
        self.age = QLineEdit(str(value.get("age", "")))
        self.age.setMaximumWidth(80)
        self.phone = QLineEdit(str(value.get("phone", "")))
        self.address = QLineEdit(str(value.get("address", "")))
        self.relation = fit_to_form(QComboBox())
        self.relation.setEditable(True)
        self.relation.addItems(list(RELATION_SUGGESTIONS))
        self.relation.setCurrentText(str(value.get("relation") or RELATION_SUGGESTIONS[0]))
        document = QHBoxLayout()
        document.addWidget(self.id_type)
        document.addWidget(self.id_number, 1)
        sex_age = QHBoxLayout()
        sex_age.addWidget(self.sex)
        sex_age.addSpacing(12)
        sex_age.addWidget(QLabel(tr("ActionDialog", "Age")))
        sex_age.addWidget(self.age)
        sex_age.addWidget(QLabel(tr("ActionDialog", "years")))
        sex_age.addStretch(1)
        rows = ((("name",), tr("ActionDialog", "Name"), self.name, True),
                (("id_type", "id_number"), tr("ActionDialog", "Identity document"), document, False),
                (("sex", "age"), tr("ActionDialog", "Sex"), sex_age, False),
                (("phone",), tr("ActionDialog", "Telephone"), self.phone, False),
                (("address",), tr("ActionDialog", "Address"), self.address, False),
                (("relation",), tr("ActionDialog", "Relation to the case"), self.relation, False))
        for keys, label, control, required in rows:
            holder, error = with_error_line(control, f"error_person_{keys[0]}")
            for key in keys:
                self.errors[key] = error
            layout.addRow(row_label(label, required), holder)
        for name, widget in (("name", self.name), ("id_type", self.id_type), ("id_number", self.id_number), ("sex", self.sex),
                             ("age", self.age), ("phone", self.phone), ("address", self.address), ("relation", self.relation)):
            widget.setObjectName(f"person_{name}")
        self._derived = (self.sex.currentData(), self.age.text())  # what the ID number gave, replaced when it changes
        self.id_number.textChanged.connect(self._from_id_number)
        self.id_type.currentIndexChanged.connect(self._from_id_number)
        self._from_id_number()

    def _from_id_number(self, *_args) -> None:
        if self.id_type.currentData() != "resident_id":
            return
        try:
            number = validate_id_number(self.id_number.text())
        except InvalidIdentityNumber:
            return
        sex = "male" if int(number[16]) % 2 else "female"
        born = birth_date(number)
        day = self.day().toPython()
        age = str(age_on(born, day)) if born is not None and born <= day else ""
        if (self.sex.currentData(), self.age.text()) in (self._derived, ("", "")):  # never over what the officer wrote
            self.sex.setCurrentIndex(self.sex.findData(sex))
            self.age.setText(age)
            self._derived = (sex, age)

    def value(self) -> dict[str, str]:
        number = self.id_number.text().strip()
        given = {"name": self.name.text().strip(), "id_type": self.id_type.currentData() if number else "", "id_number": number,
                 "sex": self.sex.currentData(), "age": self.age.text().strip(), "phone": self.phone.text().strip(),
                 "address": self.address.text().strip(), "relation": self.relation.currentText().strip()}
        return {k: v for k, v in given.items() if v}

    def error_for(self, field: str) -> ErrorLine | None:
        """The line of ``person.<key>`` (``person`` alone: the name's)."""
        key = field.split(".", 1)[1] if "." in field else "name"
        return self.errors.get(key)

    def clear_errors(self) -> None:
        for error in set(self.errors.values()):
            error.setText("")


class AttachmentsField(QWidget):
    """Photos or scans attached to a step (the receipt of a payment): each file registered as evidence of the case
    first (``add_file``), then listed here by its description; the step records their SHA-256."""

    def __init__(self, attached: Sequence[tuple[str, str]], add_file: AddFile | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.add_file = add_file
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.list = QListWidget()
        self.list.setObjectName("attachments")
        self.list.setFixedHeight(56)
        column.addWidget(self.list)
        row = QHBoxLayout()
        self.attach = QPushButton(tr("ActionDialog", "Attach a photo or scan…"))
        self.attach.setObjectName("attach_file")
        self.attach.setEnabled(add_file is not None)
        self.attach.clicked.connect(self._choose)
        remove = QPushButton(tr("ActionDialog", "Remove"))
        remove.setObjectName("remove_attachment")
        remove.clicked.connect(lambda: self.list.takeItem(self.list.currentRow()))
        row.addWidget(self.attach)
        row.addWidget(remove)
        row.addStretch(1)
        column.addLayout(row)
        for sha, description in attached:
            self._listed(sha, description)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("ActionDialog", "Photo or scan"), "",
                                              tr("ActionDialog", "Photos and scans (*.jpg *.jpeg *.png *.pdf *.tif *.tiff)"))
        if path:
            self.attach_file(path)

    def attach_file(self, path: str) -> None:
        """Register ``path`` as evidence of the case (its particulars asked as for any evidence), then list it."""
        assert self.add_file is not None
        self.add_file(path, lambda sha, description: self._listed(sha, description or Path(path).name))

    def _listed(self, sha: str, description: str) -> None:
        item = QListWidgetItem(description)
        item.setData(Qt.ItemDataRole.UserRole, sha)
        self.list.addItem(item)

    def values(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text, long, date, moment, yuan, choice, bool, officers, evidence, kinds, qa, person, checklist, elements, attachments
    options: tuple[tuple[str, str], ...] = ()
    required: bool = True
    default: Any = None
    shown_when: tuple[str, str | tuple[str, ...]] | None = None  # (key, value or values): asked only while the choice ``key`` has it
    hints: tuple[str, ...] = ()  # elements: what to write, per option


PENALTY_KINDS = tuple((k.value, zh) for k, zh in PENALTY_KIND_ZH.items())
OUTCOMES = tuple((o.value, zh) for o, zh in OUTCOME_ZH.items() if o != Outcome.NOT_FILED)
SERVED = tuple(SERVED_DOCUMENT_ZH.items())
METHODS = tuple(SERVICE_METHOD_ZH.items())
EVIDENCE_KINDS = tuple(EVIDENCE_KIND_ZH.items())
CHECKLIST = tuple(REVIEW_CHECKLIST_ZH.items())

PROPOSAL = (
    Field("outcome", QT_TRANSLATE_NOOP("ActionDialog", "Outcome"), "choice", OUTCOMES),
    Field("penalty_kinds", QT_TRANSLATE_NOOP("ActionDialog", "Penalty kinds"), "kinds", PENALTY_KINDS, required=False),
    Field("fine_yuan", QT_TRANSLATE_NOOP("ActionDialog", "Fine (yuan)"), "yuan", required=False),
    Field("facts", QT_TRANSLATE_NOOP("ActionDialog", "Facts found"), "long"),
    # the elements of the case's benchmark entry; the workspace gives them (and drops the field when there are none)
    Field("facts_elements", QT_TRANSLATE_NOOP("ActionDialog", "Facts as elements"), "elements", required=False),
    Field("violation", QT_TRANSLATE_NOOP("ActionDialog", "Provision violated"), "text", required=False),
    Field("basis", QT_TRANSLATE_NOOP("ActionDialog", "Penalty provision"), "text"),
    Field("discretion", QT_TRANSLATE_NOOP("ActionDialog", "Use of the discretion benchmark"), "long", required=False),
    Field("deviation_reason", QT_TRANSLATE_NOOP("ActionDialog", "Written reason for deviating from the benchmark"), "long", required=False),
)

NO_PENALTY = ("outcome", "no_penalty")
NO_PENALTY_GROUNDS = tuple(NO_PENALTY_GROUND_ZH.items())
# why no penalty is given and what the record establishes for it (行政处罚法第三十三条), asked when no penalty is proposed
EXEMPTION = (
    Field("no_penalty_ground", QT_TRANSLATE_NOOP("ActionDialog", "Ground for no penalty"), "choice", NO_PENALTY_GROUNDS, shown_when=NO_PENALTY),
    Field("exemption_basis", QT_TRANSLATE_NOOP("ActionDialog", "Provision for no penalty (another statute's ground)"), required=False,
          shown_when=NO_PENALTY),
    Field("minor", QT_TRANSLATE_NOOP("ActionDialog", "What was minor"), "long", required=False, shown_when=NO_PENALTY),
    Field("first_violation", QT_TRANSLATE_NOOP("ActionDialog", "How it was established as a first violation"), "long", required=False,
          shown_when=NO_PENALTY),
    Field("harm", QT_TRANSLATE_NOOP("ActionDialog", "Harm (none, or slight)"), "long", required=False, shown_when=NO_PENALTY),
    Field("corrected_on", QT_TRANSLATE_NOOP("ActionDialog", "Corrected on"), "date", required=False, shown_when=NO_PENALTY),
    Field("correction", QT_TRANSLATE_NOOP("ActionDialog", "How it was corrected"), "long", required=False, shown_when=NO_PENALTY),
    Field("no_fault", QT_TRANSLATE_NOOP("ActionDialog", "Facts showing no fault"), "long", required=False, shown_when=NO_PENALTY),
    Field("incapacity", QT_TRANSLATE_NOOP("ActionDialog", "Unable to recognise or control the conduct (expert opinion)"), "long",
          required=False, shown_when=NO_PENALTY),
    Field("guardian", QT_TRANSLATE_NOOP("ActionDialog", "Guardian ordered to discipline or care for"), "long", required=False,
          shown_when=NO_PENALTY),
    Field("exemption_evidence", QT_TRANSLATE_NOOP("ActionDialog", "Evidence of the above"), "kinds", required=False, shown_when=NO_PENALTY),
)
EDUCATION = (  # 行政处罚法第三十三条第三款
    Field("education", QT_TRANSLATE_NOOP("ActionDialog", "Education given: what"), "long", required=False, shown_when=NO_PENALTY),
    Field("educated_on", QT_TRANSLATE_NOOP("ActionDialog", "Education given: when"), "date", required=False, shown_when=NO_PENALTY),
    Field("education_form", QT_TRANSLATE_NOOP("ActionDialog", "Education given: how"), required=False, shown_when=NO_PENALTY),
)

FORMS: dict[str, tuple[Field, ...]] = {
    "request_filing": (Field("facts", QT_TRANSLATE_NOOP("ActionDialog", "Brief facts"), "long"),
                       Field("violation", QT_TRANSLATE_NOOP("ActionDialog", "Provision suspected violated"), required=False),
                       Field("reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason for filing"), "long"),
                       Field("opinion", QT_TRANSLATE_NOOP("ActionDialog", "Handler's opinion"), "long", required=False)),
    "approve_filing": (Field("opinion", QT_TRANSLATE_NOOP("ActionDialog", "Head's opinion"), "long", required=False),),
    "refuse_filing": (Field("reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason for not filing"), "long"),),
    "record_inspection": (Field("started_at", QT_TRANSLATE_NOOP("ActionDialog", "Started at"), "moment"), Field("ended_at", QT_TRANSLATE_NOOP("ActionDialog", "Ended at"), "moment"),
                          Field("place", QT_TRANSLATE_NOOP("ActionDialog", "Place")), Field("officers", QT_TRANSLATE_NOOP("ActionDialog", "Officers"), "officers"),
                          Field("certificates_shown", QT_TRANSLATE_NOOP("ActionDialog", "Certificates shown to the party"), "bool", default=True),
                          Field("findings", QT_TRANSLATE_NOOP("ActionDialog", "Findings"), "long"), Field("present", QT_TRANSLATE_NOOP("ActionDialog", "Present"), required=False),
                          Field("signatures", QT_TRANSLATE_NOOP("ActionDialog", "Signatures"), "signatures", required=False)),
    "record_inquiry": (Field("started_at", QT_TRANSLATE_NOOP("ActionDialog", "Started at"), "moment"), Field("ended_at", QT_TRANSLATE_NOOP("ActionDialog", "Ended at"), "moment"),
                       Field("place", QT_TRANSLATE_NOOP("ActionDialog", "Place")), Field("officers", QT_TRANSLATE_NOOP("ActionDialog", "Officers"), "officers"), Field("recorder", QT_TRANSLATE_NOOP("ActionDialog", "Recorder")),
                       Field("certificates_shown", QT_TRANSLATE_NOOP("ActionDialog", "Certificates shown"), "bool", default=True),
                       Field("rights_notified", QT_TRANSLATE_NOOP("ActionDialog", "Rights notified"), "bool", default=True),
                       Field("person", QT_TRANSLATE_NOOP("ActionDialog", "Person questioned"), "person"),
                       Field("qa", QT_TRANSLATE_NOOP("ActionDialog", "Questions and answers (lines starting 问：/答：)"), "qa"),
                       Field("signatures", QT_TRANSLATE_NOOP("ActionDialog", "Signatures"), "signatures", required=False)),
    "record_sampling": (Field("started_at", QT_TRANSLATE_NOOP("ActionDialog", "Started at"), "moment"), Field("ended_at", QT_TRANSLATE_NOOP("ActionDialog", "Ended at"), "moment"),
                        Field("place", QT_TRANSLATE_NOOP("ActionDialog", "Place")), Field("officers", QT_TRANSLATE_NOOP("ActionDialog", "Officers"), "officers"),
                        Field("certificates_shown", QT_TRANSLATE_NOOP("ActionDialog", "Certificates shown"), "bool", default=True),
                        Field("items", QT_TRANSLATE_NOOP("ActionDialog", "Items sampled")), Field("quantity", QT_TRANSLATE_NOOP("ActionDialog", "Quantity"), required=False),
                        Field("signatures", QT_TRANSLATE_NOOP("ActionDialog", "Signatures"), "signatures", required=False)),
    "record_preservation": (Field("started_at", QT_TRANSLATE_NOOP("ActionDialog", "Started at"), "moment"), Field("ended_at", QT_TRANSLATE_NOOP("ActionDialog", "Ended at"), "moment"),
                        Field("place", QT_TRANSLATE_NOOP("ActionDialog", "Place")), Field("officers", QT_TRANSLATE_NOOP("ActionDialog", "Officers"), "officers"),
                        Field("certificates_shown", QT_TRANSLATE_NOOP("ActionDialog", "Certificates shown"), "bool", default=True),
                        Field("items", QT_TRANSLATE_NOOP("ActionDialog", "Evidence listed for preservation")), Field("kept_at", QT_TRANSLATE_NOOP("ActionDialog", "Kept at")),
                        Field("signatures", QT_TRANSLATE_NOOP("ActionDialog", "Signatures"), "signatures", required=False)),
    "request_approval": (Field("matter", QT_TRANSLATE_NOOP("ActionDialog", "Matter"), "choice", tuple(APPROVAL_MATTER_ZH.items())),
                         Field("reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason"), "long"),
                         # each matter asks its own: the days of an extension or deferral, the items, the plan
                         Field("days", QT_TRANSLATE_NOOP("ActionDialog", "Days"), "text", required=False,
                               shown_when=("matter", ("extension", "payment_deferral"))),
                         Field("items", QT_TRANSLATE_NOOP("ActionDialog", "Items to preserve"), shown_when=("matter", "evidence_preservation")),
                         Field("plan", QT_TRANSLATE_NOOP("ActionDialog", "Instalment plan"), shown_when=("matter", "instalments"))),
    "submit_investigation_report": (*PROPOSAL, *EXEMPTION, Field("complex", QT_TRANSLATE_NOOP("ActionDialog", "Complex case (collective discussion)"), "bool", default=False),
                                    Field("opinion", QT_TRANSLATE_NOOP("ActionDialog", "Handler's opinion"), "long", required=False)),
    "submit_legal_review": (Field("summary", QT_TRANSLATE_NOOP("ActionDialog", "Case summary (facts, evidence, law, benchmark, officers and certificates)"), "long"),
                            Field("draft_decision", QT_TRANSLATE_NOOP("ActionDialog", "Draft decision"), "long"),
                            Field("corrections_made", QT_TRANSLATE_NOOP("ActionDialog", "Corrections made"), "long", required=False)),
    "record_legal_review": (Field("outcome", QT_TRANSLATE_NOOP("ActionDialog", "Conclusion"), "choice", tuple(REVIEW_OUTCOME_ZH.items())),
                            Field("checklist", QT_TRANSLATE_NOOP("ActionDialog", "Checklist"), "checklist", CHECKLIST), Field("opinion", QT_TRANSLATE_NOOP("ActionDialog", "Opinion"), "long"),
                            Field("corrections", QT_TRANSLATE_NOOP("ActionDialog", "Corrections asked for"), "long", required=False)),
    "object_to_review": (Field("reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason"), "long"),),
    "record_collective_discussion": (Field("participants", QT_TRANSLATE_NOOP("ActionDialog", "Heads taking part"), "officers"), Field("opinions", QT_TRANSLATE_NOOP("ActionDialog", "Opinions"), "long"),
                                     Field("conclusion", QT_TRANSLATE_NOOP("ActionDialog", "Conclusion"), "long"),
                                     Field("resolves_objection", QT_TRANSLATE_NOOP("ActionDialog", "Settles the disagreement with the reviewer"), "bool", default=False)),
    "issue_prior_notice": (Field("penalty_kinds", QT_TRANSLATE_NOOP("ActionDialog", "Penalty kinds"), "kinds", PENALTY_KINDS),
                           Field("fine_yuan", QT_TRANSLATE_NOOP("ActionDialog", "Fine (yuan)"), "yuan", required=False), Field("facts", QT_TRANSLATE_NOOP("ActionDialog", "Facts"), "long"),
                           Field("violation", QT_TRANSLATE_NOOP("ActionDialog", "Provision violated"), required=False),
                           Field("basis", QT_TRANSLATE_NOOP("ActionDialog", "Penalty provision")), Field("deviation_reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason for deviating from the benchmark"), "long", required=False)),
    "serve_document": (Field("document", QT_TRANSLATE_NOOP("ActionDialog", "Document"), "choice", SERVED),
                       Field("on", QT_TRANSLATE_NOOP("ActionDialog", "Served on"), "date"),
                       Field("method", QT_TRANSLATE_NOOP("ActionDialog", "Method"), "choice", METHODS),
                       Field("recipient", QT_TRANSLATE_NOOP("ActionDialog", "Recipient")),
                       Field("officers", QT_TRANSLATE_NOOP("ActionDialog", "Served by (two officers)"), "officers"),
                       Field("signatures", QT_TRANSLATE_NOOP("ActionDialog", "Signatures"), "signatures", required=False),
                       Field("witness", QT_TRANSLATE_NOOP("ActionDialog", "Witness"), required=False)),
    "record_statement": (Field("form", QT_TRANSLATE_NOOP("ActionDialog", "Form"), "choice", tuple(STATEMENT_FORM_ZH.items())), Field("by", QT_TRANSLATE_NOOP("ActionDialog", "By")),
                         # an oral statement's 笔录: when, where, the two officers and who wrote it down
                         Field("started_at", QT_TRANSLATE_NOOP("ActionDialog", "Started at (oral)"), "moment", required=False),
                         Field("ended_at", QT_TRANSLATE_NOOP("ActionDialog", "Ended at (oral)"), "moment", required=False),
                         Field("place", QT_TRANSLATE_NOOP("ActionDialog", "Place (oral)"), required=False),
                         Field("officers", QT_TRANSLATE_NOOP("ActionDialog", "Officers"), "officers", required=False),
                         Field("recorder", QT_TRANSLATE_NOOP("ActionDialog", "Recorder (oral)"), required=False),
                         Field("content", QT_TRANSLATE_NOOP("ActionDialog", "Statement and defence"), "long"), Field("signatures", QT_TRANSLATE_NOOP("ActionDialog", "Signatures"), "signatures", required=False)),
    "record_reexamination": (Field("adopted", QT_TRANSLATE_NOOP("ActionDialog", "Adopted"), "bool", default=False), Field("conclusion", QT_TRANSLATE_NOOP("ActionDialog", "Conclusion"), "long")),
    "waive_rights": (Field("written", QT_TRANSLATE_NOOP("ActionDialog", "Waived in writing"), "bool", default=True), Field("statement", QT_TRANSLATE_NOOP("ActionDialog", "Party's statement"), "long")),
    "request_hearing": (Field("form", QT_TRANSLATE_NOOP("ActionDialog", "Form"), "choice", tuple(STATEMENT_FORM_ZH.items())),),
    "give_hearing_notice": (Field("hearing_on", QT_TRANSLATE_NOOP("ActionDialog", "Hearing date"), "date"), Field("place", QT_TRANSLATE_NOOP("ActionDialog", "Place")),
                            Field("chair", QT_TRANSLATE_NOOP("ActionDialog", "Chair"), "officer")),
    "hold_hearing": (Field("on", QT_TRANSLATE_NOOP("ActionDialog", "Date"), "date"), Field("chair", QT_TRANSLATE_NOOP("ActionDialog", "Chair"), "officer"), Field("transcript", QT_TRANSLATE_NOOP("ActionDialog", "Transcript"), "long"),
                     Field("signatures", QT_TRANSLATE_NOOP("ActionDialog", "Signatures"), "signatures", required=False)),
    "record_hearing_report": (Field("content", QT_TRANSLATE_NOOP("ActionDialog", "Hearing report"), "long"), Field("recommendation", QT_TRANSLATE_NOOP("ActionDialog", "Recommendation"), "long")),
    "make_decision": (*PROPOSAL, *EXEMPTION, Field("evidence", QT_TRANSLATE_NOOP("ActionDialog", "Evidence relied on"), "evidence"),
                      Field("reasons", QT_TRANSLATE_NOOP("ActionDialog", "Reasons (on the statement and defence)"), "long", required=False),
                      Field("orders", QT_TRANSLATE_NOOP("ActionDialog", "Order to correct: what and by when"), "long", required=False),
                      *EDUCATION,
                      Field("transfer_to", QT_TRANSLATE_NOOP("ActionDialog", "Organ the case is transferred to"), required=False,
                            shown_when=("outcome", "transfer")),
                      Field("based_on_transcript", QT_TRANSLATE_NOOP("ActionDialog", "Decided on the hearing transcript"), "bool", default=False)),
    "record_payment": (Field("on", QT_TRANSLATE_NOOP("ActionDialog", "Paid on"), "date"),
                       Field("amount_yuan", QT_TRANSLATE_NOOP("ActionDialog", "Amount (yuan)"), "yuan"),
                       Field("channel", QT_TRANSLATE_NOOP("ActionDialog", "Channel"), "choice", tuple(PAYMENT_CHANNEL_ZH.items())),
                       Field("receipt_no", QT_TRANSLATE_NOOP("ActionDialog", "Receipt number")),
                       Field("receipt_files", QT_TRANSLATE_NOOP("ActionDialog", "Receipt (photo or scan)"), "attachments", required=False),
                       Field("on_spot_ground", QT_TRANSLATE_NOOP("ActionDialog", "Ground for collecting on the spot"), "choice",
                             tuple(ON_SPOT_GROUND_ZH.items()), shown_when=("channel", "on_spot")),
                       Field("party_request", QT_TRANSLATE_NOOP("ActionDialog", "The party's request to pay on the spot"), "long",
                             required=False, shown_when=("channel", "on_spot"))),
    "request_closing": (Field("proposed_on", QT_TRANSLATE_NOOP("ActionDialog", "Proposed closing date"), "date"),
                        Field("summary", QT_TRANSLATE_NOOP("ActionDialog", "Closing report (how the case was handled, why it may close)"), "long")),
    "approve_closing": (Field("opinion", QT_TRANSLATE_NOOP("ActionDialog", "Head's opinion"), "long", required=False),),
    "return_closing": (Field("reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason for returning the closing report"), "long"),),
    "archive_case": (Field("archive_no", QT_TRANSLATE_NOOP("ActionDialog", "Archive number")), Field("retention", QT_TRANSLATE_NOOP("ActionDialog", "Retention"), "choice", tuple(RETENTION_ZH.items()))),
    "decide_approval": (Field("request", QT_TRANSLATE_NOOP("ActionDialog", "Request"), "choice"),
                        Field("approved", QT_TRANSLATE_NOOP("ActionDialog", "Approved"), "bool", default=True),
                        Field("opinion", QT_TRANSLATE_NOOP("ActionDialog", "Opinion"), "long", required=False)),
    "decide_preservation_disposal": (Field("disposal", QT_TRANSLATE_NOOP("ActionDialog", "Disposal"), "choice",
                                           tuple(PRESERVATION_DISPOSAL_ZH.items())),
                                     Field("details", QT_TRANSLATE_NOOP("ActionDialog", "Details"), "long")),
    "record_recusal": (Field("officer", QT_TRANSLATE_NOOP("ActionDialog", "Officer to withdraw"), "officer"),
                       Field("applicant", QT_TRANSLATE_NOOP("ActionDialog", "Applicant")),
                       Field("grounds", QT_TRANSLATE_NOOP("ActionDialog", "Grounds"), "long"),
                       Field("decision", QT_TRANSLATE_NOOP("ActionDialog", "Decision"), "choice", tuple(RECUSAL_DECISION_ZH.items())),
                       Field("replacement", QT_TRANSLATE_NOOP("ActionDialog", "Replacement officer"), "officer", required=False)),
    "record_hearing_absence": (Field("on", QT_TRANSLATE_NOOP("ActionDialog", "Date"), "date"),
                               Field("kind", QT_TRANSLATE_NOOP("ActionDialog", "What happened"), "choice",
                                     tuple(HEARING_ABSENCE_ZH.items())),
                               Field("details", QT_TRANSLATE_NOOP("ActionDialog", "Details"), "long")),
    "issue_reminder": (),  # what is owed is computed, and the number (文号) is given when the reminder is recorded
    "apply_court_enforcement": (Field("court", QT_TRANSLATE_NOOP("ActionDialog", "People's court")),),  # the reminder's service is in the record
    "record_remedy": (Field("kind", QT_TRANSLATE_NOOP("ActionDialog", "Remedy"), "choice", tuple(REMEDY_KIND_ZH.items())),
                      Field("on", QT_TRANSLATE_NOOP("ActionDialog", "Applied (sued) on"), "date"),
                      Field("body", QT_TRANSLATE_NOOP("ActionDialog", "Reconsideration body or court")),
                      Field("reference", QT_TRANSLATE_NOOP("ActionDialog", "Acceptance or case number"), required=False)),
    "record_remedy_outcome": (Field("kind", QT_TRANSLATE_NOOP("ActionDialog", "Remedy"), "choice", tuple(REMEDY_KIND_ZH.items())),
                              Field("outcome", QT_TRANSLATE_NOOP("ActionDialog", "Outcome"), "choice", tuple(REMEDY_OUTCOME_ZH.items())),
                              Field("on", QT_TRANSLATE_NOOP("ActionDialog", "Decided (judged) on"), "date"),
                              Field("reference", QT_TRANSLATE_NOOP("ActionDialog", "Number of the decision or judgment")),
                              Field("fine_yuan", QT_TRANSLATE_NOOP("ActionDialog", "Fine as changed (yuan)"), "yuan", required=False,
                                    shown_when=("outcome", "changed"))),
    "add_evidence": (Field("kind", QT_TRANSLATE_NOOP("ActionDialog", "Kind of evidence (Art. 46)"), "choice", EVIDENCE_KINDS),
                     Field("description", QT_TRANSLATE_NOOP("ActionDialog", "Description"), "long"),
                     Field("source", QT_TRANSLATE_NOOP("ActionDialog", "Source")),
                     Field("collected_by", QT_TRANSLATE_NOOP("ActionDialog", "Collected by"), "officers"),
                     Field("collected_at", QT_TRANSLATE_NOOP("ActionDialog", "Collected at"), "moment"),
                     Field("place", QT_TRANSLATE_NOOP("ActionDialog", "Place"), required=False),
                     # a photo's (or a recording's) particulars: asked of those kinds (the procedure says when they are needed)
                     Field("taken_at", QT_TRANSLATE_NOOP("ActionDialog", "Photo taken at (YYYY-MM-DD HH:MM)"), required=False,
                           shown_when=("kind", ("photo", "audiovisual"))),
                     Field("taken_place", QT_TRANSLATE_NOOP("ActionDialog", "Photo taken where"), required=False,
                           shown_when=("kind", ("photo", "audiovisual"))),
                     Field("taken_by", QT_TRANSLATE_NOOP("ActionDialog", "Photo taken by"), required=False,
                           shown_when=("kind", ("photo", "audiovisual"))),
                     Field("witness", QT_TRANSLATE_NOOP("ActionDialog", "Witness"), required=False),
                     Field("proves", QT_TRANSLATE_NOOP("ActionDialog", "What it proves"), "long", required=False),
                     # the identity proof's document, asked only of it (a recording or a photo has none)
                     Field("identity_document", QT_TRANSLATE_NOOP("ActionDialog", "Identity document (ID card, business licence)"),
                           shown_when=("kind", "identity")),
                     Field("identity_no", QT_TRANSLATE_NOOP("ActionDialog", "Identity document number"), shown_when=("kind", "identity")),
                     # the on-site steps of the case a recording is of: the workspace lists them (and drops the field without any)
                     Field("av_record_of", QT_TRANSLATE_NOOP("ActionDialog", "The steps this recording records"), "kinds",
                           required=False, shown_when=("kind", "audiovisual"))),
    "correct_record": (Field("corrects", QT_TRANSLATE_NOOP("ActionDialog", "Record to correct"), "choice"),
                       Field("field", QT_TRANSLATE_NOOP("ActionDialog", "Item corrected"), "choice"),  # the chosen record's items
                       Field("value", QT_TRANSLATE_NOOP("ActionDialog", "Corrected text"), "long"),
                       Field("reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason for the correction"), "long")),
    "suspend_case": (Field("reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason"), "long"),),
    "resume_case": (Field("reason", QT_TRANSLATE_NOOP("ActionDialog", "Reason"), "long"),),
}


class ActionDialog(QDialog):
    """A form for one step. ``submit(payload, on_done, on_error)`` sends it; refusals come back to it, each shown at
    its field (all at once, on a line kept for it, so nothing moves), those naming no field at the top.
    ``extra`` (the discretion panel) sits before the row of ``extra_before`` (at the end without it); ``precheck``
    may ask the user something about the payload before it is sent (a 笔录 that overlaps another)."""

    def __init__(self, kind: str, title: str, fields: Sequence[Field], *, officers: Sequence[tuple[str, str]] = (),
                 evidence: Sequence[tuple[str, str]] = (), defaults: Mapping[str, Any] | None = None,
                 submit: Callable[[dict[str, Any], Callable, Callable], None], extra: QWidget | None = None,
                 side: QWidget | None = None, confirm: str = "", parent: QWidget | None = None,
                 draft: Draft | None = None, add_scan: AddScan | None = None, add_file: AddFile | None = None,
                 extra_before: str = "", precheck: Precheck | None = None, now: datetime | None = None):
        super().__init__(parent)
        self._draft, self._add_scan, self._add_file, self._precheck = draft, add_scan, add_file, precheck
        self._now = _wall_clock(now)  # what dates and moments default to: the services' clock (the computer's without one)
        self.setObjectName(f"dialog_{kind}")
        self.setWindowTitle(title)
        self.kind = kind
        self.fields = list(fields)
        self._submit = submit
        self.extra = extra
        self.inputs: dict[str, Any] = {}
        self.errors: dict[str, ErrorLine] = {}
        self.labels: dict[str, QLabel] = {}
        defaults = dict(defaults or {})
        outer = QVBoxLayout(self)
        self.bar = MessageBar()
        self.message, self.status = self.bar.message, self.bar.status
        self._hint = tr("ActionDialog", "Fields marked * must be filled in.") if any(
            f.required and f.kind != "bool" for f in self.fields) else ""
        self.bar.show_hint(self._hint)
        outer.addWidget(self.bar)
        body = QWidget()
        body.setObjectName("form_body")
        form = form_layout(body)
        self._form, self._body = form, body
        self.rows: dict[str, QWidget] = {}
        for field in self.fields:
            widget = self._widget(field, officers, evidence, defaults.get(field.key, field.default))
            widget.setObjectName(f"field_{field.key}")
            self.inputs[field.key] = widget
            holder, error = with_error_line(widget, f"error_{field.key}")
            self.errors[field.key] = error
            label = row_label(tr("ActionDialog", field.label), field.required and field.kind != "bool", f"label_{field.key}")
            self.labels[field.key] = label
            form.addRow(label, holder)
            self.rows[field.key] = holder
        for key in {f.shown_when[0] for f in self.fields if f.shown_when and f.shown_when[0] in self.inputs}:
            self.inputs[key].currentIndexChanged.connect(self._show_rows)
        self._show_rows()
        if extra is not None:
            if extra_before in self.rows:
                form.insertRow(form.getWidgetPosition(self.rows[extra_before])[0], extra)
            else:
                form.addRow(extra)
        self.scroll = scroll = QScrollArea()
        scroll.setObjectName("form_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        if side is None:
            outer.addWidget(scroll)
        else:  # the form beside what it judges (the review checklist beside the case materials)
            split = QSplitter(Qt.Orientation.Horizontal)
            split.addWidget(side)
            split.addWidget(scroll)
            split.setSizes([640, 560] if side.objectName() == "sign_off_preview" else [520, 620])  # documents to read get the room
            outer.addWidget(split)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("ActionDialog", "Record"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("submit")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("ActionDialog", "Cancel"))
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        if draft is not None:  # the record printed before it is recorded, to be signed on paper: beside, not among, 记录 and 取消
            for how, text, tip in (("print", tr("ActionDialog", "Print for signing…"),
                                    tr("ActionDialog", "Print the record as typed, marked as a draft, with lines to sign on; "
                                                       "attach the photo or scan of the signed paper as the signature")),
                                   ("view", tr("ActionDialog", "Open as PDF"), tr("ActionDialog", "Open the record as typed in the PDF viewer"))):
                button = QPushButton(text)
                button.setObjectName(f"{how}_draft")
                button.setToolTip(tip)
                button.clicked.connect(lambda _=False, how=how: self.make_draft(how))
                bottom.addWidget(button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        outer.addLayout(bottom)
        signed = any(f.kind == "signatures" for f in self.fields)  # a row per signer needs the room of its buttons
        width = (900 if signed or extra is not None else 760) if side is None else 1200
        self.resize(fitting(width, 150 + 74 * len(self.fields) + (420 if extra is not None else 0) if side is None else 760, self))
        self.confirm_text = confirm  # asked before the step is sent (a sign-off, closing, archiving)
        self.confirm_box: QMessageBox | None = None
        self._confirmed = self._prechecked = False
        if confirm:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("ActionDialog", "Sign and record"))
        self.as_opened()

    def as_opened(self) -> None:
        """What the form holds now is what it opened with (closing it asks nothing until something changes)."""
        self._as_opened = self.payload()

    def shown(self, field: Field) -> bool:
        """Whether the field is asked: always, or while the choice it depends on has its value."""
        if field.shown_when is None:
            return True
        key, value = field.shown_when
        control = self.inputs.get(key)
        return control is None or control.currentData() in (value if isinstance(value, tuple) else (value,))

    def _show_rows(self) -> None:
        for field in self.fields:
            if field.shown_when is not None:
                self._form.setRowVisible(self.rows[field.key], self.shown(field))

    # --- widgets ------------------------------------------------------------------------------------------

    def _widget(self, field: Field, officers, evidence, default) -> QWidget:
        kind = field.kind
        if kind == "long" or kind == "qa":
            w = QPlainTextEdit(str(default or ""))
            w.setMinimumHeight(70 if kind == "long" else 120)
            return w
        if kind == "date":
            w = QDateEdit(self._now.date() if default is None else QDate.fromString(str(default), "yyyy-MM-dd"))
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            return w
        if kind == "moment":
            w = QDateTimeEdit(self._now if default is None else QDateTime.fromString(str(default), "yyyy-MM-ddTHH:mm"))
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd HH:mm")
            return w
        if kind == "choice" or kind == "officer":
            w = QComboBox()
            for value, label in (field.options if kind == "choice" else tuple(officers)):
                w.addItem(label, value)
            if any(len(label) > 20 for _v, label in field.options):  # a citation, a request: as wide as the form lets it
                fit_to_form(w)
            if default is not None:
                w.setCurrentIndex(max(0, w.findData(default)))
            return w
        if kind == "bool":
            w = QCheckBox()
            w.setChecked(bool(default))
            return w
        if kind in ("officers", "evidence", "kinds"):
            w = QListWidget()
            items = officers if kind == "officers" else evidence if kind == "evidence" else field.options
            chosen = set(default or [])
            for value, label in items:
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, value)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if value in chosen else Qt.CheckState.Unchecked)
                w.addItem(item)
            w.setMaximumHeight(min(160, 26 * max(2, len(items)) + 6))
            return w
        if kind == "checklist":
            w = QTableWidget(len(field.options), 3)
            w.setHorizontalHeaderLabels([tr("ActionDialog", "Item"), tr("ActionDialog", "Finding"), tr("ActionDialog", "Comment")])
            for row, (value, label) in enumerate(field.options):
                name = QTableWidgetItem(label)
                name.setData(Qt.ItemDataRole.UserRole, value)
                name.setFlags(Qt.ItemFlag.ItemIsEnabled)
                w.setItem(row, 0, name)
                combo = QComboBox()
                combo.addItem(tr("ActionDialog", "Complies"), "pass")
                combo.addItem(tr("ActionDialog", "Problem"), "issue")
                combo.setObjectName(f"finding_{value}")
                w.setCellWidget(row, 1, combo)
                w.setItem(row, 2, QTableWidgetItem(""))
            w.horizontalHeader().setStretchLastSection(True)
            w.setColumnWidth(0, 200)
            w.setColumnWidth(1, 96)
            w.setMinimumHeight(300)
            return w
        if kind == "signatures":
            rule = signer_rules().get(self.kind)  # one line per signer the record needs (resources/law/signers.json)
            signers = default or tuple((role, "") for role in (rule.rows() if rule else ()))
            return SignaturesField(self.kind, signers, evidence, evidence,
                                   lambda: {k: v for k, v in self.payload().items() if k != "signatures"}, add_scan=self._add_scan)
        if kind == "elements":
            return ElementsField(field.options, field.hints, default if isinstance(default, Mapping) else {})
        if kind == "person":
            started = self.inputs.get("started_at")
            return PersonField(default if isinstance(default, Mapping) else {},
                               lambda: started.date() if started is not None else QDate.currentDate())
        if kind == "attachments":
            return AttachmentsField(default or (), self._add_file)
        w = QLineEdit("" if default is None else str(default))
        if kind == "yuan":
            w.setPlaceholderText("0.00")
        return w

    def value(self, field: Field) -> Any:
        w = self.inputs[field.key]
        kind = field.kind
        if kind == "long":
            return w.toPlainText().strip()
        if kind == "qa":
            pairs, question = [], None
            for line in w.toPlainText().splitlines():
                line = line.strip()
                if line.startswith(("问：", "问:", "Q:")):
                    question = line[2:].strip()
                elif line.startswith(("答：", "答:", "A:")) and question is not None:
                    pairs.append({"q": question, "a": line[2:].strip()})
                    question = None
            return pairs
        if kind == "date":
            return w.date().toString("yyyy-MM-dd")
        if kind == "moment":
            return w.dateTime().toString("yyyy-MM-ddTHH:mm")
        if kind in ("choice", "officer"):
            return w.currentData()
        if kind == "bool":
            return w.isChecked()
        if kind in ("officers", "evidence", "kinds"):
            return [w.item(i).data(Qt.ItemDataRole.UserRole) for i in range(w.count())
                    if w.item(i).checkState() == Qt.CheckState.Checked]
        if kind == "checklist":
            out = {}
            for row in range(w.rowCount()):
                key = w.item(row, 0).data(Qt.ItemDataRole.UserRole)
                comment = w.item(row, 2).text().strip() if w.item(row, 2) else ""
                out[key] = {"finding": w.cellWidget(row, 1).currentData(), "comment": comment}
            return out
        if kind == "signatures":
            return w.entries()
        if kind == "elements":
            return w.values()
        if kind == "person":
            return w.value()
        if kind == "attachments":
            return w.values()
        return w.text().strip()

    def payload(self) -> dict[str, Any]:
        data = {}
        for field in self.fields:
            if not self.shown(field):
                continue
            value = self.value(field)
            if value in ("", [], {}, None) and not field.required:
                continue
            if field.key == "days" and value:
                value = int(value) if str(value).isdigit() else value
            data[field.key] = value
        if self.extra is not None and hasattr(self.extra, "payload"):
            data.update(self.extra.payload())
        return data

    def make_draft(self, how: str) -> None:
        """Print the record as typed (``how`` = "print") or open it in the PDF viewer ("view")."""
        assert self._draft is not None
        self.clear_errors()
        self._draft(how, self.payload(), self.show_status, self.show_refusal)

    def show_status(self, text: str) -> None:
        self.bar.show_status(text)

    # --- sending and refusals -----------------------------------------------------------------------------

    def send(self) -> None:
        if self.confirm_text and not self._confirmed:
            self._ask(self.confirm_text, self._confirm_and_send)
            return
        if self._precheck is not None and not self._prechecked:  # asked in the worker; sent when nothing is asked
            self.buttons.setEnabled(False)
            self._precheck(self.payload(), self._question, self._checked_and_send)
            return
        self._confirmed = self._prechecked = False  # a refused step asks again when it is sent again
        self.clear_errors()
        self.buttons.setEnabled(False)
        self._submit(self.payload(), self._sent, self.show_refusal)

    def _confirm_and_send(self) -> None:
        self._confirmed = True
        self.send()

    def _question(self, text: str) -> None:
        self.buttons.setEnabled(True)
        self._ask(text, self._checked_and_send, answered_no=self._not_sent)

    def _checked_and_send(self) -> None:
        self._prechecked = True
        self.send()

    def _not_sent(self) -> None:
        self._confirmed = False

    def _ask(self, text: str, then: Callable[[], None], answered_no: Callable[[], None] | None = None) -> None:
        """A question over the form, answered without blocking the event loop (the worker keeps running)."""
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("confirm")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(tr("ActionDialog", "Yes"))
        box.button(QMessageBox.StandardButton.No).setText(tr("ActionDialog", "No"))
        box.finished.connect(lambda answer: then() if answer == QMessageBox.StandardButton.Yes else answered_no and answered_no())
        self.confirm_box = box
        box.open()

    def reject(self) -> None:
        """Cancel, Escape or the window's close: what was typed is not thrown away without asking."""
        if self.payload() != self._as_opened and self.buttons.isEnabled():
            self._ask(tr("ActionDialog", "Discard what you have entered in this form?"), super().reject)
            return
        super().reject()

    def _sent(self, _result: Any) -> None:
        self.buttons.setEnabled(True)
        self.accept()

    def clear_errors(self) -> None:
        self.bar.show_hint(self._hint)
        for key, line in self.errors.items():
            line.setText("")
            self.labels[key].setStyleSheet("")
        for widget in [*self.inputs.values(), self.extra]:
            if hasattr(widget, "clear_errors"):
                widget.clear_errors()

    def error_line(self, field: str) -> tuple[str, ErrorLine] | None:
        """The row and the line a refusal of ``field`` is shown on: its own field's (``fine_fen`` is asked as
        ``fine_yuan``; ``person.id_number`` inside the person's field), or the discretion panel's; None when the
        form does not ask it (or not now)."""
        key = field.split(".")[0].removesuffix("_fen") if field else ""
        for name in (key, key + "_yuan", field):
            if name in self.errors and self.shown(next(f for f in self.fields if f.key == name)):
                inner = getattr(self.inputs[name], "error_for", None)
                return name, (inner(field) if inner is not None and "." in field else None) or self.errors[name]
        line = self.extra.error_for(field) if field and hasattr(self.extra, "error_for") else None
        return ("", line) if line is not None else None

    def show_refusal(self, exc: BaseException) -> None:
        """Every refusal at once: each at its field's line (its label turns red), those of no field (or of one the form
        does not ask) at the top, with how many fields are to be put right."""
        self.buttons.setEnabled(True)
        self.clear_errors()
        if not isinstance(exc, RuleViolation):
            self.bar.show_message(f"{tr('ActionDialog', 'Not recorded')}：{exc}")
            return
        general, marked, first = [], set(), None
        for refusal in exc.refusals:
            found = self.error_line(refusal.field)
            if found is None:
                general.append(refusal.message)
                continue
            key, line = found
            line.setText(refusal.message if not line.text() else f"{line.text()}；{refusal.message}")
            if key:
                self.labels[key].setStyleSheet(f"color:{RED};")
                marked.add(key)
                first = first or self.rows[key]
        if marked:
            general.append(tr("ActionDialog", "%1 field(s) to put right: see the red lines under them.").replace("%1", str(len(marked))))
        self.bar.show_message("\n".join(general))
        if first is not None:
            self.scroll.ensureWidgetVisible(first, 0, 40)


class ElementsField(QWidget):
    """The facts as the elements of the case's benchmark entry: one line per element, what to write shown in it
    (``options``: (key, name) with ``*`` on a required one; ``hints`` in the same order)."""

    def __init__(self, options: Sequence[tuple[str, str]], hints: Sequence[str], values: Mapping[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.lines: dict[str, QLineEdit] = {}
        for n, (key, name) in enumerate(options):
            line = QLineEdit(str(values.get(key, "")))
            line.setObjectName(f"element_{key}")
            if n < len(hints) and hints[n]:
                line.setPlaceholderText(hints[n])
                line.setToolTip(hints[n])
            self.lines[key] = line
            layout.addRow(name, line)

    def values(self) -> dict[str, str]:
        return {key: line.text().strip() for key, line in self.lines.items() if line.text().strip()}
