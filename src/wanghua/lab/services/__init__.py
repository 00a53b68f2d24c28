"""智检中心 services: lab orders per heat, results from instruments (or by hand, with a reason), verdicts against the
grade's limits that name the rule which decided them, retests, and an append-only hash-chained record.
The melt analysis (`chemistry`), 审核/批准 (`review`) and numbered certificates per delivery (`certificates`)
are modules of this package; their functions are importable from here too.

Per GB/T 1499.2 a heat is tested with 2 tensile, 2 bend, 1 re-bend (E grades) and 1 weight-deviation
specimen. When a test fails, twice as many specimens of that test are taken from the same heat; the
heat passes only if every one of them passes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from wanghua.core import audit, pdf
from wanghua.core.access import fetch_for_change, grants_of, require
from wanghua.core.models import User
from wanghua.org.models import Unit, UnitKind

from ..models import (
    LAB_ORDER_FLOW,
    GradeLimit,
    LabChain,
    LabOrder,
    LabOrderStep,
    Review,
    Specimen,
    Standard,
    TestKind,
    TestResult,
    Verdict,
)

SPECIMENS = {TestKind.TENSILE: 2, TestKind.BEND: 2, TestKind.REBEND: 1, TestKind.WEIGHT: 1}
STRENGTH_UNITS = {"MPa", "N/mm²", "N/mm2"}
SOURCES = ("instrument", "manual")
# Physically possible ranges: anything outside is a fault of the instrument or of the typing.
RANGES = {"yield_strength": (Decimal(50), Decimal(2000)), "tensile_strength": (Decimal(50), Decimal(2500)),
          "elongation": (Decimal(0), Decimal(80)), "agt": (Decimal(0), Decimal(60)),
          "weight_deviation": (Decimal(-30), Decimal(30))}
VALUES: dict[str, tuple[str, ...]] = {TestKind.TENSILE: ("yield_strength", "tensile_strength", "elongation", "agt"),
          TestKind.BEND: ("passed_bend",), TestKind.REBEND: ("passed_bend",),
          TestKind.WEIGHT: ("weight_deviation",)}
GENESIS = "0" * 64
PLACES = {"yield_strength": Decimal("0.1"), "tensile_strength": Decimal("0.1"), "elongation": Decimal("0.1"),
          "agt": Decimal("0.1"), "weight_deviation": Decimal("0.01")}


@dataclass(frozen=True)
class Decision:
    verdict: str
    rule: str


# --- orders ---------------------------------------------------------------------------------------------

def limits_of(standard: Standard, grade: str) -> GradeLimit:
    limits = GradeLimit.objects.filter(standard=standard, grade=grade).first()
    if limits is None:
        raise ValidationError({"grade": _("%(standard)s has no grade %(grade)s.") % {"standard": standard,
                                                                                      "grade": grade}})
    return limits


def finite_decimal(value: Any, place: Decimal) -> Decimal:
    """`value` as a Decimal to `place`. InvalidOperation for what is no number, and for NaN: "NaN" parses, but a
    NaN cannot be compared with a limit, so it must not get past the parse."""
    number = Decimal(str(value)).quantize(place)
    if not number.is_finite():
        raise InvalidOperation(value)
    return number


def by_diameter(table: list[tuple[int, Decimal]], diameter: int) -> Decimal:
    for largest, value in table:
        if diameter <= largest:
            return Decimal(str(value))
    raise ValidationError({"diameter": _("The standard covers bars up to %(mm)s mm.") % {"mm": table[-1][0]}})


@transaction.atomic
def create_order(actor: User, *, enterprise: Unit, heat: str, grade: str, diameter: int, sampled_at: datetime,
                 sampled_where: str = "", standard: Standard | None = None) -> LabOrder:
    """Register a heat's samples; the specimens the standard asks for are created with it."""
    standard = standard or Standard.objects.filter(code="GB/T 1499.2", active=True).order_by("-effective_on").first()
    if standard is None:
        raise ValidationError(_("No active standard to test against."))
    limits = limits_of(standard, grade)
    by_diameter(limits.bend_mandrels, diameter)
    if sampled_at > timezone.now():
        raise ValidationError({"sampled_at": _("The sampling time cannot be in the future.")})
    order = LabOrder(enterprise=enterprise, heat=heat.strip(), grade=grade, diameter=diameter, standard=standard,
                     sampled_at=sampled_at, sampled_where=sampled_where.strip())
    require(actor, "add", order)
    if LabOrder.objects.filter(enterprise=enterprise, heat=order.heat).exists():
        raise ValidationError({"heat": _("This heat is already registered.")})
    order.full_clean()
    with audit.acting_as(actor):
        order.save()
        Specimen.objects.bulk_create(
            Specimen(order=order, kind=kind, number=n)
            for kind, count in SPECIMENS.items() if kind != TestKind.REBEND or limits.rebend
            for n in range(1, count + 1))
    return order


