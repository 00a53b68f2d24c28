"""质量证明书 as numbered documents, one per delivery (customer, contract, heats, grade, size, bundles, weight).

At issue the content is frozen: the measured values and their limits, the melt analyses, the truthful verdict
("拉伸2初检不合格，加倍复检合格"), inspectors, approver, the seal's SHA-256 and the hashes of every record behind
it; the certificate's SHA-256 covers that content and is chained to the certificate issued before it. A change to
any record behind a valid certificate voids it (已作废) in the same transaction; a reissue is a new certificate with
a new number that names the one it replaces. The public check compares the frozen content with the records now."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit, pdf
from wanghua.core.access import fetch_for_change, require
from wanghua.core.models import User

from ..models import (
    CERTIFICATE_FLOW,
    Certificate,
    CertificateStatus,
    CertificateStep,
    Delivery,
    HeatAnalysis,
    LabChain,
    LabOrder,
    LabProfile,
    Review,
    TestKind,
    TestResult,
    Verdict,
)
from . import (
    GENESIS,
    SEPARATOR,
    _plain,
    _text,
    _value_text,
    by_diameter,
    certificate_rows,
    digest,
    finite_decimal,
    limits_of,
    lock_chain,
    retest_notes,
    specimen_label,
)
from .chemistry import SYMBOLS, latest_analysis, verify_analysis

if TYPE_CHECKING:  # reportlab loads only when a certificate is printed
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Table, TableStyle

    from wanghua.org.models import Unit

    from ..models import GradeLimit, Specimen

PRODUCT = "热轧带肋钢筋"
SEAL_FORMATS = {"PNG": "png", "JPEG": "jpeg"}
SEAL_MAX_BYTES = 1_000_000


# --- the lab's settings: number pattern and seal --------------------------------------------------------------

def format_number(pattern: str, year: int, seq: int, enterprise_code: str) -> str:
    return pattern.format(year=year, yy=f"{year % 100:02d}", seq=seq, enterprise=enterprise_code)


def profile_of(enterprise: Unit) -> LabProfile:
    return LabProfile.objects.filter(enterprise=enterprise).first() or LabProfile(enterprise=enterprise)


@transaction.atomic
def configure_lab(actor: User, enterprise: Unit, *, lab_name: str = "", number_pattern: str, seal: bytes | None = None
                  ) -> LabProfile:
    """The certificate number pattern (placeholders {year}, {yy}, {seq}, {enterprise}) and the seal image."""
    profile = LabProfile.objects.select_for_update().filter(enterprise=enterprise).first() or LabProfile(
        enterprise=enterprise)
    require(actor, "change" if profile.pk else "add", profile)
    pattern = _text(number_pattern, 60)
    if "{seq" not in pattern:
        raise ValidationError({"number_pattern": _("The pattern needs {seq}, the running number, e.g. "
                                                   "ZB{year}-{seq:05d}.")})
    try:
        sample = format_number(pattern, 2026, 1, enterprise.code)
    except (KeyError, ValueError, IndexError, AttributeError):
        raise ValidationError({"number_pattern": _("Only {year}, {yy}, {seq} and {enterprise} may appear in "
                                                   "braces, e.g. ZB{year}-{seq:05d}.")}) from None
    if not sample or len(sample) > 60:
        raise ValidationError({"number_pattern": _("The certificate number would be empty or too long.")})
    profile.lab_name, profile.number_pattern = _text(lab_name, 100), pattern
    if seal:
        profile.seal, profile.seal_format = seal, _seal_format(seal)
        profile.seal_sha256 = hashlib.sha256(seal).hexdigest()
    with audit.acting_as(actor):
        profile.save()
    return profile


def _seal_format(data: bytes) -> str:
    from PIL import Image, UnidentifiedImageError

    from wanghua.core import photos  # noqa: F401  (sets Pillow's pixel limit: a bomb in a tiny file is refused)

    if len(data) > SEAL_MAX_BYTES:
        raise ValidationError({"seal": _("The seal image must be smaller than 1 MB.")})
    try:
        with Image.open(BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError({"seal": _("The seal must be a PNG or JPEG image.")}) from None
    if kind not in SEAL_FORMATS:
        raise ValidationError({"seal": _("The seal must be a PNG or JPEG image.")})
    return SEAL_FORMATS[kind]


def _next_number(enterprise: Unit) -> str:
    profile = LabProfile.objects.select_for_update().filter(enterprise=enterprise).first()
    if profile is None:
        LabProfile.objects.get_or_create(enterprise=enterprise)
        profile = LabProfile.objects.select_for_update().get(enterprise=enterprise)
    year = timezone.localdate().year
    if profile.sequence_year != year:
        profile.sequence_year, profile.sequence = year, 0
    while True:
        profile.sequence += 1
        number = format_number(profile.number_pattern, year, profile.sequence, enterprise.code)
        if not Certificate.objects.filter(number=number).exists():
            break
    LabProfile.objects.filter(pk=profile.pk).update(sequence_year=year, sequence=profile.sequence)
    return number


# --- deliveries -----------------------------------------------------------------------------------------------

@transaction.atomic
def create_delivery(actor: User, *, customer: str, contract: str, grade: str, diameter: int, bundles: int, weight: Any,
                    orders: list[int]) -> Delivery:
    """A delivery of heats of one grade and size to a customer under a contract."""
    customer, contract = _text(customer or "", 100), _text(contract or "", 60)
    if not customer:
        raise ValidationError({"customer": _("Name the customer.")})
    if not contract:
        raise ValidationError({"contract": _("Give the contract number.")})
    try:
        weight = finite_decimal(weight, Decimal("0.001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"weight": _("The weight is a number of tonnes.")}) from None
    if weight <= 0:
        raise ValidationError({"weight": _("The delivery weight must be more than 0 t.")})
    if weight >= Decimal("1000000"):
        raise ValidationError({"weight": _("The delivery weight is too large.")})
    if not isinstance(bundles, int) or bundles < 1:
        raise ValidationError({"bundles": _("A delivery has at least one bundle.")})
    heats = list(LabOrder.objects.visible_to(actor, "view").filter(pk__in=orders or []).order_by("heat"))
    if not heats or len(heats) != len(set(orders)):
        raise ValidationError({"orders": _("Choose the heats of the delivery.")})
    enterprises = {h.enterprise_id for h in heats}
    if len(enterprises) != 1:
        raise ValidationError({"orders": _("The heats of one delivery come from one enterprise.")})
    for heat in heats:
        if (heat.grade, heat.diameter) != (grade, diameter):
            raise ValidationError({"orders": _("Heat %(heat)s is %(grade)s Φ%(d)s, not the delivery's %(want)s "
                                               "Φ%(want_d)s.") % {"heat": heat.heat, "grade": heat.grade,
                                                                 "d": heat.diameter, "want": grade,
                                                                 "want_d": diameter}})
    delivery = Delivery(enterprise=heats[0].enterprise, customer=customer, contract=contract, grade=grade,
                        diameter=diameter, bundles=bundles, weight=weight, created_by=actor)
    require(actor, "add", delivery)
    with audit.acting_as(actor):
        delivery.save()
        delivery.orders.set(heats)
    return delivery


# --- what a certificate says ----------------------------------------------------------------------------------

def _limits_text(kind: str, limits: GradeLimit, diameter: int) -> str:
    if kind == TestKind.TENSILE:
        parts = [f"ReL ≥ {_plain(limits.yield_min)}", f"Rm ≥ {_plain(limits.tensile_min)}"]
        if limits.elongation_min is not None:
            parts.append(f"A ≥ {_plain(limits.elongation_min)}%")
        parts.append(f"Agt ≥ {_plain(limits.agt_min)}%")
        if limits.tensile_yield_ratio_min is not None:
            parts.append(f"Rm/ReL ≥ {_plain(limits.tensile_yield_ratio_min)}")
        if limits.yield_overstrength_max is not None:
            parts.append(f"ReL/{_plain(limits.yield_min)} ≤ {_plain(limits.yield_overstrength_max)}")
        return "  ".join(parts)
    if kind in (TestKind.BEND, TestKind.REBEND):
        factor = by_diameter(limits.bend_mandrels, diameter) + (1 if kind == TestKind.REBEND else 0)
        return _("D = %(factor)sd, no cracks") % {"factor": _plain(factor)}
    return f"±{_plain(by_diameter(limits.weight_tolerances, diameter))}%"


def _measured(result: TestResult) -> str:
    text = _value_text(result)
    if result.specimen.kind == TestKind.TENSILE and result.yield_strength:
        text += f"  Rm/ReL {(result.tensile_strength / result.yield_strength).quantize(Decimal('0.01'))}"  # type: ignore[operator]  # a tensile result has both
    return text


def heat_verdict_text(order: LabOrder, specimens: list[Specimen], latest: dict[int, TestResult]) -> str:
    """合格 / 不合格, with what happened on the way: "拉伸2初检不合格，加倍复检合格"."""
    notes = retest_notes(specimens, latest)
    verdict = _("Conforms") if order.verdict == Verdict.PASS else _("Does not conform")
    return f"{verdict}（{'；'.join(notes)}）" if notes else verdict


def _heat_content(order: LabOrder) -> dict[str, Any]:
    limits = limits_of(order.standard, order.grade)
    rows = certificate_rows(order)
    specimens = list(order.specimens.all())
    latest = {r.specimen_id: r for r in rows}
    analysis = latest_analysis(order)
    assert analysis is not None  # an approved heat has its analysis
    chemistry = {
        "values": {SYMBOLS[e]: str(getattr(analysis, e)) for e in SYMBOLS if getattr(analysis, e) is not None},
        "ceq": str(analysis.ceq.quantize(Decimal("0.01"))),
        "limits": {**{SYMBOLS[e]: _plain(getattr(limits, f"{e}_max")) for e in ("c", "si", "mn", "p", "s")
                      if getattr(limits, f"{e}_max") is not None},
                   "Ceq": _plain(limits.ceq_max) if limits.ceq_max is not None else ""},
        "verdict": analysis.get_verdict_display(), "rule": analysis.verdict_rule,
        "id": analysis.pk, "revision": analysis.revision, "hash": analysis.hash}
    inspectors = sorted({r.recorded_by.get_full_name() or r.recorded_by.username for r in rows}
                        | {analysis.recorded_by.get_full_name() or analysis.recorded_by.username})
    approver = order.reviewed_by
    assert approver is not None  # only approved heats are certified
    return {
        "heat": order.heat, "sampled_at": timezone.localtime(order.sampled_at).strftime("%Y-%m-%d"),
        "verdict": order.verdict, "verdict_text": heat_verdict_text(order, specimens, latest),
        "chemistry": chemistry,
        "tests": [{"specimen": specimen_label(r.specimen), "test": str(r.specimen.get_kind_display()),
                   "kind": r.specimen.kind, "values": _measured(r),
                   "limits": _limits_text(r.specimen.kind, limits, order.diameter),
                   "verdict": r.get_verdict_display(), "id": r.pk, "revision": r.revision, "hash": r.hash}
                  for r in rows],
        "inspectors": inspectors,
        "approver": approver.get_full_name() or approver.username,
        "approved_at": timezone.localtime(order.reviewed_at).strftime("%Y-%m-%d %H:%M"),
    }


def _content(delivery: Delivery, number: str, issued_at: datetime, replaces: Certificate | None,
             actor: User) -> dict[str, Any]:
    heats = [_heat_content(order) for order in delivery.orders.select_related("standard", "reviewed_by")
             .order_by("heat")]
    profile = profile_of(delivery.enterprise)
    standard = delivery.orders.first().standard  # type: ignore[union-attr]  # a delivery has its orders
    notes = [f"{h['heat']}：{h['verdict_text']}" for h in heats if h["verdict_text"] != _("Conforms")]
    verdict = _("Conforms to %(standard)s") % {"standard": standard}
    return {
        "number": number, "issued_at": timezone.localtime(issued_at).strftime("%Y-%m-%d %H:%M"),
        "enterprise": delivery.enterprise.name, "lab": profile.lab_name or "",
        "customer": delivery.customer, "contract": delivery.contract, "product": PRODUCT,
        "standard": f"{standard} {standard.title}", "grade": delivery.grade, "diameter": delivery.diameter,
        "bundles": delivery.bundles, "weight": str(delivery.weight),
        "replaces": replaces.number if replaces else "",
        "heats": heats, "verdict": verdict + ("：" + "；".join(notes) if notes else ""),
        "issued_by": actor.get_full_name() or actor.username, "seal_sha256": profile.seal_sha256,
    }


def canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def certificate_digest(previous: str, content: dict[str, Any]) -> str:
    return hashlib.sha256((previous + SEPARATOR + canonical(content)).encode()).hexdigest()


@transaction.atomic
def issue_certificate(actor: User, delivery_id: int) -> Certificate:
    """Issue the delivery's certificate (again, after the previous one was voided: a new number naming it).
    Refused while any heat is undecided, does not conform, or is not approved, or while one is still valid."""
    delivery = fetch_for_change(Delivery, actor, "lab.add_certificate", delivery_id)
    # The heats' rows are locked: a correction in flight either voids this certificate or is seen by it.
    heats = list(LabOrder.objects.select_for_update(of=("self",)).filter(deliveries=delivery).order_by("heat"))
    for order in heats:
        if order.verdict not in (Verdict.PASS, Verdict.FAIL):
            raise ValidationError(_("Heat %(heat)s is not decided yet: no certificate can be issued.")
                                  % {"heat": order.heat})
        if order.review != Review.APPROVED:
            raise ValidationError(_("Heat %(heat)s has not been approved (审核/批准) yet: no certificate can be "
                                    "issued.") % {"heat": order.heat})
        if order.verdict != Verdict.PASS:
            raise ValidationError(_("Heat %(heat)s does not conform: no certificate can be issued.")
                                  % {"heat": order.heat})
    previous = list(delivery.certificates.select_for_update().order_by("-issued_at", "-pk"))
    valid = [c for c in previous if c.status == CertificateStatus.VALID]
    if valid:
        raise ValidationError(_("This delivery already has a valid certificate, %(number)s.")
                              % {"number": valid[0].number})
    replaces = previous[0] if previous else None
    issued_at = timezone.now()
    number = _next_number(delivery.enterprise)
    content = _content(delivery, number, issued_at, replaces, actor)
    chain = lock_chain(LabChain.CERTIFICATES)
    certificate = Certificate(delivery=delivery, number=number, token=secrets.token_urlsafe(16), replaces=replaces,
                              content=content, issued_by=actor, issued_at=issued_at, previous_hash=chain.head,
                              hash=certificate_digest(chain.head, content))
    with audit.acting_as(actor), audit.labelled(audit.Label.LAB_CERTIFICATE):
        certificate.save()
    chain.head, chain.length = certificate.hash, chain.length + 1
    chain.save(update_fields=["head", "length"])
    return certificate


def supersede_for(actor: User, order: LabOrder, changed: str, reason: str = "") -> list[Certificate]:
    """A record behind valid certificates changed: void them now, in the caller's transaction, saying why."""
    voided = []
    for certificate in (Certificate.objects.select_for_update(of=("self",))
                        .filter(delivery__orders=order, status=CertificateStatus.VALID)):
        why = _("Heat %(heat)s: %(record)s changed after issue") % {"heat": order.heat, "record": changed}
        why = f"{why}（{reason}）" if reason else why

        def stamp(locked: Certificate, why: str = why) -> None:
            locked.void_reason, locked.void_at = why[:300], timezone.now()

        voided.append(CERTIFICATE_FLOW.perform(actor, certificate, CertificateStep.SUPERSEDE, apply=stamp,
                                               note=why[:300]))
    return voided


