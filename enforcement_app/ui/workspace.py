"""The case workspace: the procedure as a stepper, deadlines, the next allowed actions with a form each,
every blocked action with its reason, the evidence as a gallery (ui/gallery.py), and the process record."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QColor, QImageReader, QPixmap
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.case import STAGE_ZH, Stage, stage_reached
from ..domain.evidence_media import AV_RECORDED_KINDS, default_kind, is_picture, media_type_of
from ..domain.handwriting import signer_rules
from ..domain.labels import APPROVAL_MATTER_ZH, RELATION_SUGGESTIONS, served_document_zh
from ..domain.money import format_yuan
from ..domain.officers import Role
from ..domain.penalties import PENALTY_KIND_ZH, PenaltyKind
from ..domain.permissions import Permissions
from ..domain.procedure import ACTIONS, signed_kinds, title_of
from ..domain.procedure.correction import correctable
from ..domain.procedure.proposal import proposal_entry
from ..domain.procedure.record_times import timed_kinds
from ..domain.procedure.signed_content import ContentChange, shown, to_sign_again
from ..domain.refusals import NotFound
from ..services.changes import Changes
from .discretion_panel import DiscretionPanel
from .forms import EXEMPTION, FORMS, ActionDialog, Field
from .gallery import EvidenceGallery, EvidenceViewer, Tile, open_with_system, thumbnails, tiles
from .i18n import tr
from .models import ListTableModel
from .printing import ask_printer, open_in_viewer, print_document, raster_height, writes_pdf
from .worker import Job, Written

STEPPER = (Stage.LEAD, Stage.FILING, Stage.INVESTIGATION, Stage.DELIBERATION, Stage.LEGAL_REVIEW, Stage.NOTICE,
           Stage.HEARING, Stage.DECIDED, Stage.EXECUTION, Stage.CLOSED, Stage.ARCHIVED)
PROPOSAL_ACTIONS = ("submit_investigation_report", "make_decision")
PENALTY_FORMS = (*PROPOSAL_ACTIONS, "issue_prior_notice")  # the forms where the penalty is set: the discretion panel sits in them
EXEMPTION_KEYS = frozenset(f.key for f in EXEMPTION)
RECORD_KINDS = ("record_inspection", "record_inquiry", "record_sampling")  # 笔录 that can prove a correction
# what the workspace shows besides the case's own record: handlers, officer choices and the certificates
# the steps check (officer), thresholds and deadlines (policy, calendar), the discretion benchmarks
SHOWN_TABLES = ("officer", "policy", "calendar", "benchmarks", "power_list")
_PERMISSIONS = Permissions.default()


def action_tooltip(kind: str, title: str) -> str:
    """What a step's button does, from its declaration: the form it opens, what recording it means (the record, a
    personal signature, a document numbered) and who may take it. (A step the procedure blocks has no button: it
    is listed under 暂不能办理的事项 with its reasons.)"""
    if kind == "add_evidence":
        return tr("CaseWorkspace", "Choose or drop files to register them as evidence of this case (photos, recordings, documents); "
                                   "each is hashed as it is stored")
    act = ACTIONS.get(kind)
    parts = [tr("CaseWorkspace", "%1: opens its form; what you record joins the case's process record").replace("%1", title)]
    if act is not None and act.signed:
        parts.append(tr("CaseWorkspace", "you sign it with your personal key"))
    if act is not None and act.issues is not None:
        parts.append(tr("CaseWorkspace", "the document it issues is numbered as it is recorded"))
    if act is not None and act.handler_only:
        parts.append(tr("CaseWorkspace", "only the case's handling officers take it"))
    return "；".join(parts)


def _casefile():
    """The PDF stack (reportlab, pyHanko), imported on first use, in the worker, rather than when the client starts."""
    from .. import casefile

    return casefile


def _evidence_hint() -> str:
    """What the line under the gallery says until an item is chosen."""
    return tr("CaseWorkspace", "Double-click an item to open it: a picture at full size, a recording in the system's player. "
                               "Drop files here to register them.")


class CaseWorkspace(QWidget):
    print_dialog = QPrintDialog  # what asks for the printer (the tests answer it without a window)

    def __init__(self, worker, parent=None):
        super().__init__(parent)
        self.setObjectName("case_workspace")
        self.worker = worker
        self.case_id = ""
        self.view: dict[str, Any] = {}
        self._loading: Job | None = None
        self.last_dialog: ActionDialog | None = None
        self.document_entries: list = []  # the case's documents (casefile.DocumentEntry) as the documents tab lists them
        self._numbered = ""  # the numbers the last step was given, shown once the case has reloaded after it
        worker.changed.connect(self.on_changes)
        outer = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setObjectName("case_header")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.header)
        self.stepper = QLabel()
        self.stepper.setObjectName("stepper")
        self.stepper.setTextFormat(Qt.TextFormat.RichText)
        self.stepper.setFrameShape(QFrame.Shape.StyledPanel)
        self.stepper.setContentsMargins(8, 6, 8, 6)
        outer.addWidget(self.stepper)
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(_title(tr("CaseWorkspace", "Next steps")))
        self.actions_box = QWidget()
        self.actions_grid = QGridLayout(self.actions_box)
        self.actions_grid.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.actions_box)
        column.addWidget(_title(tr("CaseWorkspace", "Blocked, and why")))
        self.blocked = QTextBrowser()
        self.blocked.setObjectName("blocked_actions")
        column.addWidget(self.blocked, 1)
        column.addWidget(_title(tr("CaseWorkspace", "Deadlines")))
        self.deadlines = QTableView()
        self.deadlines.setObjectName("deadlines")
        self.deadline_model = ListTableModel([("name", QT_TRANSLATE_NOOP("CaseWorkspace", "Deadline")), ("basis", QT_TRANSLATE_NOOP("CaseWorkspace", "Basis")), ("due", QT_TRANSLATE_NOOP("CaseWorkspace", "Due")), ("left", QT_TRANSLATE_NOOP("CaseWorkspace", "Days left"))], "CaseWorkspace", self)
        self.deadlines.setModel(self.deadline_model)
        # every column in view on a laptop: the basis (a long article) takes what is left, cut short, whole on hover
        header = self.deadlines.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.deadlines.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.deadlines.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.deadlines.verticalHeader().hide()
        column.addWidget(self.deadlines, 1)
        self.provisional = QLabel()
        self.provisional.setObjectName("provisional_note")
        self.provisional.setStyleSheet("color:#8d6e63;")
        self.provisional.setWordWrap(True)
        column.addWidget(self.provisional)
        split.addWidget(left)
        self.tabs = QTabWidget()
        self.events = QTableView()
        self.events.setObjectName("process_record")
        self.event_model = ListTableModel([("n", QT_TRANSLATE_NOOP("CaseWorkspace", "#")), ("at", QT_TRANSLATE_NOOP("CaseWorkspace", "Time")), ("actor", QT_TRANSLATE_NOOP("CaseWorkspace", "By")), ("step", QT_TRANSLATE_NOOP("CaseWorkspace", "Step")), ("hash", QT_TRANSLATE_NOOP("CaseWorkspace", "Hash"))], "CaseWorkspace", self)
        self.events.setModel(self.event_model)
        self.events.verticalHeader().hide()
        header = self.events.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)  # the step takes the room, not the hash
        self.tabs.addTab(self.events, tr("CaseWorkspace", "Process record"))
        evidence = QWidget()
        ev_layout = QVBoxLayout(evidence)
        self.evidence = EvidenceGallery()
        self.evidence.currentItemChanged.connect(self._describe_evidence)
        self.evidence.dropped.connect(self.add_evidence)
        self.evidence.opened.connect(self.open_evidence)
        ev_layout.addWidget(self.evidence, 1)
        self.evidence_details = QLabel(_evidence_hint())
        self.evidence_details.setObjectName("evidence_details")
        self.evidence_details.setWordWrap(True)
        self.evidence_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.evidence_details.setStyleSheet("color:#37474f;")
        ev_layout.addWidget(self.evidence_details)
        ev_buttons = QHBoxLayout()
        add = QPushButton(tr("CaseWorkspace", "Add evidence files…"))
        add.setObjectName("add_evidence")
        add.clicked.connect(self._choose_evidence)
        ev_buttons.addWidget(add)
        ev_buttons.addStretch(1)
        ev_layout.addLayout(ev_buttons)
        self.viewer: EvidenceViewer | None = None
        self.tabs.addTab(evidence, tr("CaseWorkspace", "Evidence"))
        self.details = QTextBrowser()
        self.details.setObjectName("case_details")
        self.tabs.addTab(self.details, tr("CaseWorkspace", "Proposal and review"))
        documents = QWidget()
        doc_column = QVBoxLayout(documents)
        self.documents = QTableView()
        self.documents.setObjectName("case_documents")
        self.document_model = ListTableModel([("title", QT_TRANSLATE_NOOP("CaseWorkspace", "Document")),
                                              ("number", QT_TRANSLATE_NOOP("CaseWorkspace", "Number")),
                                              ("day", QT_TRANSLATE_NOOP("CaseWorkspace", "Date"))], "CaseWorkspace", self)
        self.documents.setModel(self.document_model)
        self.documents.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.documents.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.documents.verticalHeader().hide()
        self.documents.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.documents.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.documents.doubleClicked.connect(lambda _index: self.deliver_document("view"))
        doc_column.addWidget(self.documents, 1)
        doc_buttons = QHBoxLayout()
        for how, text in (("print", tr("CaseWorkspace", "Print…")), ("view", tr("CaseWorkspace", "Open in the PDF viewer"))):
            button = QPushButton(text)
            button.setObjectName(f"{how}_document")
            button.clicked.connect(lambda _=False, how=how: self.deliver_document(how))
            doc_buttons.addWidget(button)
        doc_buttons.addStretch(1)
        doc_column.addLayout(doc_buttons)
        self.documents_tab = documents
        self.tabs.addTab(documents, tr("CaseWorkspace", "Documents"))
        self.tabs.currentChanged.connect(lambda _n: self._load_documents())
        self.print_decision = QPushButton(tr("CaseWorkspace", "Save the decision document as PDF…"))
        self.print_decision.setObjectName("print_decision")
        self.print_decision.clicked.connect(lambda: self.save_decision())
        self.print_decision.hide()
        split.addWidget(self.tabs)
        split.setSizes([520, 640])
        outer.addWidget(split, 1)
        outer.addWidget(self.print_decision)
        self.message = QLabel()
        self.message.setObjectName("workspace_message")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)

    # --- loading ------------------------------------------------------------------------------------------

    def open(self, case_id: str) -> None:
        if case_id != self.case_id:  # another case's documents are not offered for this one
            self.document_entries = []
            self.document_model.set_items([])
        self.case_id = case_id
        self._loading = self.worker.read(lambda session, job: _load(session, case_id), self._show, self._failed)

    def reload(self) -> None:
        if self.case_id:
            self.open(self.case_id)

    def on_changes(self, changes: Changes) -> None:
        """Reload when the open case changed, or a table it shows did. Not when a load of it is still
        queued: jobs run in order, so that load comes after the write and will show it."""
        if not self.case_id or not (self.case_id in changes.cases or changes.touches(*SHOWN_TABLES)):
            return
        if self._loading is not None and not self._loading.done:
            return
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(str(exc))

    def _show(self, view: dict[str, Any]) -> None:
        self.view = view
        s = view["state"]
        party = html.escape(s.party_name)
        self.header.setText(
            f"<span style='font-size:15pt; font-weight:600'>{html.escape(s.title)}</span><br/>"
            f"{html.escape(s.case_no or tr('CaseWorkspace', '(not filed yet)'))}　·　{tr('CaseWorkspace', 'Party')}：{party}　·　"
            f"{tr('CaseWorkspace', 'Handlers')}：{html.escape(view['handler_names'])}"
            + (f"　·　<span style='color:#b71c1c'>{tr('CaseWorkspace', 'Major decision')}：{html.escape('；'.join(view['major']))}</span>" if view["major"] else "")
            + (f"<br/><span style='color:#e65100'>{tr('CaseWorkspace', 'The record has forked: %1 branches recorded on different machines; the next step joins them.').replace('%1', str(len(view['heads'])))}</span>"
               if len(view["heads"]) > 1 else "")
        )
        self.stepper.setText(_stepper(s))
        self._actions(view)
        today = view["today"]
        rows, colors = [], {}
        for n, d in enumerate(view["deadlines"]):
            left = (d.due - today).days
            status = tr("CaseWorkspace", "met") if d.met_on else (f"{left}" if left >= 0 else tr("CaseWorkspace", "overdue %1 days").replace("%1", str(-left)))
            rows.append({"name": d.name + (" *" if d.provisional_years else ""), "basis": d.basis, "basis_full": d.basis,
                         "due": d.due.isoformat(), "left": status})
            if not d.met_on and left < 0:
                colors[n] = QColor("#c62828")
            elif d.met_on:
                colors[n] = QColor("#607d8b")
        self.deadline_model.set_items(rows, colors)
        notes = {d.as_dict(today).get("provisional_note", "") for d in view["deadlines"] if d.provisional_years}
        self.provisional.setText("＊" + "；".join(sorted(n for n in notes if n)) if notes else "")
        names = view["names"]
        self.event_model.set_items([
            {"n": i + 1, "at": e.at.strftime("%Y-%m-%d %H:%M"), "actor": names.get(e.actor, e.actor),
             "step": _PERMISSIONS.title(e.kind) if e.kind in view["titled"] else e.kind, "hash": e.hash[:10] + "…",
             "hash_full": e.hash}  # the whole hash on hover; the record's width goes to what was done
            for i, e in enumerate(view["events"])
        ])
        self.evidence.show_tiles(tiles(s.evidence, view.get("evidence_files", {}), names, view.get("step_names", {})))
        self.evidence_details.setText(_evidence_hint())  # not the particulars of an item of the case shown before
        self.details.setHtml(_details(s, view.get("sign_offs", ()), view.get("names", {}), view.get("benchmark_label", "")))
        self._load_documents()
        self.print_decision.setVisible(s.decision is not None or s.procedure.value == "simple")
        self.message.setText(self._numbered)
        self._numbered = ""

    def _actions(self, view: dict[str, Any]) -> None:
        while self.actions_grid.count():
            widget = self.actions_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        allowed = [a for a in view["actions"] if a.allowed and a.permitted]
        for n, act in enumerate(allowed):
            button = QPushButton(act.title)
            button.setObjectName(f"action_{act.kind}")
            button.setVisible(act.kind in FORMS or act.kind == "add_evidence")
            button.setToolTip(action_tooltip(act.kind, act.title))
            button.clicked.connect(lambda _=False, kind=act.kind, title=act.title: self.start(kind, title))
            self.actions_grid.addWidget(button, n // 3, n % 3)
        if not allowed:
            self.actions_grid.addWidget(QLabel(tr("CaseWorkspace", "Nothing for you to do on this case now.")), 0, 0)
        blocked = [a for a in view["actions"] if not a.allowed]
        lines = []
        for act in blocked:
            reasons = "；".join(html.escape(r.message) for r in act.reasons)
            lines.append(f"<p><b>{html.escape(act.title)}</b>：<span style='color:#8d6e63'>{reasons}</span></p>")
        self.blocked.setHtml("".join(lines) or tr("CaseWorkspace", "No blocked steps."))

    # --- steps --------------------------------------------------------------------------------------------

    def start(self, kind: str, title: str) -> ActionDialog | None:
        if kind == "add_evidence":
            self._choose_evidence()
            return None
        s = self.view["state"]
        extra = None
        defaults: dict[str, Any] = {}
        if kind in ("record_inspection", "record_inquiry", "record_sampling", "record_preservation", "serve_document", "record_statement"):
            defaults["officers"] = list(s.handlers)
        rule = signer_rules().get(kind)
        if rule is not None:  # a line per signer the record needs, named where the case knows the person
            names = self.view.get("names", {})
            known = {"officer": [names.get(h, "") for h in s.handlers], "recipient": [s.party_name], "party": [s.party_name]}
            rows, seen = [], {}
            for role in rule.rows():
                n = seen[role] = seen.get(role, -1) + 1
                people = known.get(role, [])
                rows.append((role, people[n] if n < len(people) else ""))
            defaults["signatures"] = tuple(rows)
        if kind == "record_collective_discussion":
            defaults["participants"] = []
        if kind in PENALTY_FORMS:  # the benchmark where the penalty is proposed or decided: its result fills the form
            extra = DiscretionPanel(self.worker, party_kind=s.party_kind, act_date=s.act_date, entry=s.cause_entry,
                                    recorded=(s.benchmark or {}).get("input"))
        if kind in PROPOSAL_ACTIONS:
            proposal = s.proposal
            if proposal is not None:
                defaults.update({"outcome": proposal.outcome, "penalty_kinds": list(proposal.penalty_kinds),
                                 "fine_yuan": f"{proposal.fine_fen / 100:.2f}" if proposal.fine_fen else "",
                                 "facts": proposal.facts, "violation": proposal.violation, "basis": proposal.basis,
                                 "discretion": (s.report or {}).get("discretion", "")})
            earlier = s.notice or s.report or {}
            defaults["facts_elements"] = dict(earlier.get("facts_elements") or {})
            if kind == "make_decision":
                defaults["evidence"] = [e.get("sha256") for e in s.evidence]
                if (s.report or {}).get("outcome") == "no_penalty":  # the report's ground and conditions, to confirm
                    defaults.update({k: v for k, v in (s.report or {}).items() if k in EXEMPTION_KEYS and v not in (None, "", [])})
        if kind == "issue_prior_notice" and s.proposal is not None:
            defaults.update({"penalty_kinds": list(s.proposal.penalty_kinds), "fine_yuan": f"{s.proposal.fine_fen / 100:.2f}",
                             "facts": s.proposal.facts, "violation": s.proposal.violation, "basis": s.proposal.basis})
        if kind == "serve_document":
            pending = [d for d in s.documents_issued if d not in s.documents_served]
            defaults.update({"document": pending[0] if pending else None, "recipient": s.party_name})
        if kind == "record_payment":
            defaults["amount_yuan"] = f"{max(0, s.amount_due_fen - s.paid_fen) / 100:.2f}"
        if kind == "record_inquiry":  # the party is the one usually questioned first: their particulars as registered
            defaults["person"] = dict(self.view.get("party_person") or {})
        officers = self.view["officer_choices_heads"] if kind == "record_collective_discussion" else self.view["officer_choices"]
        evidence = [(e.get("sha256"), e.get("description", "")) for e in s.evidence]
        fields: list[Field] = list(FORMS[kind])
        if kind == "correct_record":  # the case's own records that may be corrected are the choices (the latest first)
            names = self.view["names"]
            options = tuple((st.hash, f"{st.seq}　{title_of(st.kind)}　{st.at.strftime('%Y-%m-%d %H:%M')}　{names.get(st.actor, st.actor)}")
                            for st in reversed(s.steps) if correctable(st))
            fields[0] = Field("corrects", fields[0].label, "choice", options)
        if kind in PROPOSAL_ACTIONS:
            fields = self._proposal_fields(fields, s)
        if kind == "serve_document":  # each document by what it is: a 不予行政处罚决定书 is not a 行政处罚决定书
            fields = [replace(f, options=tuple((code, served_document_zh(code, s.documents_issued.get(code))) for code, _ in f.options))
                      if f.key == "document" else f for f in fields]
        if not defaults.get("violation") and s.suspected_violation:  # the decision names what the filing suspected, unless changed
            defaults["violation"] = s.suspected_violation
        violations = self.view.get("violations") or ()
        if violations:  # the provision broken is one of the benchmark entry's (the domain refuses any other)
            offered = tuple((v, v) for v in violations)
            if len(violations) > 1:  # nothing chosen for the officer: the rule broken is theirs to name
                offered = (("", tr("CaseWorkspace", "(choose the provision the party broke)")), *offered)
            chosen = defaults.get("violation") or (violations[0] if len(violations) == 1 else "")
            fields = [Field(f.key, f.label, "choice", offered, f.required, chosen) if f.key == "violation" else f for f in fields]
        if kind == "decide_approval":  # the pending requests are the choices
            options = tuple((h, f"{APPROVAL_MATTER_ZH.get(str(a.get('matter')), a.get('matter'))}：{a.get('reason', '')}（{a.get('on', '')}）")
                            for h, a in s.approvals_pending.items())
            fields[0] = Field("request", fields[0].label, "choice", options)
        side = self._sign_off_side(kind, s) if kind in SIGNED_KINDS else None
        confirm = ""
        if kind in SIGNED_KINDS:
            confirm = tr("CaseWorkspace", "Record “%1” under your personal electronic signature? A signed step cannot be "
                                          "withdrawn; a mistake is put right by a correction recorded after it.").replace("%1", title)
        elif kind == "archive_case":
            confirm = tr("CaseWorkspace", "Record “%1”? No investigation, decision or execution step can be taken on the case after it.").replace("%1", title)
        on_paper = rule is not None and not ACTIONS[kind].opens_case  # a record signed by hand: printable before it is recorded
        dialog = ActionDialog(kind, title, fields, officers=officers, evidence=evidence, defaults=defaults,
                              submit=lambda payload, done, fail: self._perform(kind, payload, done, fail), extra=extra,
                              side=side, confirm=confirm, parent=self, now=self.view.get("now"),
                              draft=(lambda how, payload, report, fail: self._draft(kind, title, how, payload, report, fail)) if on_paper else None,
                              add_scan=(lambda path, who, then: self._add_scan(title, path, who, then, dialog)) if on_paper else None,
                              add_file=(lambda path, then: self._add_receipt(path, then, dialog)) if kind == "record_payment" else None,
                              extra_before="penalty_kinds" if extra is not None else "",
                              precheck=(lambda payload, ask, proceed: self._overlaps(kind, payload, ask, proceed, dialog))
                              if kind in timed_kinds() else None)
        if kind == "correct_record":  # its items by their names, each shown with what the record says now
            _offer_items(dialog, {st.hash: st for st in s.steps})
        if isinstance(extra, DiscretionPanel):
            extra.assessed.connect(lambda assessment: fill_from_assessment(dialog, assessment, self.view.get("elements") or ()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def _proposal_fields(self, fields: list[Field], s) -> list[Field]:
        """The elements of the case's benchmark entry to fill in (no such field without them), and the evidence and
        笔录 of the case to prove the conditions of not penalising by."""
        elements = self.view.get("elements") or ()
        records = tuple((st.hash, f"{st.day.isoformat()} {title_of(st.kind)}") for st in s.steps if st.kind in RECORD_KINDS)
        proof = tuple((str(e.get("sha256")), str(e.get("description", ""))) for e in s.evidence) + records
        out = []
        for f in fields:
            if f.key == "facts_elements":
                if not elements:
                    continue
                f = replace(f, options=tuple((e.key, e.name + (" *" if e.required else "")) for e in elements),
                            hints=tuple(e.hint for e in elements))
            elif f.key == "exemption_evidence":
                f = replace(f, options=proof)
            out.append(f)
        return out

    # --- documents: printed at the moment they are made, or opened in the viewer ----------------------------

    def _draft(self, kind: str, title: str, how: str, payload: dict[str, Any], report, fail) -> None:
        """The record a form would send, printed (or opened) as a draft with lines to sign on."""
        case_id = self.case_id

        def make(session) -> bytes:
            data = session.draft_case_file_data(case_id, kind, payload)
            return _casefile().render_step(data, data.draft)

        self._deliver(how, f"{title}（{tr('CaseWorkspace', 'draft')}）", make, report, fail)

    def _add_scan(self, title: str, path: str, who: str, then, over: QWidget) -> None:
        """The photo or scan of a signed paper registered as evidence (its particulars asked as for any
        evidence, as a document), then handed to the signature it stands for."""
        description = tr("CaseWorkspace", "Signed paper of the %1 (%2)").replace("%1", title).replace("%2", who)
        self.add_evidence([path], defaults={"kind": "documentary", "description": description, "source": "执法人员拍摄或扫描的签名纸"},
                          registered=lambda hashes, details: then(hashes[0], str(details.get("description", ""))) if hashes else None,
                          parent=over)

    def _add_receipt(self, path: str, then, over: QWidget) -> None:
        """The photo or scan of a payment's receipt registered as evidence of the case (a document), then attached."""
        receipt = over.inputs["receipt_no"].text().strip() if "receipt_no" in getattr(over, "inputs", {}) else ""
        description = tr("CaseWorkspace", "Receipt of the payment %1").replace("%1", receipt).strip()
        self.add_evidence([path], defaults={"kind": "documentary", "description": description, "source": "当事人提供的缴款凭证"},
                          registered=lambda hashes, details: then(hashes[0], str(details.get("description", ""))) if hashes else None,
                          parent=over)

    def _overlaps(self, kind: str, payload: dict[str, Any], ask, proceed, over) -> None:
        """Before a 笔录 is saved: the other records of its officers whose times overlap it, named in a question (one
        officer cannot be in two places at once); none, and it is sent."""
        case_id = self.case_id

        def answer(found) -> None:
            if not found:
                proceed()
                return
            ask(tr("CaseWorkspace", "The times of this record overlap another record of the same officer:") + "\n\n"
                + "\n".join(f"· {o.describe()}" for o in found) + "\n\n"
                + tr("CaseWorkspace", "One officer cannot make two records at the same time. Check the times. Record it anyway?"))

        self.worker.read(lambda session, job: session.overlapping_records(case_id, kind, payload), answer, over.show_refusal)

    def _load_documents(self) -> None:
        """The case's documents, listed when their tab is shown (they are built for it, which a reload of
        another tab need not wait for)."""
        if self.tabs.currentWidget() is not self.documents_tab or not self.case_id:
            return
        case_id = self.case_id

        def job(session, _job):
            return _casefile().list_documents(session.case_file_data(case_id))

        def show(entries) -> None:
            self.document_entries = entries
            self.document_model.set_items([{"title": e.title, "number": e.number, "day": e.day} for e in entries])

        self.worker.read(job, show, self._failed)

    def deliver_document(self, how: str, row: int | None = None) -> None:
        """Print (``how`` = "print") or open in the viewer ("view") the chosen recorded document."""
        if row is None:
            chosen = self.documents.selectionModel().selectedRows() if self.documents.selectionModel() else []
            row = chosen[0].row() if chosen else -1
        entries = self.document_entries
        if not 0 <= row < len(entries):
            self.message.setText(tr("CaseWorkspace", "Choose a document in the list first."))
            return
        entry, case_id = entries[row], self.case_id
        self._deliver(how, entry.title, lambda session: _casefile().render_document(session.case_file_data(case_id), entry.kind, entry.n),
                      self.message.setText, self._failed)

    def _deliver(self, how: str, title: str, make, report, fail) -> None:
        """``make(session)`` renders the PDF in the worker; then it is printed through the print dialog (a real
        printer gets its pages rendered at the printer's resolution, in the worker too) or opened in the
        system's viewer from a temporary file."""
        printer = None
        if how == "print":
            printer = ask_printer(self, tr("CaseWorkspace", "Print %1").replace("%1", title), self.print_dialog)
            if printer is None:
                return
        height = raster_height(printer) if printer is not None and not writes_pdf(printer) else 0

        def job(session, _job):
            from .pages import page_images

            pdf = make(session)
            return pdf, page_images(pdf, 1000, height=height) if height else []

        def done(result) -> None:
            pdf, pages = result
            if printer is None:
                open_in_viewer(pdf, title)
                report(tr("CaseWorkspace", "Opened “%1” in the PDF viewer.").replace("%1", title))
                return
            try:
                print_document(printer, pdf, pages)
            except OSError as exc:
                fail(exc)
                return
            report(tr("CaseWorkspace", "Sent “%1” to the printer.").replace("%1", title))

        self.worker.read(job, done, fail)

    def _sign_off_side(self, kind: str, s) -> QWidget:
        """What a sign-off rests on, beside its form: the request, report or proposal rendered as the documents
        it is filed as, page by page, and every evidence item, each openable at full size in the system viewer."""
        preview = SignOffPreview(SIGN_OFF_DOCUMENTS.get(kind, ()))
        changes = self.view.get("to_sign_again", {}).get(kind, ())
        if changes:
            preview.show_changes(changes)
        case_id = self.case_id

        def job(session, _job):
            from .pages import page_images

            data = session.case_file_data(case_id)
            files = [(str(e.get("description", "")), str(e.get("original_name", "")), str(data.evidence_files.get(e.get("sha256"), "")))
                     for e in data.state.evidence if e.get("sha256") in data.evidence_files]
            try:
                pdf = _casefile().render_documents(data, preview.kinds)
            except ValueError:  # none of these documents yet
                return [], files
            return page_images(pdf, 12, height=900), files

        self.worker.read(job, preview.fill, lambda exc: preview.note.setText(str(exc)))
        if kind != "record_legal_review":
            return preview
        tabs = QTabWidget()
        tabs.setObjectName("sign_off_side")
        tabs.addTab(_materials(s, self.view.get("benchmark_label", "")), tr("CaseWorkspace", "Submission"))
        tabs.addTab(preview, tr("CaseWorkspace", "Documents"))
        if changes:  # what is signed again differently comes first
            tabs.setCurrentWidget(preview)
        return tabs

    def _perform(self, kind: str, payload: dict[str, Any], done, fail) -> None:
        case_id = self.case_id
        if kind == "correct_record":  # a correction is a new event naming what it corrects and the new text
            payload = {"corrects": payload.get("corrects"), "reason": payload.get("reason", ""),
                       "changes": {payload.get("field", ""): payload.get("value", "")} if payload.get("field") else {}}

        def job(session, _job):
            digest = session.perform(case_id, kind, payload)
            return digest, session.numbers_given(case_id, digest)

        def recorded(written: Written) -> None:
            _digest, numbers = written.result
            if numbers:  # the case number or 文号 the register gave the step, shown over the reloaded case
                self._numbered = tr("CaseWorkspace", "Recorded and numbered: %1").replace("%1", "；".join(numbers))
                self.message.setText(self._numbered)
            done(written)

        self.worker.write(job, recorded, fail)  # the workspace reloads on the change it reports

    def save_decision(self, path: str | None = None) -> None:
        """The decision document alone (on the spot: the form handed to the party), as PDF."""
        target = path or QFileDialog.getSaveFileName(self, tr("CaseWorkspace", "Save decision"), "", "PDF (*.pdf)")[0]
        if not target:
            return
        case_id = self.case_id

        def job(session, _job):
            Path(target).write_bytes(_casefile().render_documents(session.case_file_data(case_id), ("decision",)))
            return target

        self.worker.read(job, lambda p: self.message.setText(tr("CaseWorkspace", "Saved: %1").replace("%1", str(p))), self._failed)

    def _choose_evidence(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, tr("CaseWorkspace", "Evidence files"))
        if paths:
            self.add_evidence(paths)

    def add_evidence(self, paths: list[str], *, defaults: dict[str, Any] | None = None, registered=None,
                     parent: QWidget | None = None) -> ActionDialog:
        """Ask for the evidence particulars (kind, description, source, who and when) of the chosen or dropped
        files, then copy each into the evidence store and record it; ``registered(hashes, details)`` is told of them.
        Files of different kinds (photos and a recording dropped together) are asked for one kind after the other,
        each with its own particulars, the next form opening when the one before closes; the first is returned.
        The kind each form starts with is what its files are (``evidence_media.default_kind``), unless
        ``defaults`` names one."""
        groups: dict[str, list[str]] = {}
        for path in paths:
            kind = (defaults or {}).get("kind") or default_kind(media_type_of(path))
            groups.setdefault(kind, []).append(path)
        dialogs = [lambda kind=kind, files=files: self._evidence_form(files, kind, defaults, registered, parent)
                   for kind, files in groups.items()]
        first = dialogs[0]()
        self._chain(first, dialogs[1:])
        return first

    def _chain(self, dialog: ActionDialog, rest: list) -> None:
        if rest:
            dialog.finished.connect(lambda _result: self._chain(rest[0](), rest[1:]))

    def _evidence_form(self, paths: list[str], kind: str, defaults: dict[str, Any] | None, registered,
                       parent: QWidget | None) -> ActionDialog:
        s = self.view["state"]
        names = self.view.get("names", {})
        defaults = {"kind": kind, "description": "、".join(Path(p).stem for p in paths),
                    "source": "执法人员现场收集", "collected_by": list(s.handlers),
                    "taken_by": "、".join(names.get(h, "") for h in s.handlers) if kind == "photo" else "", **(defaults or {})}
        steps = tuple(self.view.get("step_names", {}).items())  # the on-site steps a recording may be of, latest last
        fields = [replace(f, options=steps) if f.key == "av_record_of" else f
                  for f in FORMS["add_evidence"] if f.key != "av_record_of" or steps]
        title = tr("CaseWorkspace", "Register %1 evidence file(s)").replace("%1", str(len(paths)))
        if len(paths) == 1:
            title += f"：{Path(paths[0]).name}"
        dialog = ActionDialog("add_evidence", title, fields, officers=self.view["officer_choices"], defaults=defaults,
                              submit=lambda payload, done, fail: self._store_evidence(paths, payload, done, fail, registered),
                              parent=parent or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        unreadable = sorted({Path(p).suffix.lower() for p in paths if is_picture(media_type_of(p))
                             and Path(p).suffix.lower().lstrip(".") not in _readable_pictures()})
        if unreadable:  # a HEIC from a phone: registered as it is, but shown and printed nowhere
            dialog.show_status(tr("CaseWorkspace", "This computer cannot show %1 pictures, and the case file cannot print them: "
                                                   "export them as JPEG (on the phone or the computer) and register the JPEG, "
                                                   "or register them as they are to keep the original.")
                               .replace("%1", "、".join(u.lstrip(".").upper() for u in unreadable)))
        self.evidence_dialog = dialog
        if parent is None:
            self.last_dialog = dialog
        dialog.open()
        return dialog

    def _store_evidence(self, paths: list[str], details: dict[str, Any], done, fail, registered=None) -> None:
        case_id = self.case_id

        def job(session, job_):
            hashes = []
            for n, path in enumerate(paths, 1):
                if job_.cancelled:
                    break
                hashes.append(session.add_evidence(case_id, path, details))
                job_.progress(n, len(paths))
            return hashes

        def finished(written: Written):
            done(written)
            self.message.setText(tr("CaseWorkspace", "%1 evidence file(s) registered.").replace("%1", str(len(written.result))))
            if registered is not None:
                registered(written.result, details)

        self.worker.write(job, finished, fail)

    def _describe_evidence(self, current: QListWidgetItem | None, _previous=None) -> None:
        """The chosen item's particulars in full, under the gallery (the tiles shorten them)."""
        if current is None:
            return
        tile: Tile = current.data(Qt.ItemDataRole.UserRole)
        self.evidence_details.setText(tile.text().replace("\n", "　"))

    def open_evidence(self, tile: Tile) -> None:
        """A picture in the viewer, at full size fitted to the screen; a recording or any other file in the
        program the system opens its kind with."""
        if tile is None:
            return
        if not tile.path:
            self.message.setText(tr("CaseWorkspace", "The file of “%1” is not in this machine's evidence store.").replace("%1", tile.description))
            return
        if tile.picture:
            viewer = EvidenceViewer(self.evidence.tiles, [t for t in self.evidence.tiles if t.picture].index(tile), self.evidence.thumbnails, self)
            viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            viewer.fit_to_screen()
            self.viewer = viewer
            viewer.open()
            return
        open_with_system(tile.path, tile.original_name, self.evidence.thumbnails, self.message.setText)


SIGNED_KINDS = frozenset(k for k in signed_kinds() if k in ACTIONS and not ACTIONS[k].opens_case)
"""The sign-offs taken in a case's workspace (the declared ones; the on-the-spot decision opens a case with the
new-case form)."""
SIGN_OFF_DOCUMENTS = {
    "approve_filing": ("case_source", "filing_approval"),
    "refuse_filing": ("case_source", "filing_approval"),
    "decide_approval": ("approval_form",),
    "approve_closing": ("closing_report", "decision", "payment_record"),
    "return_closing": ("closing_report", "decision", "payment_record"),
    "record_legal_review": ("investigation_report", "inspection_record", "inquiry_record", "evidence_list"),
    "record_collective_discussion": ("investigation_report", "legal_review", "statement_record", "reexamination", "hearing_report"),
    "make_decision": ("investigation_report", "legal_review", "collective_discussion", "prior_notice", "statement_record", "reexamination",
                      "hearing_report", "inspection_record", "inquiry_record", "evidence_list"),
}


class SignOffPreview(QWidget):
    """The documents a sign-off rests on, as pages, and the evidence items, each opened at full size on request."""

    def __init__(self, kinds: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sign_off_preview")
        self.kinds = kinds
        column = QVBoxLayout(self)
        self.note = QLabel(tr("CaseWorkspace", "Rendering the documents…"))
        self.note.setObjectName("sign_off_note")
        self.note.setWordWrap(True)
        column.addWidget(self.note)
        self.pages = QWidget()
        self.page_column = QVBoxLayout(self.pages)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # pages fit the width (see resizeEvent)
        scroll.setWidget(self.pages)
        column.addWidget(scroll, 1)
        self.images: list[QLabel] = []
        self._pixmaps: list[QPixmap] = []
        self.evidence: list[QPushButton] = []
        self.column = column

    def show_changes(self, changes: tuple[ContentChange, ...]) -> None:
        """What differs from what the last sign-off of this kind approved, above the documents: each field's
        value then (struck through) and now, with the reason the record gives for the change."""
        self.changes = QLabel(_changes_html(changes, tr("CaseWorkspace", "Changed since the last sign-off — check before you sign again:")))
        self.changes.setObjectName("sign_off_changes")
        self.changes.setTextFormat(Qt.TextFormat.RichText)
        self.changes.setWordWrap(True)
        self.changes.setStyleSheet("background:#fff8e1; border:1px solid #ffb300; padding:6px;")
        self.column.insertWidget(0, self.changes)

    def fill(self, result: tuple[list[bytes], list[tuple[str, str, str]]]) -> None:
        images, files = result
        if files:
            self.column.addWidget(_title(tr("CaseWorkspace", "Evidence (opens at full size)")))
        for description, name, path in files:
            button = QPushButton(f"{description}（{name or Path(path).name[:12]}）")
            button.setObjectName("open_evidence")
            button.setToolTip(tr("CaseWorkspace", "Open the file in the system's viewer"))
            button.clicked.connect(lambda _=False, path=path, name=name: open_with_system(path, name, thumbnails(), self.note.setText))
            self.column.addWidget(button)
            self.evidence.append(button)
        if not images:
            self.note.setText(tr("CaseWorkspace", "The case has none of these documents yet."))
            return
        self.note.setText(tr("CaseWorkspace", "%1 page(s), as they will be filed:").replace("%1", str(len(images))))
        for data in images:
            label = QLabel()
            pixmap = QPixmap()
            pixmap.loadFromData(data, "PNG")
            label.setObjectName("sign_off_page")
            self.page_column.addWidget(label)
            self.images.append(label)
            self._pixmaps.append(pixmap)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Each page as wide as the panel (never wider than it was rendered), so it reads without scrolling sideways."""
        width = max(320, self.scroll.viewport().width() - 12)
        for label, pixmap in zip(self.images, self._pixmaps, strict=True):
            label.setPixmap(pixmap.scaledToWidth(min(pixmap.width(), width), Qt.TransformationMode.SmoothTransformation))


def _changes_html(changes, heading: str) -> str:
    """Each change as 记录 · 项目（reason）, then the value signed (struck, red) and the value now (green)."""
    e = html.escape
    was, now = tr("CaseWorkspace", "Signed:"), tr("CaseWorkspace", "Now:")
    blocks = "".join(
        f"<p style='margin:6px 0 2px 0'><b>{e(c.record_title)} · {e(c.label)}</b>"
        f"<span style='color:#6d4c41'>（{e(c.reason)}）</span></p>"
        f"<table cellspacing='0' cellpadding='3' width='100%'>"
        f"<tr><td width='64' style='white-space:nowrap'>{was}</td><td style='background:#ffcdd2'><s>{e(shown(c.before, c.field))}</s></td></tr>"
        f"<tr><td width='64' style='white-space:nowrap'>{now}</td><td style='background:#c8e6c9'>{e(shown(c.after, c.field))}</td></tr></table>"
        for c in changes)
    return f"<p style='color:#e65100; font-weight:600; margin:0'>{e(heading)}</p>{blocks}"


def _materials(s, benchmark_label: str = "") -> QTextBrowser:
    """The submission the reviewer judges: summary, draft, why it is major, and the materials assembled."""
    submission = s.review_rounds[-1]["submission"] if s.review_rounds else {}
    m = submission.get("materials") or {}
    e = html.escape
    parts = [f"<h3>{e(s.title)}</h3><p>{e(s.case_no)}</p>",
             f"<p><b>{tr('CaseWorkspace', 'Why review is required')}</b>：{e('；'.join(submission.get('major_reasons', [])))}</p>",
             f"<p><b>{tr('CaseWorkspace', 'Summary')}</b>：{e(str(submission.get('summary', '')))}</p>",
             f"<p><b>{tr('CaseWorkspace', 'Draft decision')}</b>：{e(str(submission.get('draft_decision', '')))}</p>",
             f"<p><b>{tr('CaseWorkspace', 'Facts')}</b>：{e(str(m.get('facts', '')))}</p>",
             f"<p><b>{tr('CaseWorkspace', 'Law applied')}</b>：{e(str(m.get('basis', '')))}</p>",
             f"<p><b>{tr('CaseWorkspace', 'Penalty')}</b>：{e(_kinds_zh(m.get('penalty_kinds', [])))} {format_yuan(int(m.get('fine_fen', 0)))}</p>"]
    bench = m.get("benchmark") or {}
    if bench:
        parts.append(f"<p><b>{tr('CaseWorkspace', 'Benchmark')}</b>：{e(benchmark_label)}；{e('；'.join(bench.get('messages', [])))}</p>")
    if m.get("deviation_reason"):
        parts.append(f"<p><b>{tr('CaseWorkspace', 'Reason for deviating')}</b>：{e(str(m['deviation_reason']))}</p>")
    officers = "、".join(f"{o.get('name')}（{o.get('certificate_no') or '无有效证件'}）" for o in m.get("officers", []))
    parts.append(f"<p><b>{tr('CaseWorkspace', 'Officers and certificates')}</b>：{e(officers)}</p>")
    evidence = "".join(f"<li>{e(str(x.get('description', '')))} <tt>{str(x.get('sha256', ''))[:16]}…</tt></li>" for x in m.get("evidence", []))
    parts.append(f"<p><b>{tr('CaseWorkspace', 'Evidence')}</b></p><ul>{evidence}</ul>")
    if m.get("hearing"):
        parts.append(f"<p><b>{tr('CaseWorkspace', 'Hearing transcript')}</b>：{e(str(m['hearing'].get('transcript', '')))}</p>")
    if submission.get("corrections_made"):
        parts.append(f"<p><b>{tr('CaseWorkspace', 'Corrections made')}</b>：{e(str(submission['corrections_made']))}</p>")
    browser = QTextBrowser()
    browser.setObjectName("review_materials")
    browser.setHtml("".join(parts))
    return browser


def _kinds_zh(kinds) -> str:
    return "、".join(PENALTY_KIND_ZH.get(PenaltyKind(k), k) if k in set(PenaltyKind) else str(k) for k in kinds)


@cache
def _readable_pictures() -> frozenset[str]:
    """The picture formats this machine's Qt reads (HEIC needs a plug-in most machines lack); asked once the
    application runs, when the plug-ins are found."""
    return frozenset(bytes(f).decode() for f in QImageReader.supportedImageFormats())


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight:600; color:#1a3a5c; margin-top:6px;")
    return label


def _stepper(state) -> str:
    stage, procedure = state.stage, state.procedure.value
    if procedure == "simple":
        return f"<b>{tr('CaseWorkspace', 'Simple procedure')}</b>：{STAGE_ZH[stage]}"
    current = STEPPER.index(stage) if stage in STEPPER else -1
    parts = []
    for n, s in enumerate(STEPPER):
        if n < current and stage_reached(state, s):
            parts.append(f"<span style='color:#2e7d32'>✔ {STAGE_ZH[s]}</span>")
        elif n < current:  # passed by, not gone through: never ticked
            parts.append(f"<span style='color:#9e9e9e'><s>{STAGE_ZH[s]}</s>（{tr('CaseWorkspace', 'skipped')}）</span>")
        elif n == current:
            parts.append(f"<span style='background:#1565c0; color:white; padding:2px'>&nbsp;{STAGE_ZH[s]}&nbsp;</span>")
        else:
            parts.append(f"<span style='color:#9e9e9e'>{STAGE_ZH[s]}</span>")
    if stage not in STEPPER:
        parts.append(f"<b>{STAGE_ZH[stage]}</b>")
    return " → ".join(parts)


def _details(s, sign_offs=(), names=None, benchmark_label: str = "") -> str:
    out = []
    changed = [c for c in sign_offs if c.changed]
    if changed:
        out.append(f"<h3 style='color:#e65100'>{tr('CaseWorkspace', 'Signed content corrected since it was signed')}</h3>")
        for c in changed:
            who = (names or {}).get(c.step.actor, c.step.actor)
            out.append(_changes_html(c.changes, f"{title_of(c.step.kind)}（{who}，{c.step.at.strftime('%Y-%m-%d %H:%M')}）"))
    if s.proposal:
        p = s.proposal
        out.append(f"<h3>{tr('CaseWorkspace', 'Proposal')}</h3><p>{html.escape(p.facts)}</p><p>{html.escape(p.basis)}</p>"
                   f"<p>{html.escape(_kinds_zh(p.penalty_kinds))} {format_yuan(p.fine_fen) if p.fine_fen else ''}</p>")
    if s.benchmark:
        b = s.benchmark
        out.append(f"<p>{tr('CaseWorkspace', 'Benchmark')}：{html.escape(benchmark_label)}；{html.escape('；'.join(b.get('messages', [])))}</p>")
    for n, round_ in enumerate(s.review_rounds, 1):
        review = round_.get("review")
        out.append(f"<h3>{tr('CaseWorkspace', 'Legal review round %1').replace('%1', str(n))}</h3>"
                   f"<p>{html.escape(str(round_['submission'].get('summary', '')))}</p>")
        if review:
            out.append(f"<p><b>{html.escape(str(review.get('outcome')))}</b>：{html.escape(str(review.get('opinion', '')))}</p>")
    return "".join(out) or tr("CaseWorkspace", "No proposal yet.")


def _violations(services, state) -> tuple[str, ...]:
    """The provisions the case's benchmark entry says a party of its kind may have broken, as a decision cites them."""
    if not state.cause_entry:
        return ()
    try:
        entry = services.benchmarks().entry(state.cause_entry)
    except NotFound:
        return ()
    return tuple(as_cited(b.cite()) for b in entry.violation_basis)


def as_cited(citation: str) -> str:
    """A provision as a decision cites it: a law by its full name (《中华人民共和国食品安全法》第一百二十四条第一款)."""
    law = citation[1:citation.index("》")] if citation.startswith("《") and "》" in citation else ""
    if law.endswith("法") and not law.endswith("办法") and not law.startswith("中华人民共和国"):
        return citation.replace("《", "《中华人民共和国", 1)
    return citation


def _offer_items(dialog: ActionDialog, steps: dict[str, Any]) -> None:
    """The correction form's item choice follows the record chosen (its items by their names), and the text to
    correct starts as the record has it."""
    record, item, value = dialog.inputs["corrects"], dialog.inputs["field"], dialog.inputs["value"]

    def items(_index: int = 0) -> None:
        item.clear()
        step = steps.get(record.currentData())
        for key, name in correctable(step) if step is not None else ():
            item.addItem(name, key)

    def current(_index: int = 0) -> None:
        step = steps.get(record.currentData())
        value.setPlainText(str(step.payload.get(item.currentData(), "")) if step is not None and item.currentData() else "")

    record.currentIndexChanged.connect(items)
    item.currentIndexChanged.connect(current)
    items()
    current()
    dialog.as_opened()


def fill_from_assessment(dialog: ActionDialog, assessment, elements=()) -> None:
    """The discretion panel's result put into the form it sits in: the penalty kinds it recommends (the fine and the
    entry's mandatory confiscations), a fine in the middle of the recommended range, the penalty provision, and the
    base amounts into the facts elements that record them (where still empty). The officer changes what the case
    requires; the procedure judges what is sent."""
    inputs = dialog.inputs
    kinds = {k.value for k in assessment.penalty_kinds}
    if "penalty_kinds" in inputs:
        widget = inputs["penalty_kinds"]
        for i in range(widget.count()):
            item = widget.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in kinds else Qt.CheckState.Unchecked)
    rec = assessment.recommended_range
    if "fine_yuan" in inputs:
        middle = (rec.low + rec.high) // 2 // 100 * 100 if rec is not None and "fine" in kinds else 0  # whole yuan
        inputs["fine_yuan"].setText(f"{middle / 100:.2f}" if middle else "")
    if "basis" in inputs and assessment.penalty_basis:
        inputs["basis"].setText(as_cited(assessment.penalty_basis))
    lines = getattr(inputs.get("facts_elements"), "lines", {})
    bases = dialog.extra.entered_bases() if hasattr(dialog.extra, "entered_bases") else {}
    for element in elements:
        line = lines.get(element.key)
        if line is not None and element.base is not None and element.base.value in bases and not line.text().strip():
            line.setText(bases[element.base.value])


def _benchmark_label(services, benchmark) -> str:
    """The benchmark the case's penalty was assessed by, as people name it: the set's title and the entry's short
    name (a record keeps their program keys; one the library no longer holds reads by the cause it recorded)."""
    if not benchmark:
        return ""
    library = services.benchmarks()
    key = str(benchmark.get("set", ""))
    title = benchmark.get("set_title") or next((b.title for b in library.sets if f"{b.id} {b.version}" == key), "")
    try:
        name = library.entry(str(benchmark.get("entry", ""))).name
    except NotFound:
        name = str(benchmark.get("cause", ""))
    return "".join(p for p in (title, f"“{name}”" if name else "") if p)


def _elements(services, state) -> tuple:
    """The facts elements the case's benchmark entry declares (its report and decision give each)."""
    entry = proposal_entry(services.benchmarks(), state.benchmark, state.cause_entry, state.act_date)
    return entry.facts_elements if entry is not None else ()


def _load(session, case_id: str) -> dict[str, Any]:
    view = session.view(case_id)
    services = session.services
    officers = services.officers()
    today: date = view.today
    certified = [(o.id, f"{o.name}（{c.certificate_no}）") for o in officers.values() if o.active
                 for c in [o.certificate_on(today)] if c is not None]
    heads = [(o.id, o.name) for o in officers.values() if o.active and o.has_role(Role.AGENCY_HEAD)]
    state = view.state
    party = services.party(state.party_id) if state.party_id else None
    return {
        "state": state,
        "now": services.clock(),
        "party_person": _person_of(party),
        "benchmark_label": _benchmark_label(services, state.benchmark),
        "deadlines": view.deadlines,
        "actions": view.actions,
        "major": view.major,
        "events": view.events,
        "heads": view.heads,
        "today": today,
        "names": {k: o.name for k, o in officers.items()},
        "handler_names": "、".join(officers[h].name for h in state.handlers if h in officers),
        "officer_choices": certified + [(o.id, o.name) for o in officers.values() if o.active and o.certificate_on(today) is None
                                        and o.has_role(Role.LEGAL_REVIEWER)],
        "officer_choices_heads": heads,
        "titled": {p.action for p in _PERMISSIONS},
        "evidence_files": {e["sha256"]: services.evidence.path_for(e["sha256"]) for e in state.evidence if e.get("sha256")},
        # the on-site steps a recording may be of (音像记录), named as the gallery and the evidence form show them
        "step_names": {st.hash: f"{st.day.isoformat()} {title_of(st.kind)}" for st in state.steps if st.kind in AV_RECORDED_KINDS},
        "sign_offs": view.sign_offs,
        "violations": _violations(services, state),
        "elements": _elements(services, state),
        "to_sign_again": {kind: to_sign_again(state, kind) for kind in SIGNED_KINDS},
    }


def _person_of(party) -> dict[str, str]:
    """Who is usually questioned first, as the 询问笔录 states the person: a party who is a person with their registered
    particulars; for an organisation, its legal representative."""
    if party is None:
        return {}
    if party.kind.value != "person":
        return {"name": party.legal_representative, "relation": RELATION_SUGGESTIONS[1]} if party.legal_representative else {}
    person = {"name": party.name, "id_type": "resident_id" if party.id_number else "", "id_number": party.id_number or "",
              "address": party.address or "", "phone": party.phone, "relation": "当事人"}
    return {k: v for k, v in person.items() if v}