def enterprise_of(actor: User, permission: str = "lab.add_laborder") -> Unit:
    """The enterprise whose lab the actor works in (their grant that may register samples, or `permission`)."""
    units = [g.unit_id for g in grants_of(actor) if g.unit_id and g.allows(permission)]
    enterprise = Unit.objects.filter(pk__in=units, kind=UnitKind.ENTERPRISE).first()
    if enterprise is None:
        raise ValidationError(_("Your role is not held at an enterprise."))
    return enterprise


# --- judging one result -------------------------------------------------------------------------------------

def judge(kind: str, values: dict[str, Any], limits: GradeLimit, diameter: int) -> Decision:
    """The verdict of one test, naming the rule that decided it."""
    name = f"{limits.standard} {limits.grade}"
    if kind == TestKind.TENSILE:
        return _judge_tensile(values, limits, name)
    if kind in (TestKind.BEND, TestKind.REBEND):
        factor = by_diameter(limits.bend_mandrels, diameter) + (1 if kind == TestKind.REBEND else 0)
        test = _("bend 180°") if kind == TestKind.BEND else _("re-bend 90°/20°")
        rule = _("%(name)s: %(test)s around D = %(factor)sd = %(mm)s mm") % {
            "name": name, "test": test, "factor": factor, "mm": factor * diameter}
        if values["passed_bend"]:
            return Decision(Verdict.PASS, _("%(rule)s, no cracks") % {"rule": rule})
        return Decision(Verdict.FAIL, _("%(rule)s: cracked") % {"rule": rule})
    tolerance = by_diameter(limits.weight_tolerances, diameter)
    deviation = values["weight_deviation"]
    rule = _("%(name)s: weight deviation %(value)s%% within ±%(tolerance)s%% for Φ%(d)s") % {
        "name": name, "value": deviation, "tolerance": tolerance, "d": diameter}
    return Decision(Verdict.PASS if abs(deviation) <= tolerance else Verdict.FAIL, rule)


def _judge_tensile(values: dict[str, Any], limits: GradeLimit, name: str) -> Decision:
    rel, rm, a, agt = (values[k] for k in ("yield_strength", "tensile_strength", "elongation", "agt"))
    checks = [("ReL", rel, ">=", limits.yield_min, " MPa"), ("Rm", rm, ">=", limits.tensile_min, " MPa"),
              ("A", a, ">=", limits.elongation_min, "%"), ("Agt", agt, ">=", limits.agt_min, "%")]
    if limits.tensile_yield_ratio_min is not None:
        checks.append(("Rm/ReL", (rm / rel).quantize(Decimal("0.01")), ">=", limits.tensile_yield_ratio_min, ""))
    if limits.yield_overstrength_max is not None:
        checks.append((f"ReL/{_plain(limits.yield_min)}", (rel / limits.yield_min).quantize(Decimal("0.01")),
                       "<=", limits.yield_overstrength_max, ""))
    met = []
    for label, value, sign, bound, unit in checks:
        if bound is None or value is None:
            continue
        ok = value >= bound if sign == ">=" else value <= bound
        shown = f"{label} {value}{unit} {'≥' if sign == '>=' else '≤'} {_plain(bound)}{unit}"
        if not ok:
            return Decision(Verdict.FAIL, _("%(name)s: %(check)s not met") % {"name": name, "check": shown})
        met.append(shown)
    return Decision(Verdict.PASS, f"{name}: " + ", ".join(met))