def revoke_certificate(actor: User, certificate_id: int, reason: str) -> Certificate:
    """A reviewer withdraws a certificate (a wrong customer, a lost original), with the reason."""
    reason = _text(reason or "", 300)

    def stamp(certificate: Certificate) -> None:
        if not reason:
            raise ValidationError({"reason": _("Give the reason for withdrawing the certificate.")})
        certificate.void_reason, certificate.void_at = reason, timezone.now()

    return CERTIFICATE_FLOW.perform(actor, certificate_id, CertificateStep.REVOKE, apply=stamp, note=reason)


# --- checking a certificate against the records -----------------------------------------------------------------

@dataclass
class CertificateCheck:
    certificate: Certificate
    content_intact: bool  # its SHA-256 still covers its content
    records_intact: bool  # every record behind it still matches its own hash
    changed: list[str] = field(default_factory=list)  # records corrected (or missing) since issue

    @property
    def valid(self) -> bool:
        return self.certificate.status == CertificateStatus.VALID

    @property
    def matches(self) -> bool:
        """Only then may a page say the certificate agrees with the record ("一致")."""
        return self.valid and self.content_intact and self.records_intact and not self.changed


def verify_certificate(certificate: Certificate) -> CertificateCheck:
    content = certificate.content
    check = CertificateCheck(certificate, certificate_digest(certificate.previous_hash, content) == certificate.hash,
                             True)
    tests = [t for h in content.get("heats", []) for t in h.get("tests", [])]
    results = {r.pk: r for r in TestResult.objects.filter(pk__in=[t["id"] for t in tests])}
    newest: dict[int, int] = {}
    for specimen_id, revision in TestResult.objects.filter(specimen_id__in=[r.specimen_id for r in results.values()]
                                                           ).values_list("specimen_id", "revision"):
        newest[specimen_id] = max(newest.get(specimen_id, 0), revision)
    for test in tests:
        result = results.get(test["id"])
        if result is None or result.hash != test["hash"] or digest(result.previous_hash, result) != result.hash:
            check.records_intact = False
            check.changed.append(test["specimen"])
        elif newest.get(result.specimen_id, 0) > result.revision:
            check.changed.append(test["specimen"])
    for heat in content.get("heats", []):
        stored = heat["chemistry"]
        analysis = HeatAnalysis.objects.filter(pk=stored["id"]).first()
        label = _("melt analysis of %(heat)s") % {"heat": heat["heat"]}
        if analysis is None or analysis.hash != stored["hash"] or not verify_analysis(analysis):
            check.records_intact = False
            check.changed.append(label)
        elif HeatAnalysis.objects.filter(order_id=analysis.order_id, revision__gt=analysis.revision).exists():
            check.changed.append(label)
    return check


