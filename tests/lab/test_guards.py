"""智检中心: each refusal of the lab's services, pinned by its own message, with nothing written. These are the guards
scripts/guard_mutants.py found that no other test would miss (a later check, or the model, refuses too, but with
another message or not at all)."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tests.lab.test_certificates import GOOD_MELT, delivery_of, heat_tested
from tests.lab.test_lab import GOOD_TENSILE, order_for, specimen
from tests.refusals import field_refusal, refusal
from wanghua.lab import services as lab
from wanghua.lab.models import (
    Certificate,
    Delivery,
    HeatAnalysis,
    LabOrder,
    LabProfile,
    Review,
    Specimen,
    Standard,
    TestResult,
    Verdict,
)
from wanghua.lab.services import certificates, chemistry, review

NO_RESULT = _("This test needs a value here.")


@pytest.fixture
def inspector(make_user, world):
    return make_user("lab1", "lab", unit=world.enterprise1)


@pytest.fixture
def reviewer(make_user, world):
    return make_user("rev1", "lab_reviewer", unit=world.enterprise1)


def _image(kind: str, pad: int = 0) -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 40), (200, 0, 0)).save(out, format=kind)
    return out.getvalue() + b"\0" * pad


# --- orders ----------------------------------------------------------------------------------------------------

def test_an_order_without_an_active_standard_a_future_sampling_or_a_known_heat_is_refused(inspector, world):
    """No active standard, a sampling time in the future, a heat already registered: each refused with its own
    message, and no order or specimen is written."""
    Standard.objects.update(active=False)
    with pytest.raises(ValidationError) as refused:
        order_for(inspector, world)
    assert refused.value.messages == [_("No active standard to test against.")]
    assert not LabOrder.objects.exists() and not Specimen.objects.exists()
    Standard.objects.update(active=True)

    with pytest.raises(ValidationError) as refused:
        lab.create_order(inspector, enterprise=world.enterprise1, heat="25H00001", grade="HRB400E", diameter=20,
                         sampled_at=timezone.now() + timedelta(hours=1))
    assert refused.value.message_dict["sampled_at"] == [_("The sampling time cannot be in the future.")]
    assert not LabOrder.objects.exists()

    first = order_for(inspector, world, heat="25H00001")
    with pytest.raises(ValidationError) as refused:
        order_for(inspector, world, heat=" 25H00001 ", grade="HRB500")
    assert refused.value.message_dict["heat"] == [_("This heat is already registered.")]
    assert list(LabOrder.objects.values_list("pk", "grade")) == [(first.pk, "HRB400E")]
    assert Specimen.objects.count() == first.specimens.count() == 6


def test_a_role_held_at_a_region_is_not_an_enterprise_lab(make_user, world):
    """enterprise_of: an inspector whose grant is at the district, not at an enterprise, works in no lab."""
    district_inspector = make_user("lab-d", "lab", region=world.district)
    with pytest.raises(ValidationError) as refused:
        lab.enterprise_of(district_inspector)
    assert refused.value.messages == [_("Your role is not held at an enterprise.")]
    assert lab.enterprise_of(make_user("lab-e", "lab", unit=world.enterprise1)) == world.enterprise1


# --- results ---------------------------------------------------------------------------------------------------

def test_a_missing_or_impossible_value_is_refused_and_nothing_recorded(inspector, world):
    """A tensile result without Agt, a bend without its outcome or with a word instead of yes/no, an elongation
    beyond what steel can do: each refused on its field; no result, the heat still pending."""
    order = order_for(inspector, world)
    tensile, bend = specimen(order, "tensile"), specimen(order, "bend")
    without_agt = {k: v for k, v in GOOD_TENSILE.items() if k != "agt"}
    for raw in (without_agt, {**GOOD_TENSILE, "agt": ""}):
        with pytest.raises(ValidationError) as refused:
            lab.post_result(inspector, tensile.pk, **raw)
        assert refused.value.message_dict["agt"] == [NO_RESULT]
    with pytest.raises(ValidationError) as refused:
        lab.post_result(inspector, bend.pk)
    assert refused.value.message_dict["passed_bend"] == [NO_RESULT]
    for answer in ("no", 0):
        with pytest.raises(ValidationError) as refused:
            lab.post_result(inspector, bend.pk, passed_bend=answer)
        assert refused.value.message_dict["passed_bend"] == [_("Say whether the specimen cracked.")]
    with pytest.raises(ValidationError) as refused:
        lab.post_result(inspector, tensile.pk, **{**GOOD_TENSILE, "elongation": 95})
    assert refused.value.message_dict["elongation"] == [
        _("%(value)s is outside the possible range %(low)s…%(high)s.")
        % {"value": Decimal("95.0"), "low": Decimal(0), "high": Decimal(80)}]
    assert not TestResult.objects.exists()
    order.refresh_from_db()
    assert order.verdict == Verdict.PENDING


def test_an_unknown_source_or_a_correction_of_nothing_is_refused(inspector, world):
    """post_result: a source that is neither instrument nor manual, and a correction of a specimen that has no
    result yet, are refused; nothing is recorded."""
    order = order_for(inspector, world)
    tensile = specimen(order, "tensile")
    field_refusal(lambda: lab.post_result(inspector, tensile.pk, source="robot", **GOOD_TENSILE), "source",
                  "The source is an instrument or manual entry.")
    refusal(lambda: lab.post_result(inspector, tensile.pk, correction=True, reason="复核原始曲线", **GOOD_TENSILE),
            "There is no result to correct.")
    assert not TestResult.objects.exists()
    order.refresh_from_db()
    assert order.verdict == Verdict.PENDING


def test_an_unknown_source_or_a_correction_of_no_melt_analysis_is_refused(inspector, world):
    """post_analysis: the same two refusals for the melt analysis; no analysis is written."""
    order = heat_tested(inspector, world, melt=None)
    field_refusal(lambda: chemistry.post_analysis(inspector, order.pk, source="robot", **GOOD_MELT), "source",
                  "The source is an instrument or manual entry.")
    refusal(lambda: chemistry.post_analysis(inspector, order.pk, correction=True, reason="重新取样复验", **GOOD_MELT),
            "There is no melt analysis to correct.")
    assert not HeatAnalysis.objects.exists()
    order.refresh_from_db()
    assert order.verdict == Verdict.PASS and order.review == Review.AWAITING


def test_not_a_number_is_no_value_for_a_test_or_an_element(inspector, world):
    """NaN and Infinity parse as numbers but compare with no limit: a result or a melt analysis that gives one is
    refused on its field as not a number (not a server error), and nothing is written."""
    order = order_for(inspector, world)
    tensile = specimen(order, "tensile")
    for bad in ("NaN", "nan", "sNaN", "Infinity", "-inf"):
        field_refusal(lambda bad=bad: lab.post_result(inspector, tensile.pk, **{**GOOD_TENSILE, "elongation": bad}),
                      "elongation", "Enter a number.")
    assert not TestResult.objects.exists()
    tested = heat_tested(inspector, world, melt=None)
    for bad in ("NaN", "Infinity"):
        with pytest.raises(ValidationError) as refused:
            chemistry.post_analysis(inspector, tested.pk, **{**GOOD_MELT, "c": bad})
        assert refused.value.message_dict["c"] == [_("%(element)s must be a number (mass %%).") % {"element": "C"}]
    assert not HeatAnalysis.objects.exists()


# --- the lab's settings ----------------------------------------------------------------------------------------

def test_a_too_long_number_or_a_bad_seal_is_refused_and_nothing_saved(reviewer, world):
    """configure_lab: a pattern whose numbers would exceed 60 characters, a seal over 1 MB (a real PNG, padded),
    a seal in a format other than PNG or JPEG (a GIF): refused, no profile saved."""
    with pytest.raises(ValidationError) as refused:
        certificates.configure_lab(reviewer, world.enterprise1, number_pattern="ZB{seq:070d}")
    assert refused.value.message_dict["number_pattern"] == [_("The certificate number would be empty or too long.")]
    with pytest.raises(ValidationError) as refused:
        certificates.configure_lab(reviewer, world.enterprise1, number_pattern="ZB{seq}",
                                   seal=_image("PNG", pad=certificates.SEAL_MAX_BYTES))
    assert refused.value.message_dict["seal"] == [_("The seal image must be smaller than 1 MB.")]
    with pytest.raises(ValidationError) as refused:
        certificates.configure_lab(reviewer, world.enterprise1, number_pattern="ZB{seq}", seal=_image("GIF"))
    assert refused.value.message_dict["seal"] == [_("The seal must be a PNG or JPEG image.")]
    assert not LabProfile.objects.exists()
    assert certificates.configure_lab(reviewer, world.enterprise1, number_pattern="ZB{seq}",
                                      seal=_image("JPEG")).seal_format == "jpeg"


# --- deliveries and certificates -------------------------------------------------------------------------------

def test_a_delivery_without_customer_contract_sane_weight_or_bundles_is_refused(inspector, world):
    """create_delivery: no customer, no contract, a weight of a million tonnes, no bundles or bundles that are not
    a whole number: each refused on its field, no delivery written."""
    order = order_for(inspector, world)

    def deliver(**changes):
        values = {"customer": "抚顺城建集团", "contract": "HT-2026-0815", "grade": order.grade,
                  "diameter": order.diameter, "bundles": 12, "weight": "36.480", "orders": [order.pk], **changes}
        with pytest.raises(ValidationError) as refused:
            certificates.create_delivery(inspector, **values)
        return refused.value.message_dict

    assert deliver(customer=" ")["customer"] == [_("Name the customer.")]
    assert deliver(contract="")["contract"] == [_("Give the contract number.")]
    for weight in ("1000000", "2500000.5"):
        assert deliver(weight=weight)["weight"] == [_("The delivery weight is too large.")]
    for bundles in (0, -2, "12", 1.5):
        assert deliver(bundles=bundles)["bundles"] == [_("A delivery has at least one bundle.")]
    for weight in ("NaN", "-Infinity", "sNaN", "三十吨"):
        assert deliver(weight=weight)["weight"] == [_("The weight is a number of tonnes.")]
    assert not Delivery.objects.exists()


def test_a_delivery_needs_its_heats_all_found_and_from_one_enterprise(inspector, make_user, world):
    """create_delivery: no heats, a heat that does not exist or that the actor cannot see, heats of two
    enterprises: refused, no delivery written."""
    order = order_for(inspector, world)
    district = make_user("lab-d", "lab", region=world.district)
    other = lab.create_order(district, enterprise=world.enterprise2, heat="25H00001", grade=order.grade,
                             diameter=order.diameter, sampled_at=timezone.now())

    def deliver(actor, orders):
        with pytest.raises(ValidationError) as refused:
            certificates.create_delivery(actor, customer="抚顺城建集团", contract="HT-2026-0815", grade=order.grade,
                                         diameter=order.diameter, bundles=12, weight="36.480", orders=orders)
        return refused.value.message_dict["orders"]

    choose = [_("Choose the heats of the delivery.")]
    assert deliver(inspector, []) == choose
    assert deliver(inspector, [order.pk, 999_999]) == choose
    assert deliver(inspector, [order.pk, other.pk]) == choose  # the other enterprise's heat is not visible
    assert deliver(district, [order.pk, other.pk]) == [_("The heats of one delivery come from one enterprise.")]
    assert not Delivery.objects.exists()


def test_no_certificate_for_an_approved_heat_that_does_not_conform(inspector, reviewer, world):
    """issue_certificate: a heat decided 不合格 (its melt is over the Ceq maximum) and approved as such gets no
    certificate."""
    order = heat_tested(inspector, world, melt={**GOOD_MELT, "mn": "1.60", "c": "0.25", "v": "0.20"})
    assert order.verdict == Verdict.FAIL
    review.approve(reviewer, order.pk)
    delivery = delivery_of(inspector, order)
    with pytest.raises(ValidationError) as refused:
        certificates.issue_certificate(inspector, delivery.pk)
    assert refused.value.messages == [_("Heat %(heat)s does not conform: no certificate can be issued.")
                                      % {"heat": order.heat}]
    assert not Certificate.objects.exists()
    assert not LabProfile.objects.filter(sequence__gt=0).exists()  # no number was drawn


# --- review ----------------------------------------------------------------------------------------------------

def test_only_a_decided_heat_that_was_sent_back_can_be_sent_for_review_again(inspector, reviewer, world):
    """resubmit: an undecided heat (review open) or an approved one cannot be sent for review again, though the
    review table allows the step from both states; a decided heat that was sent back can."""
    again = [_("Only a decided heat that was sent back can be sent for review again.")]
    undecided = order_for(inspector, world)
    with pytest.raises(ValidationError) as refused:
        review.resubmit(inspector, undecided.pk)
    assert refused.value.messages == again
    undecided.refresh_from_db()
    assert (undecided.verdict, undecided.review) == (Verdict.PENDING, Review.OPEN)

    approved = heat_tested(inspector, world, heat="25H10002")
    review.approve(reviewer, approved.pk)
    with pytest.raises(ValidationError) as refused:
        review.resubmit(inspector, approved.pk)
    assert refused.value.messages == again
    approved.refresh_from_db()
    assert approved.review == Review.APPROVED and approved.reviewed_by == reviewer

    sent_back = heat_tested(inspector, world, heat="25H10003")
    review.refuse(reviewer, sent_back.pk, "曲线待复核")
    assert review.resubmit(inspector, sent_back.pk).review == Review.AWAITING