def _plain(value: Decimal) -> str:
    """A limit as people write it: 400, 9.0 → 9, 1.25."""
    return format(value.normalize(), "f")


def clean_values(kind: str, raw: dict[str, Any], strength_unit: str = "MPa") -> dict[str, Any]:
    """The values a test of `kind` needs, as Decimals within physical bounds; anything else is an error."""
    if kind == TestKind.TENSILE and strength_unit not in STRENGTH_UNITS:
        raise ValidationError({"strength_unit": _("Strengths are in MPa (N/mm²), not %(unit)s.")
                               % {"unit": strength_unit}})
    values: dict[str, Any] = {}
    for field in VALUES[kind]:
        value = raw.get(field)
        if value is None or value == "":
            if field == "elongation":  # E grades need no A
                values[field] = None
                continue
            raise ValidationError({field: _("This test needs a value here.")})
        if field == "passed_bend":
            if not isinstance(value, bool):
                raise ValidationError({field: _("Say whether the specimen cracked.")})
            values[field] = value
            continue
        try:  # to the stored precision, so the hash of a reloaded row is the hash that was written
            number = finite_decimal(value, PLACES[field])
        except (InvalidOperation, ValueError):
            raise ValidationError({field: _("Enter a number.")}) from None
        low, high = RANGES[field]
        if not low <= number <= high:
            raise ValidationError({field: _("%(value)s is outside the possible range %(low)s…%(high)s.")
                                   % {"value": number, "low": low, "high": high}})
        values[field] = number
    if kind == TestKind.TENSILE and values["tensile_strength"] < values["yield_strength"]:
        raise ValidationError({"tensile_strength": _("Rm cannot be below ReL: check the units and the order.")})
    return values


# --- recording results --------------------------------------------------------------------------------------

# What a result's hash covers, in a fixed order. Fields are joined by the ASCII unit separator, which no
# text can contain (`_text` removes control characters), so the form is unambiguous and quick to rebuild:
# verifying a million results is one pass over tuples.
HASHED = ("specimen_id", "revision", "yield_strength", "tensile_strength", "elongation", "agt", "passed_bend",
          "weight_deviation", "source", "instrument", "reason", "recorded_by_id", "recorded_at", "verdict",
          "verdict_rule")
SEPARATOR = "\x1f"


def _text(value: str, limit: int) -> str:
    return "".join(c for c in value.strip() if c >= " " or c == "\n")[:limit]


def _number(value: Decimal | None) -> str:
    return "None" if value is None else str(value + 0)  # -0.00 is stored (and read back) as 0.00


def _row_content(row: tuple[Any, ...]) -> str:
    """The canonical text of a result, from its values in HASHED order (positions are fixed: this runs once
    per result when a million are verified)."""
    specimen, revision, rel, rm, a, agt, bend, weight, source, instrument, reason, by, at, verdict, rule = row
    return SEPARATOR.join((str(specimen), str(revision), _number(rel), _number(rm), _number(a), _number(agt),
                           str(bend), _number(weight), source, instrument, reason, str(by),
                           at.astimezone(UTC).isoformat(), verdict, rule))


def digest(previous: str, result: TestResult) -> str:
    row = tuple(getattr(result, field) for field in HASHED)
    return hashlib.sha256((previous + SEPARATOR + _row_content(row)).encode()).hexdigest()