def verify_certificates() -> tuple[int, int | None, str]:
    """(checked, id of the first broken certificate, reason): content hashes, links and the head; and no valid
    certificate on a result or analysis revised after its issue (the records' own chains vouch for the rest)."""
    previous, checked = GENESIS, 0
    rows = Certificate.objects.order_by("pk").values_list("pk", "previous_hash", "hash", "content")
    for pk, linked, stored, content in rows.iterator(chunk_size=5000):
        if linked != previous:
            return checked, pk, "the link to the previous certificate is broken"
        if certificate_digest(linked, content) != stored:
            return checked, pk, "the content of a certificate does not match its hash"
        previous, checked = stored, checked + 1
    head = LabChain.objects.filter(name=LabChain.CERTIFICATES).first()
    if head is not None and (head.head, head.length) != (previous, checked):
        return checked, None, "certificates were removed after the last one"
    stale = stale_certificates()
    if stale:
        return checked, stale[0], "a valid certificate's records changed after issue"
    return checked, None, ""


def stale_certificates() -> list[int]:
    """Valid certificates with a result or an analysis of one of their heats revised after they were issued
    (the services void them in the correction's transaction, so any is a sign of a write behind the app's back).
    Corrections are few: two queries over the revised rows."""
    valid = {"status": CertificateStatus.VALID}
    results = (TestResult.objects.filter(revision__gt=1).values_list(
        "recorded_at", "specimen__order__deliveries__certificates", "specimen__order__deliveries__certificates__status",
        "specimen__order__deliveries__certificates__issued_at"))
    analyses = (HeatAnalysis.objects.filter(revision__gt=1).values_list(
        "recorded_at", "order__deliveries__certificates", "order__deliveries__certificates__status",
        "order__deliveries__certificates__issued_at"))
    found = {pk for rows in (results, analyses) for at, pk, status, issued in rows
             if pk is not None and status == valid["status"] and at > issued}
    return sorted(found)


