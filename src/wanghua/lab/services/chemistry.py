"""The melt analysis (熔炼分析) of a heat: posted by the spectrometer with a machine token, or typed in with a
reason; Ceq computed; judged against the grade's Table 2 limits (data, in `GradeLimit`); append-only and on its
own hash chain, which `wanghua lab_verify` checks with the results'."""

from __future__ import annotations

import hashlib
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core.access import fetch_for_change
from wanghua.core.models import User

from ..models import ELEMENTS, GradeLimit, HeatAnalysis, LabChain, LabOrder, Verdict
from . import (
    SEPARATOR,
    SOURCES,
    Decision,
    _number,
    _plain,
    _Span,
    _text,
    decide_order,
    finite_decimal,
    limits_of,
    lock_chain,
    span_in_database,
)

REQUIRED = ("c", "si", "mn", "p", "s")
SYMBOLS = {"c": "C", "si": "Si", "mn": "Mn", "p": "P", "s": "S", "cr": "Cr", "ni": "Ni", "cu": "Cu", "mo": "Mo",
           "v": "V", "nb": "Nb", "ti": "Ti"}
# Physically possible mass fractions (%) of a carbon steel's melt: beyond them it is cast iron, or a typing error.
PHYSICAL_MAX = {"c": Decimal(2), "si": Decimal(5), "mn": Decimal(20), "p": Decimal(1), "s": Decimal(1),
                "cr": Decimal(30), "ni": Decimal(40), "cu": Decimal(5), "mo": Decimal(10), "v": Decimal(5),
                "nb": Decimal(2), "ti": Decimal(2)}
PLACE = Decimal("0.0001")
LIMITED = (("c", "c_max"), ("si", "si_max"), ("mn", "mn_max"), ("p", "p_max"), ("s", "s_max"))


def clean_chemistry(raw: dict[str, Any]) -> dict[str, Decimal | None]:
    """The elements as Decimals (mass %): C, Si, Mn, P, S required, the rest where used; nothing negative, nothing
    beyond what a steel can hold, and not more than 100 % together."""
    values: dict[str, Decimal | None] = {}
    for element in ELEMENTS:
        value = raw.get(element)
        symbol = SYMBOLS[element]
        if value is None or value == "":
            if element in REQUIRED:
                raise ValidationError({element: _("The melt analysis needs %(element)s.") % {"element": symbol}})
            values[element] = None
            continue
        try:
            number = finite_decimal(value, PLACE)
        except (InvalidOperation, ValueError):
            raise ValidationError({element: _("%(element)s must be a number (mass %%).")
                                   % {"element": symbol}}) from None
        if number < 0:
            raise ValidationError({element: _("%(element)s cannot be negative (%(value)s %%).")
                                   % {"element": symbol, "value": number}})
        if number > PHYSICAL_MAX[element]:
            raise ValidationError({element: _("%(element)s %(value)s %% is not possible in steel (at most "
                                              "%(max)s %%): check the value and the unit.")
                                   % {"element": symbol, "value": number, "max": PHYSICAL_MAX[element]}})
        values[element] = number + 0
    total = sum(v for v in values.values() if v is not None)
    if total > 100:
        raise ValidationError(_("The elements add up to %(total)s %%, more than 100 %%.") % {"total": total})
    return values


def ceq_of(values: dict[str, Decimal | None]) -> Decimal:
    """Ceq = C + Mn/6 + (Cr+V+Mo)/5 + (Cu+Ni)/15 (GB/T 1499.2-2018 7.2), elements not used count as 0."""
    e = {k: values.get(k) or Decimal(0) for k in ELEMENTS}
    return (e["c"] + e["mn"] / 6 + (e["cr"] + e["v"] + e["mo"]) / 5 + (e["cu"] + e["ni"]) / 15).quantize(PLACE)