@transaction.atomic
def post_result(actor: User, specimen_id: int, *, source: str = "instrument", instrument: str = "", reason: str = "",
                correction: bool = False, strength_unit: str = "MPa", **raw: Any) -> TestResult:
    """Record a result (or, with `correction`, a corrected revision); decide it and the heat."""
    specimen = fetch_for_change(Specimen, actor, "lab.add_testresult", specimen_id)
    if source not in SOURCES:
        raise ValidationError({"source": _("The source is an instrument or manual entry.")})
    reason, instrument = _text(reason, 300), _text(instrument, 60)
    latest = specimen.results.order_by("-revision").first()
    if latest is not None and not correction:
        raise ValidationError(_("This specimen already has a result; record a correction with a reason instead."))
    if correction and latest is None:
        raise ValidationError(_("There is no result to correct."))
    if (correction or source == "manual") and not reason:
        raise ValidationError({"reason": _("Give the reason for a manual entry or a correction.")})
    values = clean_values(specimen.kind, raw, strength_unit)
    # The heat's row is locked too: an approval or a certificate issued meanwhile waits, then sees this record.
    order = LabOrder.objects.select_for_update().get(pk=specimen.order_id)
    decision = judge(specimen.kind, values, limits_of(order.standard, order.grade), order.diameter)
    chain = lock_chain(LabChain.RESULTS)
    result = TestResult(specimen=specimen, revision=(latest.revision + 1) if latest else 1, source=source,
                        instrument=instrument, reason=reason, recorded_by=actor,
                        recorded_at=timezone.now(), verdict=decision.verdict, verdict_rule=decision.rule[:300],
                        previous_hash=chain.head, **values)
    result.hash = digest(chain.head, result)
    result.save()
    chain.head, chain.length = result.hash, chain.length + 1
    chain.save(update_fields=["head", "length"])
    decide_order(actor, order, changed=_("%(specimen)s r%(revision)s") % {
        "specimen": specimen_label(specimen), "revision": result.revision}, reason=reason if correction else "")
    return result


def lock_chain(name: str) -> LabChain:
    """The head of one chain, locked until the caller's transaction ends (created on first use)."""
    chain = LabChain.objects.select_for_update().filter(name=name).first()
    if chain is None:
        LabChain.objects.get_or_create(name=name)
        chain = LabChain.objects.select_for_update().get(name=name)
    return chain


def specimen_label(specimen: Specimen) -> str:
    """拉伸2, 拉伸11（复检）: how a certificate and a verdict name a specimen."""
    label = f"{specimen.get_kind_display()}{specimen.number}"
    return label + (_("(retest)") if specimen.retest else "")


def _latest_results(order: LabOrder) -> dict[int, TestResult]:
    latest: dict[int, TestResult] = {}
    for result in (TestResult.objects.filter(specimen__order=order).select_related("specimen")
                   .order_by("specimen_id", "revision")):
        latest[result.specimen_id] = result
    return latest


def decide_order(actor: User, order: LabOrder, *, changed: str = "", reason: str = "") -> LabOrder:
    """The heat's verdict from the latest revision of every specimen, retests included, and its melt analysis;
    then its review (a decided heat waits for a second person) and its certificates (a changed record voids
    them, here, in the same transaction). `changed` names the record just added, `reason` a correction's."""
    specimens = list(order.specimens.all())
    latest = _latest_results(order)
    decision, retests = _heat_decision(specimens, latest)
    decision = chemistry.with_chemistry(decision, chemistry.latest_analysis(order))
    for kind, count in retests.items():
        if not any(s.retest and s.kind == kind for s in specimens):
            start = max((s.number for s in specimens if s.kind == kind), default=0)
            Specimen.objects.bulk_create(Specimen(order=order, kind=kind, number=start + n, retest=True)
                                         for n in range(1, count + 1))
    rule = decision.rule[:300]
    if order.verdict != decision.verdict:  # a step of the declared table (models.LAB_ORDER_FLOW)

        def stamp(locked: LabOrder) -> None:
            final = decision.verdict in (Verdict.PASS, Verdict.FAIL)
            locked.verdict_rule, locked.decided_at = rule, timezone.now() if final else None
            if final and not locked.certificate_token:
                locked.certificate_token = secrets.token_urlsafe(16)

        order = LAB_ORDER_FLOW.perform(actor, order, LabOrderStep(decision.verdict), apply=stamp)
    elif order.verdict_rule != rule:  # the same verdict for another reason (a retest now running)
        order.verdict_rule = rule
        with audit.acting_as(actor), audit.labelled(audit.Label.LAB_VERDICT):
            order.save()
    review.after_change(actor, order)
    if changed:
        certificates.supersede_for(actor, order, changed, reason)
    return order


