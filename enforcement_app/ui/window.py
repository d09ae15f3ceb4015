"""The main window, the login and lock dialogs, and the new-case dialog."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain import power_list
from ..domain.forms import CHINA
from ..domain.identity import InvalidIdentityNumber, validate_id_number, validate_uscc
from ..domain.labels import CASE_SOURCE_ZH
from ..domain.officers import ROLE_ZH, Role
from ..domain.permissions import Permissions
from ..domain.refusals import RuleViolation
from ..services.bundles import UntrustedDevice
from .dashboard import DashboardPage
from .forms import (
    RED,
    ErrorLine,
    MessageBar,
    fit_to_form,
    fitting,
    form_layout,
    label_text,
    row_label,
    with_error_line,
)
from .i18n import LANGUAGES, tr
from .pages import AdminPage, CasesPage, EvaluationPage, InboxPage
from .signature_pad import SignaturesField
from .worker import Written
from .workspace import CaseWorkspace

IDLE_LOCK_MINUTES = 10
STYLE = """
QMainWindow, QDialog { background: #f5f7fa; }
QListWidget#navigation { background: #1a3a5c; color: #e3eaf2; border: none; font-size: 11pt; }
QListWidget#navigation::item { padding: 10px 14px; }
QListWidget#navigation::item:selected { background: #2d5f8f; color: white; }
QPushButton { padding: 5px 12px; }
QPushButton[objectName^="action_"] { background: #1565c0; color: white; border-radius: 3px; padding: 6px 10px; }
QPushButton[objectName^="action_"]:disabled { background: #90a4ae; }
QHeaderView::section { background: #e3e8ef; padding: 4px; border: none; border-right: 1px solid #cfd8dc; }
QTableView { background: white; alternate-background-color: #f7f9fc; gridline-color: #e0e6ed; }
QLabel#case_header { padding: 6px 2px; }
"""


class LoginDialog(QDialog):
    def __init__(self, worker, *, login: str = "", language: str = "zh_CN", parent=None):
        super().__init__(parent)
        self.setObjectName("login_dialog")
        self.setWindowTitle(tr("LoginDialog", "Enforcement case recorder — log in"))
        self.worker = worker
        self.officer = None
        layout = QVBoxLayout(self)
        title = QLabel(tr("LoginDialog", "Administrative enforcement case recorder"))
        title.setStyleSheet("font-size:16pt; font-weight:600; color:#1a3a5c; padding:8px 0;")
        layout.addWidget(title)
        form = QFormLayout()
        self.login = QLineEdit(login)
        self.login.setObjectName("login")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(language)))
        form.addRow(tr("LoginDialog", "User"), self.login)
        form.addRow(tr("LoginDialog", "Password"), self.password)
        form.addRow(tr("LoginDialog", "Language"), self.language)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("login_error")
        self.error.setStyleSheet("color:#c62828;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("LoginDialog", "Log in"))
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("do_login")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("LoginDialog", "Quit"))
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        worker.logged_in.connect(self._result)
        self.resize(420, 230)

    def try_login(self) -> None:
        self.error.setText(tr("LoginDialog", "Checking…"))
        self.buttons.setEnabled(False)
        self.worker.login(self.login.text().strip(), self.password.text())

    def _result(self, result: Any) -> None:
        self.buttons.setEnabled(True)
        if isinstance(result, BaseException):
            self.error.setText(str(result))
            self.password.selectAll()
            return
        self.officer = result
        self.accept()


class NewCaseDialog(QDialog):
    """Register the party (ID or USCC checked as you type) and the lead, in one step of the worker. The case is
    chosen by the conduct's short name, which is its cause (案由) and so its title, unless the officer writes another.
    Refusals are shown at their fields, those of no field at the top; the form scrolls, its buttons stay."""

    ALIASES = {"uscc": "number", "id_number": "number", "fine_yuan": "fine_fen", "officers": "handlers", "at": "act_date"}

    def __init__(self, worker, actor, officers: list[tuple[str, str]], entries: list[tuple[str, str, str]], parent=None,
                 now: datetime | None = None):
        super().__init__(parent)
        self.setObjectName("new_case_dialog")
        self.setWindowTitle(tr("NewCaseDialog", "New case"))
        self.worker = worker
        self.actor = actor
        self.case_id = ""
        self.errors: dict[str, ErrorLine] = {}
        self.labels: dict[str, QLabel] = {}
        self.rows: dict[str, QWidget] = {}
        moment = (now or datetime.now(CHINA)).astimezone(CHINA)  # the services' clock (a demo's, a test's), China's time without it
        self._spot_at = moment.strftime("%Y-%m-%dT%H:%M")  # the moment of an on-the-spot decision
        outer = QVBoxLayout(self)
        self.bar = MessageBar()
        self.error = self.bar.message
        self.bar.show_hint(tr("NewCaseDialog", "Fields marked * must be filled in."))
        outer.addWidget(self.bar)
        body = QWidget()
        form = form_layout(body)
        self.kind = QComboBox()
        self.kind.setObjectName("party_kind")
        self.kind.addItem(tr("NewCaseDialog", "Organisation"), "organisation")
        self.kind.addItem(tr("NewCaseDialog", "Person"), "person")
        self.name = QLineEdit()
        self.name.setObjectName("party_name")
        self.number = QLineEdit()
        self.number.setObjectName("party_number")
        self.number_state = QLabel()
        self.number_state.setObjectName("number_state")
        self.number_state.setFixedHeight(self.number_state.fontMetrics().height() + 2)  # shown as you type: kept room
        self.representative = QLineEdit()
        self.representative.setObjectName("representative")
        self.address = QLineEdit()
        self.address.setObjectName("address")
        self.cause = QLineEdit()
        self.cause.setObjectName("cause")
        self.entry = fit_to_form(QComboBox())
        self.entry.setObjectName("cause_entry")
        self.entry.addItem(tr("NewCaseDialog", "(none)"), "")
        for entry_id, name, cause in entries:  # by the conduct's short name; the statute's words on hover
            self.entry.addItem(name, entry_id)
            self.entry.setItemData(self.entry.count() - 1, cause, Qt.ItemDataRole.ToolTipRole)
        self.entry.currentIndexChanged.connect(self._entry_chosen)
        self.entries = {entry_id: name for entry_id, name, _cause in entries}
        self._named_by_entry = ""  # the cause as the last entry chosen named it (not typed by the officer)
        self.act_date = QDateEdit(moment.date())
        self.act_date.setObjectName("act_date")
        self.act_date.setCalendarPopup(True)
        self.act_date.setDisplayFormat("yyyy-MM-dd")
        self.source = QComboBox()
        self.source.setObjectName("source")
        for value, label in CASE_SOURCE_ZH.items():
            self.source.addItem(label, value)
        self.second = QComboBox()
        self.second.setObjectName("second_officer")
        for officer_id, name in officers:
            if officer_id != actor.id:
                self.second.addItem(name, officer_id)
        self.summary = QLineEdit()
        self.summary.setObjectName("summary")
        self.procedure = QComboBox()
        self.procedure.setObjectName("procedure")
        self.procedure.addItem(tr("NewCaseDialog", "General procedure (lead to be filed)"), "general")
        self.procedure.addItem(tr("NewCaseDialog", "Simple procedure (decided on the spot)"), "simple")
        self.simple = QWidget()
        simple = form_layout(self.simple)
        simple.setContentsMargins(0, 0, 0, 0)
        self.place = QLineEdit()
        self.place.setObjectName("place")
        self.facts = QLineEdit()
        self.facts.setObjectName("facts")
        self.basis = QLineEdit()
        self.basis.setObjectName("basis")
        self.penalty = QComboBox()
        self.penalty.setObjectName("penalty")
        self.penalty.addItem(tr("NewCaseDialog", "Fine"), "fine")
        self.penalty.addItem(tr("NewCaseDialog", "Warning"), "warning")
        self.fine = QLineEdit()
        self.fine.setObjectName("fine_yuan")
        self.form_no = QLineEdit()
        self.form_no.setObjectName("form_no")
        self.shown = QCheckBox(tr("NewCaseDialog", "Certificates shown to the party"))
        self.shown.setObjectName("certificates_shown")
        self.shown.setChecked(True)
        # the party signs for the on-the-spot form (or refuses before a witness): drawn on the pad over the decision's text
        self.signed = SignaturesField("record_simple_decision", (("party", ""),), (), (), self._spot_payload)
        self.signed.setObjectName("party_signature")
        for key, label, widget, required in (("place", tr("NewCaseDialog", "Place"), self.place, True),
                                             ("facts", tr("NewCaseDialog", "Facts"), self.facts, True),
                                             ("basis", tr("NewCaseDialog", "Legal basis"), self.basis, True),
                                             ("penalty_kinds", tr("NewCaseDialog", "Penalty"), self.penalty, True),
                                             ("fine_fen", tr("NewCaseDialog", "Fine (yuan)"), self.fine, False),
                                             ("form_no", tr("NewCaseDialog", "Pre-printed form number"), self.form_no, True)):
            self._row(simple, key, label, widget, required)
        simple.addRow(self.shown)
        self._row(simple, "signatures", tr("NewCaseDialog", "Party's signature"), self.signed, False)
        self.simple.hide()
        self.procedure.currentIndexChanged.connect(lambda _: self.simple.setVisible(self.procedure.currentData() == "simple"))
        self._row(form, "procedure", tr("NewCaseDialog", "Procedure"), self.procedure, False)
        self._row(form, "kind", tr("NewCaseDialog", "Party kind"), self.kind, False)
        self._row(form, "name", tr("NewCaseDialog", "Name"), self.name, True)
        number = QWidget()
        column = QVBoxLayout(number)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.number)
        column.addWidget(self.number_state)
        self._row(form, "number", tr("NewCaseDialog", "ID number / USCC"), number, True)
        self._row(form, "legal_representative", tr("NewCaseDialog", "Legal representative"), self.representative, False)
        self._row(form, "address", tr("NewCaseDialog", "Address"), self.address, True)
        self._row(form, "cause_entry", tr("NewCaseDialog", "Conduct (benchmark entry)"), self.entry, False)
        self._row(form, "cause", tr("NewCaseDialog", "Cause"), self.cause, True)
        self._row(form, "act_date", tr("NewCaseDialog", "Date of the act"), self.act_date, True)
        self._row(form, "source", tr("NewCaseDialog", "Source"), self.source, False)
        self._row(form, "handlers", tr("NewCaseDialog", "Second officer"), self.second, True)
        self._row(form, "summary", tr("NewCaseDialog", "Lead summary"), self.summary, False)
        form.addRow(self.simple)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("new_case_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("create_case")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("NewCaseDialog", "Create the case"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("NewCaseDialog", "Cancel"))
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.buttons = buttons
        self.number.textChanged.connect(self.check_number)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self._kind_chosen()
        self.resize(fitting(680, 720, self))

    def _kind_chosen(self, _index: int = 0) -> None:
        """An organisation is registered by its USCC with its legal representative (required); a person by the
        citizen ID number, without one."""
        organisation = self.kind.currentData() == "organisation"
        self.labels["number"].setText(label_text(tr("NewCaseDialog", "Unified social credit code") if organisation
                                                 else tr("NewCaseDialog", "Citizen ID number"), True))
        self.labels["legal_representative"].setText(label_text(tr("NewCaseDialog", "Legal representative"), organisation))
        self.rows["legal_representative"].parentWidget().layout().setRowVisible(self.rows["legal_representative"], organisation)
        self.check_number(self.number.text())

    def _row(self, form: QFormLayout, key: str, label: str, widget: QWidget, required: bool) -> None:
        """A row of the form: its label (a red asterisk when required) and the field above the line its refusal shows on."""
        holder, error = with_error_line(widget, f"error_{key}")
        title = row_label(label, required, f"label_{key}")
        form.addRow(title, holder)
        self.errors[key], self.labels[key], self.rows[key] = error, title, holder

    def show_refusal(self, exc: BaseException) -> None:
        """Each refusal at its field, all at once; those of no field (or one this form does not show) at the top."""
        for key, line in self.errors.items():
            line.setText("")
            self.labels[key].setStyleSheet("")
        general, marked = [], 0
        for refusal in exc.refusals if isinstance(exc, RuleViolation) else ():
            key = refusal.field.split(".")[0] if refusal.field else ""
            key = self.ALIASES.get(key, key)
            line = self.errors.get(key)
            if line is None or not self.rows[key].isVisibleTo(self):
                general.append(refusal.message)
                continue
            line.setText(refusal.message if not line.text() else f"{line.text()}；{refusal.message}")
            self.labels[key].setStyleSheet(f"color:{RED};")
            marked += 1
        if not isinstance(exc, RuleViolation):
            general.append(str(exc))
        if marked:
            general.append(tr("ActionDialog", "%1 field(s) to put right: see the red lines under them.").replace("%1", str(marked)))
        self.bar.show_message("\n".join(general))
        self.buttons.setEnabled(True)

    def _entry_chosen(self, _index: int) -> None:
        """The cause (案由), and so the case's title, is the entry's short name unless the officer wrote another."""
        entry = self.entry.currentData()
        typed = self.cause.text().strip()
        if entry and (not typed or typed == self._named_by_entry):
            self._named_by_entry = self.entries.get(entry, "")
            self.cause.setText(self._named_by_entry)

    def check_number(self, text: str) -> bool:
        text = text.strip().upper()
        if not text:
            self.number_state.setText("")
            return False
        try:
            (validate_uscc if self.kind.currentData() == "organisation" else validate_id_number)(text)
        except InvalidIdentityNumber as exc:
            self.number_state.setText(f"✘ {exc}")
            self.number_state.setStyleSheet("color:#c62828;")
            return False
        self.number_state.setText("✔ " + tr("NewCaseDialog", "check digit correct"))
        self.number_state.setStyleSheet("color:#2e7d32;")
        return True

    def _spot_payload(self) -> dict:
        """The on-the-spot decision as the form holds it now (what the party signs for)."""
        spot = {"at": self._spot_at, "place": self.place.text().strip(), "cause": self.cause.text().strip(),
                "cause_entry": self.entry.currentData() or "", "facts": self.facts.text().strip(), "basis": self.basis.text().strip(),
                "form_no": self.form_no.text().strip(), "penalty_kinds": [self.penalty.currentData()],
                "officers": [self.actor.id, self.second.currentData()], "certificates_shown": self.shown.isChecked()}
        if self.penalty.currentData() == "fine":
            spot["fine_yuan"] = self.fine.text().strip()
        return spot

    def create(self) -> None:
        organisation = self.kind.currentData() == "organisation"
        party = {"kind": self.kind.currentData(), "name": self.name.text().strip(), "address": self.address.text().strip(),
                 ("uscc" if organisation else "id_number"): self.number.text().strip().upper()}
        if organisation:
            party["legal_representative"] = self.representative.text().strip()
        lead = {"source": self.source.currentData(), "act_date": self.act_date.date().toString("yyyy-MM-dd"),
                "cause": self.cause.text().strip(), "cause_entry": self.entry.currentData() or "",
                "summary": self.summary.text().strip(), "handlers": [self.actor.id, self.second.currentData()]}

        simple = self.procedure.currentData() == "simple"
        spot = {**self._spot_payload(), "signatures": self.signed.entries()}

        def job(session, _job):  # party and case together: a refused case leaves no party behind
            return session.register_party_and_case(party, spot if simple else lead, simple=simple)

        self.buttons.setEnabled(False)
        self.worker.write(job, self._created, self.show_refusal)

    def _created(self, written: Written) -> None:
        self.case_id = written.result
        self.accept()


class IdleLock(QObject):
    """Locks the window after a period without input; the user's password unlocks it."""

    def __init__(self, window: MainWindow, minutes: int):
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.timer.timeout.connect(self.lock)
        QApplication.instance().installEventFilter(self)
        self.timer.start()
        self.locked = False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove) and not self.locked:
            self.timer.start()
        return False

    def lock(self) -> None:
        self.locked = True
        self.window.centralWidget().hide()
        dialog = LoginDialog(self.window.worker, login=self.window.actor.login, parent=self.window)
        dialog.setWindowTitle(tr("IdleLock", "Locked — enter your password"))
        dialog.login.setReadOnly(True)
        dialog.setObjectName("lock_dialog")
        dialog.finished.connect(self._unlocked)
        dialog.open()
        self.dialog = dialog

    def _unlocked(self, result: int) -> None:
        self.window.worker.logged_in.disconnect(self.dialog._result)
        if result != QDialog.DialogCode.Accepted:
            self.window.close()
            return
        self.locked = False
        self.window.centralWidget().show()
        self.timer.start()


def start_page(actor, pages) -> str:
    """Where a user lands: where their work is. The inbox for whoever handles, reviews or approves cases (it lists
    their tasks with due days): a head lands on the approvals waiting for them, the dashboard one click away; an
    evaluator who does nothing else on the closed and archived files to score; an administrator who does nothing
    else on the agency's administration — their work is the officers, the settings and the check of the record,
    and the dashboard, a picture of the handlers' work rather than theirs, is beside it in the navigation."""
    working = {Role.OFFICER, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD}
    if not actor.roles & working:
        if actor.has_role(Role.EVALUATOR) and "evaluation" in pages:
            return "evaluation"
        if actor.has_role(Role.ADMIN) and "admin" in pages:
            return "admin"
    return "inbox"


class MainWindow(QMainWindow):
    switch_requested = Signal()  # the user logs out so that another may log in (see Desk)

    def __init__(self, worker, actor, db_path: Path, today: date, *, idle_minutes: int = IDLE_LOCK_MINUTES, demo: bool = False,
                 network=None):
        super().__init__()
        self.setObjectName("main_window")
        self.worker = worker
        self.actor = actor
        self.db_path = db_path
        demo_note = f" — {tr('MainWindow', 'demo database')}（{db_path.name}）" if demo else ""
        self.setWindowTitle(tr("MainWindow", "Enforcement case recorder") + f" — {actor.name}{demo_note}")
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(150)
        self.stack = QStackedWidget()
        row.addWidget(self.navigation)
        content = QWidget()
        column = QVBoxLayout(content)
        self.toolbar = QHBoxLayout()
        column.addLayout(self.toolbar)
        column.addWidget(self.stack, 1)
        row.addWidget(content, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, QWidget] = {}
        self.inbox = InboxPage(worker)
        self.inbox.case_chosen.connect(self.show_case)
        self._add("inbox", tr("MainWindow", "Inbox"), self.inbox)
        self.cases = CasesPage(worker, db_path, today, actor)
        self.cases.case_chosen.connect(self.show_case)
        self._add("cases", tr("MainWindow", "Cases"), self.cases)
        self.workspace = CaseWorkspace(worker)
        self._add("case", tr("MainWindow", "Case"), self.workspace)
        if not Permissions.default().refusals(actor, "view_dashboard"):  # heads and administrators (permissions.json)
            self.dashboard = DashboardPage(worker)
            self.dashboard.case_chosen.connect(self.show_case)
            self._add("dashboard", tr("MainWindow", "Agency's work"), self.dashboard)
        if actor.has_role(Role.EVALUATOR):
            self.evaluation = EvaluationPage(worker, db_path, today, actor)
            self._add("evaluation", tr("MainWindow", "Evaluation"), self.evaluation)
        if actor.has_role(Role.ADMIN):
            self.admin = AdminPage(worker)
            self._add("admin", tr("MainWindow", "Administration"), self.admin)
        self.navigation.currentRowChanged.connect(self._navigate)
        if actor.has_role(Role.OFFICER):
            new = QPushButton(tr("MainWindow", "New case…"))
            new.setObjectName("new_case")
            new.setToolTip(tr("MainWindow", "Register a lead: the party, the cause and the two handling officers (Ctrl+N)"))
            new.clicked.connect(self.new_case)
            self.toolbar.addWidget(new)
        self.bundles = bool(actor.roles & {Role.OFFICER, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, Role.ADMIN})
        if self.bundles:
            for name, label, tip, slot in (
                    ("export_bundle", tr("MainWindow", "Export case bundle…"),
                     tr("MainWindow", "Write the case open now, or every case, to a bundle file for another machine"), lambda: self.export_bundle()),
                    ("import_bundle", tr("MainWindow", "Import case bundle…"),
                     tr("MainWindow", "Check a bundle from another machine whole and add what is new to this record"), lambda: self.import_bundle())):
                button = QPushButton(label)
                button.setObjectName(name)
                button.setToolTip(tip)
                button.clicked.connect(slot)
                self.toolbar.addWidget(button)
        self.toolbar.addStretch(1)
        switch = QPushButton(tr("MainWindow", "Switch user"))
        switch.setObjectName("switch_user")
        switch.setToolTip(tr("MainWindow", "Log out and let another user log in at this desk (Ctrl+Shift+L)"))
        switch.clicked.connect(self.switch_requested.emit)
        self.toolbar.addWidget(switch)
        self.busy = QLabel()
        self.busy.setObjectName("busy")
        self.toolbar.addWidget(self.busy)
        worker.busy_changed.connect(self._busy)  # methods, not lambdas: disconnected when a switched-from window goes
        worker.refused.connect(self._refused)  # the failures no operation handles itself
        roles = "、".join(ROLE_ZH[r] for r in sorted(actor.roles, key=lambda r: r.value))
        self.statusBar().showMessage(f"{actor.name}（{roles}）　{db_path}")
        self.network = network  # ui.network_link.NetworkLink, or None
        if network is not None and network.joined:
            self.link_status = QLabel()
            self.link_status.setObjectName("link_status")
            self.statusBar().addPermanentWidget(self.link_status)
            self._link_status(*network.describe())
            network.status_changed.connect(self._link_status)
        self._menus()
        self.navigation.setCurrentRow(list(self.pages).index(start_page(actor, self.pages)))
        self.inbox.refresh()
        self.lock = IdleLock(self, idle_minutes)
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 740)
        self.maximised = _wants_maximised(settings.value("main/maximised"), QGuiApplication.primaryScreen())
        for key, splitter in self._splitters().items():
            state = settings.value(f"layout/{key}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)

    def present(self) -> None:
        """Show the window as the user left it: maximised if it was, and at first on a laptop's screen."""
        if self.maximised:
            self.showMaximized()
        else:
            self.show()

    def _menus(self) -> None:
        """The common acts in the menu bar, each with its shortcut (the same acts as the buttons, for the keyboard)."""
        bar = self.menuBar()
        cases = bar.addMenu(tr("MainWindow", "&Case"))
        if self.actor.has_role(Role.OFFICER):
            self._act(cases, "menu_new_case", tr("MainWindow", "New case…"), "Ctrl+N", self.new_case)
        self._act(cases, "menu_search", tr("MainWindow", "Search cases"), "Ctrl+F", self.search_cases)
        self._act(cases, "menu_refresh", tr("MainWindow", "Refresh"), "F5", self.refresh_page)
        self.print_action = self._act(cases, "menu_print", tr("MainWindow", "Print the chosen document…"), "Ctrl+P",
                                      lambda: self.workspace.deliver_document("print"))
        if self.bundles:
            cases.addSeparator()
            self._act(cases, "menu_export_bundle", tr("MainWindow", "Export case bundle…"), "", lambda: self.export_bundle())
            self._act(cases, "menu_import_bundle", tr("MainWindow", "Import case bundle…"), "", lambda: self.import_bundle())
        view = bar.addMenu(tr("MainWindow", "&View"))
        for n, key in enumerate(self.pages):
            self._act(view, f"menu_page_{key}", self.navigation.item(n).text(), f"Ctrl+{n + 1}" if n < 9 else "",
                      lambda _=False, key=key: self.show_page(key))
        user = bar.addMenu(tr("MainWindow", "&User"))
        self._act(user, "menu_switch_user", tr("MainWindow", "Switch user"), "Ctrl+Shift+L", self.switch_requested.emit)
        self._act(user, "menu_quit", tr("MainWindow", "Quit"), "Ctrl+Q", self.close)
        self._print_available()

    def _act(self, menu, name: str, text: str, shortcut: str, slot) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _print_available(self) -> None:
        """Printing needs a case open: it is offered there, and says why it is not elsewhere."""
        on_case = self.stack.currentWidget() is self.workspace and bool(self.workspace.case_id)
        self.print_action.setEnabled(on_case)
        self.print_action.setToolTip(tr("MainWindow", "Prints the document chosen in the case's document list") if on_case
                                     else tr("MainWindow", "Open a case first: printing is of its documents"))

    def search_cases(self) -> None:
        self.show_page("cases")
        self.cases.search.setFocus()
        self.cases.search.selectAll()

    def refresh_page(self) -> None:
        """Read the page shown again (what another program or desk wrote since)."""
        page = self.stack.currentWidget()
        if page is self.cases:
            self.cases.model.refresh(())
        elif page is self.workspace and self.workspace.case_id:
            self.workspace.reload()
        elif hasattr(page, "refresh"):
            page.refresh()

    def _add(self, key: str, title: str, page: QWidget) -> None:
        self.pages[key] = page
        self.stack.addWidget(page)
        self.navigation.addItem(title)

    def _navigate(self, row: int) -> None:
        key = list(self.pages)[row]
        self.stack.setCurrentWidget(self.pages[key])
        if hasattr(self, "print_action"):
            self._print_available()
        if key == "inbox":
            self.inbox.refresh()
        elif key == "admin":
            self.admin.refresh()

    def show_page(self, key: str) -> None:
        self.navigation.setCurrentRow(list(self.pages).index(key))

    def show_case(self, case_id: str) -> None:
        self.workspace.open(case_id)
        self.show_page("case")

    def new_case(self) -> NewCaseDialog | None:
        def job(session, _job):
            services = session.services
            today = services.today()
            officers = [(o.id, o.name) for o in services.officers().values() if o.active and o.has_role(Role.OFFICER)
                        and o.certificate_on(today) is not None]
            # only what the agency may penalise: an entry outside its power list would be refused (Art. 17)
            library, powers = services.benchmarks(), services.power_list_versions()
            entries = [choice for choice in library.choices(today)
                       if not power_list.entry_refusals(choice[0], today, powers, library)]
            return officers, entries, services.clock()

        def show(result):
            officers, entries, now = result
            dialog = NewCaseDialog(self.worker, self.actor, officers, entries, parent=self, now=now)
            dialog.accepted.connect(lambda: self.show_case(dialog.case_id))
            dialog.open()
            self.new_case_dialog = dialog

        self.worker.read(job, show)
        return None

    def export_bundle(self, path: str | None = None, *, only_open_case: bool | None = None, to_device: str | None = None,
                      plain: bool = False) -> None:
        """Write a case bundle for another machine: the case open in the workspace, or every case; encrypted
        for ``to_device``, or the device the user chooses, unless ``plain`` (or the user chooses no encryption)."""
        case_id = self.workspace.case_id if self.stack.currentWidget() is self.workspace else ""
        if only_open_case is None and case_id:
            answer = QMessageBox.question(self, tr("MainWindow", "Export case bundle"),
                                          tr("MainWindow", "Only the case open now? (No: every case)"))
            only_open_case = answer == QMessageBox.StandardButton.Yes
        target = path or QFileDialog.getSaveFileName(self, tr("MainWindow", "Export case bundle"), "", "案件包 (*.ecb)")[0]
        if not target:
            return
        cases = [case_id] if only_open_case and case_id else None
        if to_device is None and not plain:
            self.worker.read(lambda session, job: session.services.receiving_devices(),
                             lambda devices: self._choose_receiver(devices, target, cases))
            return
        self._write_bundle(target, cases, to_device, plain)

    def _choose_receiver(self, devices: list[dict[str, str]], target: str, cases: list[str] | None) -> None:
        """Ask which device the bundle is encrypted for (bundles hold full identity numbers), or none."""
        items = [f"{d['name'] or d['device_id']}（{d['device_id'][:8]}）" for d in devices]
        items.append(tr("MainWindow", "No encryption (the bundle holds full identity numbers: only for media kept safe)"))
        choice, ok = QInputDialog.getItem(self, tr("MainWindow", "Export case bundle"),
                                          tr("MainWindow", "Encrypt the bundle for the device that will import it "
                                                           "(a device is listed once a bundle from it has been imported):"),
                                          items, 0, False)
        if ok:
            chosen = items.index(choice)
            self._write_bundle(target, cases, devices[chosen]["device_id"] if chosen < len(devices) else None, chosen == len(devices))

    def _write_bundle(self, target: str, cases: list[str] | None, to_device: str | None, plain: bool) -> None:
        def written(w: Written) -> None:
            r = w.result
            sealed = f"加密给设备 {r.encrypted_to}" if r.encrypted_to else "未加密"
            self._tell(tr("MainWindow", "Case bundle written"),
                       f"{r.path}\n{r.cases} 件案件，{r.events} 条记录，{r.evidence_files} 个证据文件，{r.bytes / 1e6:.1f} MB，{sealed}")

        # a write: the export is recorded against the receiving device
        self._run_with_progress(tr("MainWindow", "Writing the case bundle…"),
                                lambda session, job: session.export_bundle(target, cases=cases, to_device=to_device, encrypt=not plain),
                                written)

    def import_bundle(self, path: str | None = None, trust_new: bool = False) -> None:
        """Check a bundle whole and add what is new; then show what arrived. A bundle from a device seen for
        the first time asks an administrator to compare and trust the device's key fingerprint."""
        source = path or QFileDialog.getOpenFileName(self, tr("MainWindow", "Import case bundle"), "", "案件包 (*.ecb)")[0]
        if not source:
            return

        def refused(exc: BaseException) -> None:
            if isinstance(exc, UntrustedDevice) and not exc.key_changed and self.actor.has_role(Role.ADMIN):
                answer = QMessageBox.question(self, tr("MainWindow", "A device not yet trusted"),
                                              tr("MainWindow", "Device %1 sent this bundle; its key fingerprint is\n\n%2\n\n"
                                                 "Compare it with the fingerprint shown on that machine (bundle devices). Trust it?")
                                              .replace("%1", exc.name or exc.device).replace("%2", exc.fingerprint))
                if answer == QMessageBox.StandardButton.Yes:
                    self.import_bundle(source, trust_new=True)
                    return
            self._refused(exc)

        def arrived(written: Written) -> None:
            r = written.result
            lines = [f"来自设备 {r.from_name or r.from_device}", f"新增记录 {r.new_events} 条（已有 {r.known_events} 条）",
                     f"新案件 {len(r.new_cases)} 件：{'、'.join(r.new_cases[:10])}", f"更新案件 {len(r.updated_cases)} 件：{'、'.join(r.updated_cases[:10])}",
                     f"证据文件 {r.evidence_files} 个"]
            lines += [f"审批/审核：{a}" for a in r.approvals]
            lines += [f"冲突（未覆盖本机设置）：{c}" for c in r.conflicts]
            self._tell(tr("MainWindow", "Case bundle imported"), "\n".join(lines))

        self._run_with_progress(tr("MainWindow", "Checking and importing the case bundle…"),
                                lambda session, job: session.import_bundle(
                                    source, lambda: job.cancelled, trust_new,
                                    lambda done_, total: job.progress(done_ * 1000 // max(total, 1), 1000)),  # Qt's int is 32 bits
                                arrived, cancellable=True, failed=refused)

    def _run_with_progress(self, text: str, job, done, cancellable: bool = False, failed=None):
        """A write (both bundle directions record an event) behind a window-modal progress dialog."""
        progress = QProgressDialog(text, tr("MainWindow", "Cancel"), 0, 0, self)
        progress.setObjectName("bundle_progress")
        if not cancellable:
            progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.show()
        def advanced(done_: int, total: int) -> None:
            progress.setMaximum(total)
            progress.setValue(min(total, done_))

        handle = self.worker.write(job, lambda r: (progress.close(), done(r)),
                                   lambda exc: (progress.close(), (failed or self._refused)(exc)), on_progress=advanced)
        progress.canceled.connect(handle.cancel)
        return handle

    def _link_status(self, text: str, tip: str) -> None:
        self.link_status.setText(text)
        self.link_status.setToolTip(tip)

    def _busy(self, busy: bool) -> None:
        self.busy.setText(tr("MainWindow", "Working…") if busy else "")

    def _refused(self, exc: BaseException) -> None:
        """Show a failure no handler of its own took: the refusal's plain Chinese message."""
        self._tell(tr("MainWindow", "Refused"), _message(exc), warning=True)

    def _tell(self, title: str, text: str, warning: bool = False) -> None:
        self.last_message = text
        box = QMessageBox(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("message_box")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _splitters(self) -> dict[str, Any]:
        found = {"workspace": self.workspace.split}
        if hasattr(self, "evaluation"):
            found["evaluation"] = self.evaluation.split
        return found

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/maximised", self.isMaximized())
        for key, splitter in self._splitters().items():
            settings.setValue(f"layout/{key}", splitter.saveState())
        self.release()
        super().closeEvent(event)

    def release(self) -> None:
        """Stop the timers and threads that read this window's own connections, then close them (on closing,
        and on switching user). Safe to call more than once."""
        self.lock.timer.stop()
        self.cases.close_index()
        if hasattr(self, "evaluation"):
            self.evaluation.cases.close_index()


LAPTOP = (1366, 768)  # a screen this size or smaller: the window opens maximised the first time


def _wants_maximised(remembered, screen) -> bool:
    """Maximised as the user last left it; the first time, on a laptop's screen (the window would not fit)."""
    if remembered is not None:
        return str(remembered).lower() in ("true", "1")
    if screen is None:
        return False
    size = screen.size()
    return size.width() <= LAPTOP[0] or size.height() <= LAPTOP[1]


def _message(exc: BaseException) -> str:
    if isinstance(exc, RuleViolation):
        return "\n".join(r.message for r in exc.refusals)
    return str(exc)


def apply_style(app: QApplication) -> None:
    app.setStyleSheet(STYLE)
    font = app.font()
    font.setPointSize(10)
    app.setFont(font)
    app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)


def _disconnect_from(worker, window: MainWindow) -> None:
    """Cut a window (and its pages) off the worker's signals before it goes, so that no later job reaches it."""
    worker.busy_changed.disconnect(window._busy)
    worker.refused.disconnect(window._refused)
    if getattr(window, "link_status", None) is not None:
        window.network.status_changed.disconnect(window._link_status)
    for page in window.findChildren(QObject):
        if callable(getattr(type(page), "on_changes", None)):  # the pages that follow the worker's changes
            worker.changed.disconnect(page.on_changes)


class Desk(QObject):
    """One desk, many users: the window of whoever is logged in, and switching to another without restarting
    (an office computer is shared; a head signs off between two officers). Switching hides the window, asks for
    the next login on the same worker and, once someone logs in, replaces the window with theirs; quitting the
    login closes the program rather than return to the previous user's window without their password."""

    def __init__(self, worker, db_path: Path, today: date, *, demo: bool = False, language: str = "zh_CN", quit=None,
                 network=None):
        super().__init__()
        self.worker, self.db_path, self.today, self.demo, self.language = worker, db_path, today, demo, language
        self.network = network
        self.quit = quit or QApplication.quit
        self.window: MainWindow | None = None
        self.dialog: LoginDialog | None = None

    def start(self, officer) -> MainWindow:
        window = MainWindow(self.worker, officer, self.db_path, self.today, demo=self.demo, network=self.network)
        window.switch_requested.connect(self.switch)
        window.present()
        self.window = window
        return window

    def switch(self) -> LoginDialog:
        old = self.window
        if old is not None:
            old.hide()
        dialog = LoginDialog(self.worker, language=self.language)
        dialog.setObjectName("switch_user_dialog")
        dialog.finished.connect(lambda result: self._switched(old, dialog, result))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _switched(self, old, dialog: LoginDialog, result: int) -> None:
        self.worker.logged_in.disconnect(dialog._result)
        self.dialog = None
        if old is not None:
            old.release()
            _disconnect_from(self.worker, old)
            old.close()
            old.deleteLater()
        if result == QDialog.DialogCode.Accepted and dialog.officer is not None:
            self.start(dialog.officer)
        else:
            self.window = None
            self.quit()