# --- the printed document ---------------------------------------------------------------------------------------

def render_delivery_certificate(certificate: Certificate, verify_url: str) -> bytes:
    """The mill's 质量证明书 layout: the delivery's facts, a chemistry table and a mechanical table per heat with
    the standard's limits, the verdict as it happened, inspector and approver, the seal, the SHA-256 and a QR code
    to the public check. Rendered from the frozen content, so a reprint says what was issued."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = pdf.register_fonts()
    c = certificate.content
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=f"{_('Quality certificate')} {c['number']}")
    text = ParagraphStyle("cell", fontName=regular, fontSize=7.5, leading=9)
    strong = ParagraphStyle("strong", parent=text, fontName=bold, fontSize=10, leading=13)
    title = ParagraphStyle("title", fontName=bold, fontSize=17, leading=22, alignment=1)
    grid = TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                       ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                       ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))])

    def p(value: Any, style: ParagraphStyle = text) -> Paragraph:
        return Paragraph(str(value).replace("&", "&amp;").replace("<", "&lt;"), style)

    story: list[Any] = [p(c["enterprise"], title), p(_("Quality certificate"), title),
                        p(f"{_('certificate number')}：{c['number']}　　{_('issued')}：{c['issued_at']}"
                          + (f"　　{_('replaces')}：{c['replaces']}" if c["replaces"] else ""), strong),
                        Spacer(1, 3 * mm)]
    facts = [[_("customer"), c["customer"], _("contract number"), c["contract"], _("product"), c["product"]],
             [_("standard"), c["standard"], _("steel grade"), c["grade"], _("size"), f"Φ{c['diameter']} mm"],
             [_("bundles"), c["bundles"], _("weight (t)"), c["weight"], _("heats"),
              "、".join(h["heat"] for h in c["heats"])]]
    table = Table([[p(v) for v in row] for row in facts], colWidths=[22 * mm, 62 * mm, 22 * mm, 48 * mm, 22 * mm,
                                                                     93 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story += [table, Spacer(1, 3 * mm), p(_("Chemical composition (melt analysis, %)"), strong)]
    symbols = [s for s in SYMBOLS.values() if any(s in h["chemistry"]["values"] for h in c["heats"])]
    rows = [[_("Heat number"), *symbols, "Ceq", _("verdict")]]
    for heat in c["heats"]:
        chem = heat["chemistry"]
        rows.append([heat["heat"], *(chem["values"].get(s, "—") for s in symbols), chem["ceq"], chem["verdict"]])
    limits = c["heats"][0]["chemistry"]["limits"]
    rows.append([_("Standard (≤)"), *(limits.get(s, "—") for s in symbols), limits.get("Ceq", "—"), ""])
    story += [_table([[p(v) for v in row] for row in rows], grid), Spacer(1, 3 * mm),
              p(_("Mechanical and process properties"), strong)]
    rows = [[_("Heat number"), _("specimen"), _("Results"), _("Standard"), _("verdict")]]
    for heat in c["heats"]:
        for test in heat["tests"]:
            rows.append([heat["heat"], test["specimen"], test["values"], test["limits"], test["verdict"]])
    story += [_table([[p(v) for v in row] for row in rows], grid, [28 * mm, 26 * mm, 95 * mm, 95 * mm, 25 * mm]),
              Spacer(1, 3 * mm)]
    signed = [p(f"{_('verdict')}：{c['verdict']}", strong)]
    for heat in c["heats"]:
        signed.append(p(f"{_('Heat number')} {heat['heat']}：{heat['verdict_text']}　{_('inspector')}："
                        f"{'、'.join(heat['inspectors'])}　{_('approved by')}：{heat['approver']}"
                        f"（{heat['approved_at']}）"))
    signed.append(p(f"{_('issued by')}：{c['issued_by']}　{c['lab']}"))
    signed.append(p(f"SHA-256：{certificate.hash}"))
    signed.append(p(_("Scan to verify against the lab's record") + f"：{verify_url}"))
    seal = _seal_image(certificate)
    footer = Table([[signed, Image(seal, 32 * mm, 32 * mm) if seal is not None else "",
                     Image(_qr_buffer(verify_url), 30 * mm, 30 * mm)]],
                   colWidths=[200 * mm, 36 * mm, 33 * mm])
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(footer)
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list[Any]], style: TableStyle, widths: list[float] | None = None) -> Table:
    from reportlab.platypus import Table

    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(style)
    return table


def _seal_image(certificate: Certificate) -> BytesIO | None:
    """The seal as uploaded when the certificate was issued (the content names its SHA-256)."""
    profile = LabProfile.objects.filter(enterprise_id=certificate.delivery.enterprise_id).first()
    if profile is None or not profile.seal or profile.seal_sha256 != certificate.content.get("seal_sha256"):
        return None
    return BytesIO(bytes(profile.seal))


def _qr_buffer(url: str) -> BytesIO:
    import segno

    image = BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=6, border=2)
    image.seek(0)
    return image


__all__ = ["configure_lab", "create_delivery", "issue_certificate",
           "render_delivery_certificate", "revoke_certificate", "supersede_for", "verify_certificate",
           "verify_certificates"]