def _heat_decision(specimens: list[Specimen], latest: dict[int, TestResult]) -> tuple[Decision, dict[str, int]]:
    retests: dict[str, int] = {}
    failures: list[str] = []
    for kind in TestKind.values:
        originals = [s for s in specimens if s.kind == kind and not s.retest]
        if not originals:
            continue
        if any(s.pk not in latest for s in originals):
            return Decision(Verdict.PENDING, _("Waiting for results.")), {}
        failed = [latest[s.pk] for s in originals if latest[s.pk].verdict == Verdict.FAIL]
        if not failed:
            continue
        again = [s for s in specimens if s.kind == kind and s.retest]
        if not again:
            retests[kind] = 2 * len(originals)
            failures.append(_("%(rule)s — retest %(n)s specimens") % {"rule": failed[0].verdict_rule,
                                                                       "n": 2 * len(originals)})
            continue
        if any(s.pk not in latest for s in again):
            failures.append(_("%(rule)s — retest running") % {"rule": failed[0].verdict_rule})
            continue
        failed_again = [latest[s.pk] for s in again if latest[s.pk].verdict == Verdict.FAIL]
        if failed_again:
            return Decision(Verdict.FAIL, _("Retest failed: %(rule)s") % {"rule": failed_again[0].verdict_rule}), {}
    if failures:
        return Decision(Verdict.RETEST, "; ".join(failures)), retests
    notes = retest_notes(specimens, latest)
    standard = specimens[0].order.standard
    if notes:  # truthfully: which first tests failed, and that their double retest passed
        return Decision(Verdict.PASS, _("Meets %(standard)s: %(notes)s") % {"standard": standard,
                                                                            "notes": "；".join(notes)}), {}
    return Decision(Verdict.PASS, _("All %(n)s tests meet %(standard)s.") % {
        "n": len([s for s in specimens if not s.retest]), "standard": standard}), {}


def retest_notes(specimens: list[Specimen], latest: dict[int, TestResult]) -> list[str]:
    """拉伸2初检不合格，加倍复检合格 — for every test whose first specimens failed and whose retest is complete."""
    notes = []
    for kind in TestKind.values:
        failed = [s for s in specimens if s.kind == kind and not s.retest and s.pk in latest
                  and latest[s.pk].verdict == Verdict.FAIL]
        again = [s for s in specimens if s.kind == kind and s.retest]
        if not failed or not again or any(s.pk not in latest for s in again):
            continue
        words = {"test": TestKind(kind).label, "numbers": "、".join(str(s.number) for s in failed)}
        if any(latest[s.pk].verdict == Verdict.FAIL for s in again):
            notes.append(_("%(test)s %(numbers)s failed the first test and the double retest") % words)
        else:
            notes.append(_("%(test)s %(numbers)s failed the first test; the double retest passed") % words)
    return notes


# --- the chain -------------------------------------------------------------------------------------------

@dataclass
class ChainReport:
    checked: int
    broken_at: int | None  # the id of the first result whose hash does not match
    reason: str = ""