def _shown(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.001")).normalize(), "f")


def judge_chemistry(values: dict[str, Decimal | None], ceq: Decimal, limits: GradeLimit) -> Decision:
    """The melt analysis against the grade's Table 2 maxima and its Ceq maximum, naming the rule."""
    name = f"{limits.standard} {limits.grade}"
    checks = [(SYMBOLS[e], values[e], getattr(limits, f)) for e, f in LIMITED]
    checks.append(("Ceq", ceq.quantize(Decimal("0.01")), limits.ceq_max))
    met = []
    for symbol, value, bound in checks:
        if bound is None:
            continue
        shown = f"{symbol} {_shown(value)}% ≤ {_plain(bound)}%"  # type: ignore[arg-type]  # a limited element is measured
        if value > bound:
            return Decision(Verdict.FAIL, _("%(name)s melt analysis: %(check)s not met") % {"name": name,
                                                                                           "check": shown})
        met.append(shown)
    return Decision(Verdict.PASS, _("%(name)s melt analysis: %(checks)s") % {"name": name, "checks": ", ".join(met)})


def latest_analysis(order: LabOrder) -> HeatAnalysis | None:
    return order.analyses.order_by("-revision").first()


def with_chemistry(decision: Decision, analysis: HeatAnalysis | None) -> Decision:
    """The heat's decision once its melt analysis is known: a failed analysis fails the heat (there is no retest
    of a melt); a passed one is part of a pass."""
    if analysis is None:
        return decision
    if analysis.verdict == Verdict.FAIL:
        return Decision(Verdict.FAIL, analysis.verdict_rule)
    return decision


HASHED = ("order_id", "revision", *ELEMENTS, "ceq", "source", "instrument", "reason", "recorded_by_id",
          "recorded_at", "verdict", "verdict_rule")


def _content(row: tuple[Any, ...]) -> str:
    """The canonical text of an analysis, from its values in HASHED order."""
    order, revision, elements = row[0], row[1], row[2:2 + len(ELEMENTS)]
    ceq, source, instrument, reason, by, at, verdict, rule = row[2 + len(ELEMENTS):]
    return SEPARATOR.join((str(order), str(revision), *(_number(v) for v in elements), _number(ceq), source,
                           instrument, reason, str(by), at.astimezone(UTC).isoformat(), verdict, rule))


def analysis_digest(previous: str, analysis: HeatAnalysis) -> str:
    row = tuple(getattr(analysis, f) for f in HASHED)
    return hashlib.sha256((previous + SEPARATOR + _content(row)).encode()).hexdigest()


@transaction.atomic
def post_analysis(actor: User, order_id: int, *, source: str = "instrument", instrument: str = "", reason: str = "",
                  correction: bool = False, **raw: Any) -> HeatAnalysis:
    """Record a heat's melt analysis (with `correction`, a corrected revision); judge it and decide the heat."""
    order = fetch_for_change(LabOrder, actor, "lab.add_heatanalysis", order_id)
    if source not in SOURCES:
        raise ValidationError({"source": _("The source is an instrument or manual entry.")})
    reason, instrument = _text(reason, 300), _text(instrument, 60)
    latest = latest_analysis(order)
    if latest is not None and not correction:
        raise ValidationError(_("This heat already has a melt analysis; record a correction with a reason instead."))
    if correction and latest is None:
        raise ValidationError(_("There is no melt analysis to correct."))
    if (correction or source == "manual") and not reason:
        raise ValidationError({"reason": _("Give the reason for a manual entry or a correction.")})
    values = clean_chemistry(raw)
    ceq = ceq_of(values)
    decision = judge_chemistry(values, ceq, limits_of(order.standard, order.grade))
    chain = lock_chain(LabChain.ANALYSES)
    analysis = HeatAnalysis(order=order, revision=(latest.revision + 1) if latest else 1, ceq=ceq, source=source,
                            instrument=instrument, reason=reason, recorded_by=actor, recorded_at=timezone.now(),
                            verdict=decision.verdict, verdict_rule=decision.rule[:300], previous_hash=chain.head,
                            **values)
    analysis.hash = analysis_digest(chain.head, analysis)
    analysis.save()
    chain.head, chain.length = analysis.hash, chain.length + 1
    chain.save(update_fields=["head", "length"])
    decide_order(actor, order, changed=_("melt analysis r%(revision)s") % {"revision": analysis.revision},
                 reason=reason if correction else "")
    return analysis


def verify_analyses() -> tuple[int, int | None, str]:
    """(checked, id of the first broken analysis, reason): every hash and link, in order, and the chain's head."""
    from django.db import connection

    if connection.vendor == "postgresql":  # the canonical text assembled by the database (see span_in_database)
        bounds = HeatAnalysis.objects.aggregate(low=Min("pk"), high=Max("pk"))
        span = (span_in_database(HeatAnalysis, HASHED, "analysis", bounds["low"], bounds["high"])
                if bounds["low"] is not None else _Span(None, "", "", 0))
        if span.first_pk is not None and span.first_link != "0" * 64 and span.broken_at is None:
            return 0, span.first_pk, "the link to the previous analysis is broken"
        if span.broken_at is not None:
            return span.checked, span.broken_at, span.reason
        head = LabChain.objects.filter(name=LabChain.ANALYSES).first()
        if head is not None and (head.head, head.length) != (span.last_hash or "0" * 64, span.checked):
            return span.checked, None, "analyses were removed after the last one"
        return span.checked, None, ""
    previous, checked = "0" * 64, 0
    rows = HeatAnalysis.objects.order_by("pk").values_list("pk", "previous_hash", "hash", *HASHED)
    for pk, linked, stored, *content in rows.iterator(chunk_size=20_000):
        if linked != previous:
            return checked, pk, "the link to the previous analysis is broken"
        if hashlib.sha256((linked + SEPARATOR + _content(tuple(content))).encode()).hexdigest() != stored:
            return checked, pk, "the content of an analysis does not match its hash"
        previous, checked = stored, checked + 1
    head = LabChain.objects.filter(name=LabChain.ANALYSES).first()
    if head is not None and (head.head, head.length) != (previous, checked):
        return checked, None, "analyses were removed after the last one"
    return checked, None, ""


def verify_analysis(analysis: HeatAnalysis) -> bool:
    return analysis_digest(analysis.previous_hash, analysis) == analysis.hash