@dataclass
class _Span:
    """What one worker found in one range of ids."""

    first_pk: int | None
    first_link: str
    last_hash: str
    checked: int
    broken_at: int | None = None
    reason: str = ""


def _verify_span(low: int, high: int, chunk: int = 50_000) -> _Span:
    """Hashes and links inside ids low..high; the link into the range is checked by the caller. A row's hash
    covers its stored link, so ranges are independent and can be verified side by side."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return span_in_database(TestResult, HASHED, "result", low, high)
    span = _Span(None, "", "", 0)
    sha256 = hashlib.sha256
    previous, last_id = None, low - 1
    while True:
        rows = list(TestResult.objects.filter(pk__gt=last_id, pk__lte=high).order_by("pk")
                    .values_list("pk", "previous_hash", "hash", *HASHED)[:chunk])
        if not rows:
            return span
        for pk, linked, stored, *content in rows:
            if previous is None:
                span.first_pk, span.first_link = pk, linked
            elif linked != previous:
                span.broken_at, span.reason = pk, "the link to the previous result is broken"
                return span
            if sha256((linked + SEPARATOR + _row_content(content)).encode()).hexdigest() != stored:
                span.broken_at, span.reason = pk, "the content does not match its hash"
                return span
            previous, span.last_hash, span.checked, last_id = stored, stored, span.checked + 1, pk


def _canonical_sql(model: type[models.Model], fields: tuple[str, ...]) -> tuple[str, str]:
    """PostgreSQL: (table, expression) where the expression is a row's canonical text, assembled by the database
    in exactly the form `_row_content` builds in Python (numbers as stored, None as "None", booleans as
    True/False, times in UTC ISO form)."""
    from django.db import connection
    from django.db.models import BooleanField, DateTimeField, DecimalField

    parts = []
    for name in fields:
        field = model._meta.get_field(name)
        column = connection.ops.quote_name(field.column)  # type: ignore[union-attr, arg-type]  # concrete columns
        if isinstance(field, DecimalField):
            parts.append(f"coalesce({column}::text, 'None')")
        elif isinstance(field, BooleanField):
            parts.append(f"(case when {column} then 'True' when not {column} then 'False' else 'None' end)")
        elif isinstance(field, DateTimeField):
            parts.append(f"(regexp_replace(to_char({column} at time zone 'UTC', "
                         f"'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '\\.000000$', '') || '+00:00')")
        else:
            parts.append(f"coalesce({column}::text, 'None')")
    return connection.ops.quote_name(model._meta.db_table), f"concat_ws(chr(31), {', '.join(parts)})"


def canonical_rows(model: type[models.Model], fields: tuple[str, ...], low: int, high: int | None = None,
                   chunk: int = 50_000) -> Iterator[tuple[Any, ...]]:
    """PostgreSQL: (pk, link, hash, canonical text) of the rows low..high, in id order."""
    from django.db import connection

    table, content = _canonical_sql(model, fields)
    sql = (f"select id, previous_hash, hash, {content} from {table} "
           f"where id >= %s{' and id <= %s' if high is not None else ''} order by id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [low] + ([high] if high is not None else []))
        while rows := cursor.fetchmany(chunk):
            yield from rows


def span_in_database(model: type[models.Model], fields: tuple[str, ...], what: str, low: int, high: int) -> _Span:
    """PostgreSQL: the database recomputes every hash (sha256()) and compares every link (lag()) of ids
    low..high itself, so only counts and the first broken row travel; a million rows take a few seconds
    instead of the minute Python hashing would. The broken row, if any, is read back to name the fault."""
    from django.db import connection

    table, content = _canonical_sql(model, fields)
    checked_sql = (
        f"select count(*), min(id) filter (where bad) from (select id, "
        f"encode(sha256(convert_to(previous_hash || chr(31) || {content}, 'UTF8')), 'hex') <> hash "
        f"or coalesce(lag(hash) over (order by id), previous_hash) <> previous_hash as bad "
        f"from {table} where id >= %s and id <= %s) checked")
    with connection.cursor() as cursor:
        cursor.execute(f"select id, previous_hash from {table} where id >= %s and id <= %s order by id limit 1",
                       [low, high])
        first = cursor.fetchone()
        if first is None:
            return _Span(None, "", "", 0)
        cursor.execute(checked_sql, [low, high])
        count, broken = cursor.fetchone()
        if broken is None:
            cursor.execute(f"select hash from {table} where id >= %s and id <= %s order by id desc limit 1",
                           [low, high])
            return _Span(first[0], first[1], cursor.fetchone()[0], count)
    # Name the fault as the Python check does, from the broken row and the one before it.
    earlier = model._default_manager.filter(pk__gte=low, pk__lt=broken)
    prior = earlier.aggregate(prior=Max("pk"))["prior"]
    span = _check_rows(list(canonical_rows(model, fields, prior if prior is not None else broken, broken)), what)
    checked = earlier.count()
    return _Span(first[0], first[1], "", checked, broken, span.reason or f"the link to the previous {what} is broken")


def _check_rows(rows: Iterable[tuple[Any, ...]], what: str) -> _Span:
    """Links and hashes of rows already in canonical text, in id order."""
    sha256 = hashlib.sha256
    span = _Span(None, "", "", 0)
    previous = None
    for pk, linked, stored, content in rows:
        if previous is None:
            span.first_pk, span.first_link = pk, linked
        elif linked != previous:
            span.broken_at, span.reason = pk, f"the link to the previous {what} is broken"
            return span
        if sha256((linked + SEPARATOR + content).encode()).hexdigest() != stored:
            span.broken_at, span.reason = pk, ("the content does not match its hash" if what == "result"
                                                else f"the content of an {what} does not match its hash")
            return span
        previous, span.last_hash, span.checked = stored, stored, span.checked + 1
    return span


def _verify_in_process(bounds: tuple[int, int]) -> _Span:
    from django.db import connection

    try:
        return _verify_span(*bounds)
    finally:
        connection.close()


def verify_chain(workers: int | None = None) -> ChainReport:
    """Recompute every hash and link in order: an edit, insertion or removal made outside the application
    shows. The ids are split between `workers` processes (one per core; one inside a transaction, whose
    rows other processes cannot see)."""
    from django.db import connection, connections

    low, high = (TestResult.objects.aggregate(low=Min("pk"), high=Max("pk")).values())
    if low is None:
        spans = []
    else:
        workers = workers or (1 if connection.in_atomic_block else os.cpu_count() or 1)
        step = (high - low) // workers + 1
        bounds = [(low + i * step, min(high, low + (i + 1) * step - 1)) for i in range(workers)]
        if workers == 1:
            spans = [_verify_span(*bounds[0])]
        else:
            connections.close_all()  # the forked workers open their own
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                spans = pool.map(_verify_in_process, bounds)
    previous, checked = GENESIS, 0
    for span in spans:
        if span.first_pk is not None and span.first_link != previous:
            return ChainReport(checked, span.first_pk, "the link to the previous result is broken")
        if span.broken_at is not None:
            return ChainReport(checked + span.checked, span.broken_at, span.reason)
        if span.first_pk is not None:
            previous = span.last_hash
        checked += span.checked
    head = LabChain.objects.filter(name=LabChain.RESULTS).first()
    if head is not None and (head.head, head.length) != (previous, checked):
        return ChainReport(checked, None, "results were removed after the last one")
    return ChainReport(checked, None)


def certificate_rows(order: LabOrder) -> list[TestResult]:
    """The results a certificate shows: the latest revision of every specimen, in test order."""
    return sorted(_latest_results(order).values(), key=lambda r: (r.specimen.kind, r.specimen.retest,
                                                                   r.specimen.number))


def verify_order(order: LabOrder) -> bool:
    """Whether every revision of this heat's results still matches its hash (the whole chain: lab_verify)."""
    return all(digest(r.previous_hash, r) == r.hash for r in TestResult.objects.filter(specimen__order=order))


# --- certificates ---------------------------------------------------------------------------------------

def _qr(url: str) -> ImageReader:
    image = BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=6, border=2)
    image.seek(0)
    return ImageReader(image)


def _value_text(result: TestResult) -> str:
    kind = result.specimen.kind
    if kind == TestKind.TENSILE:
        parts = [f"ReL {result.yield_strength} MPa", f"Rm {result.tensile_strength} MPa"]
        if result.elongation is not None:
            parts.append(f"A {result.elongation}%")
        parts.append(f"Agt {result.agt}%")
        return "  ".join(parts)
    if kind in (TestKind.BEND, TestKind.REBEND):
        return _("no cracks") if result.passed_bend else _("cracked")
    return f"{result.weight_deviation}%"


def render_certificate(order: LabOrder, verify_url: str) -> bytes:
    """质量证明书: one page per heat with its results, the verdict and a QR code that verifies it online."""
    regular, bold = pdf.register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4
    left, y = 20 * mm, height - 25 * mm
    canvas.setTitle(f"{_('Quality certificate')} {order.heat}")
    canvas.setFont(bold, 18)
    canvas.drawCentredString(width / 2, y, _("Quality certificate"))
    y -= 12 * mm
    canvas.setFont(regular, 10.5)
    facts = [(_("enterprise"), order.enterprise.name), (_("Heat number"), order.heat),
             (_("Steel grade"), order.grade), (_("nominal diameter (mm)"), f"Φ{order.diameter}"),
             (_("standard"), f"{order.standard} {order.standard.title}"),
             (_("sampled"), timezone.localtime(order.sampled_at).strftime("%Y-%m-%d %H:%M")),
             (_("decided"), timezone.localtime(order.decided_at).strftime("%Y-%m-%d %H:%M") if order.decided_at
              else "—")]
    for label, value in facts:
        canvas.drawString(left, y, f"{label}：{value}")
        y -= 6.5 * mm
    y -= 3 * mm
    canvas.setFont(bold, 11)
    canvas.drawString(left, y, _("Results"))
    y -= 7 * mm
    canvas.setFont(regular, 9.5)
    for result in certificate_rows(order):
        specimen = result.specimen
        line = (f"{specimen.get_kind_display()} {specimen.number}{'（' + _('retest') + '）' if specimen.retest else ''}"
                f"  {_value_text(result)}  [{result.get_verdict_display()}]")
        for row in pdf.wrap(line, width - 2 * left, regular, 9.5):
            canvas.drawString(left, y, row)
            y -= 5.5 * mm
    y -= 4 * mm
    canvas.setFont(bold, 13)
    verdict = certificates.heat_verdict_text(order, list(order.specimens.all()), _latest_results(order))
    if order.review != Review.APPROVED:  # before 审核/批准 it is the lab's record, not a final verdict
        verdict += _(" (not yet approved: not final)")
    canvas.drawString(left, y, f"{_('verdict')}：{verdict}")
    y -= 6.5 * mm
    canvas.setFont(regular, 9)
    for row in pdf.wrap(order.verdict_rule, width - 2 * left - 45 * mm, regular, 9):
        canvas.drawString(left, y, row)
        y -= 5 * mm
    canvas.drawImage(_qr(verify_url), width - left - 38 * mm, 22 * mm, 38 * mm, 38 * mm)
    canvas.setFont(regular, 8)
    canvas.drawRightString(width - left, 18 * mm, _("Scan to verify against the lab's record"))
    canvas.drawString(left, 18 * mm, verify_url)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


from . import certificates, chemistry, review  # noqa: E402  (they use the helpers above)
