"""Lei Feng culture: each refusal of the culture services, pinned by its own message, with nothing written. These are
the guards scripts/guard_mutants.py found that no other test would miss (a later check — the model's full_clean,
a database constraint, _post's balance check behind redeem's — refuses too, but with another message or not at
all)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tests.culture.conftest import nominate, served, to_publicity
from tests.culture.test_points import account_of
from tests.refusals import field_refusal, refusal
from tests.stations.test_photos import png
from wanghua.culture import services
from wanghua.culture.models import (
    EntryKind,
    Goods,
    Nomination,
    NominationPhoto,
    NominationStatus,
    Objection,
    PointsAccount,
    PointsEntry,
    Redemption,
    ServiceCertificate,
)
from wanghua.org.models import Person

NOT_LINKED = "Your account is not linked to a volunteer."


def _with_points(culture, world, hours: str) -> PointsAccount:
    """The fixture's volunteer, with `hours` checked out and counted (10 points an hour)."""
    served(culture.person, culture.team, world.community1, hours)
    services.award_points()
    return account_of(culture)


def _ledger(culture) -> tuple:
    """What a redemption would move: the balance, the entries, the redemptions and the stock."""
    account = PointsAccount.objects.filter(person=culture.person).first()
    return (account.balance if account else None, PointsEntry.objects.count(), Redemption.objects.count(),
            Goods.objects.get(pk=culture.goods.pk).stock)


# --- nominations -----------------------------------------------------------------------------------------------

def test_an_account_without_the_nominating_permission_cannot_nominate(culture, world, make_user):
    """nominate: a user with no role at all is refused, and no nomination is stored."""
    nobody = make_user("nobody")
    with pytest.raises(PermissionDenied):
        services.nominate(nobody, nominee_name="张好人", community=world.community1, category="helping",
                          deed="冬夜背起摔倒的老人送医。", deed_date=timezone.localdate() - timedelta(days=10))
    assert not Nomination.objects.exists()


def test_evidence_is_added_only_before_the_community_s_review(culture, world):
    """add_evidence: once the community has passed the nomination, a new photo is refused and none is stored."""
    nomination = nominate(culture, world)
    services.approve_nomination(culture.secretary, nomination.pk, opinion="属实")
    upload = SimpleUploadedFile("p.png", png(), "image/png")
    refusal(lambda: services.add_evidence(culture.secretary, nomination.pk, upload, "现场照片"),
            "Evidence is added before the community's review.")
    assert not NominationPhoto.objects.exists()
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.COMMUNITY_PASSED


# --- objections ------------------------------------------------------------------------------------------------

def test_an_objection_needs_its_text_and_a_valid_phone(culture, world):
    """file_objection: a blank objection is refused on its text, a contact that is no phone number on the contact,
    each with the service's own message; no objection is stored."""
    nomination = to_publicity(culture, nominate(culture, world))
    field_refusal(lambda: services.file_objection(None, nomination.pk, text="   "), "text",
                  "Say what the objection is.")
    field_refusal(lambda: services.file_objection(None, nomination.pk, text="事迹时间有出入", contact="打我手机"),
                  "contact", "Enter a valid phone number.")
    assert not Objection.objects.exists()


def test_an_objection_is_answered_once_and_with_words(culture, world):
    """answer_objection: a blank answer is refused on the answer and leaves the objection open; a second answer is
    refused and leaves the first one as it was."""
    nomination = to_publicity(culture, nominate(culture, world))
    objection = services.file_objection(None, nomination.pk, text="事迹时间有出入")
    field_refusal(lambda: services.answer_objection(culture.office, objection.pk, answer="  "), "answer",
                  "Write the answer.")
    still_open = Objection.objects.get(pk=objection.pk)
    assert still_open.answered_at is None and still_open.answer == ""
    services.answer_objection(culture.office, objection.pk, answer="经核实，事迹属实")
    answered = Objection.objects.get(pk=objection.pk)
    refusal(lambda: services.answer_objection(culture.office, objection.pk, answer="改口"),
            "This objection has been answered.")
    again = Objection.objects.get(pk=objection.pk)
    assert (again.answer, again.answered_at) == ("经核实，事迹属实", answered.answered_at)


# --- points ----------------------------------------------------------------------------------------------------

def test_a_volunteer_with_no_community_opens_no_account(culture, world):
    """home_community: a volunteer with neither a region nor a team has nowhere for points to belong; counting
    their hours is refused by name and no account or entry is written."""
    drifter = Person.objects.create(name="无籍者")
    served(drifter, culture.team, world.community1, "2")
    with pytest.raises(ValidationError) as refused:
        services.award_points(None, drifter)
    assert refused.value.messages == [_("%(name)s has no community on record.") % {"name": "无籍者"}]
    assert not PointsAccount.objects.filter(person=drifter).exists()
    assert not PointsEntry.objects.exists()


def test_collecting_points_needs_a_linked_volunteer_and_counts_nobody_else(culture, world, make_user):
    """collect_own_points: an account with no volunteer record is refused, and nobody's hours are counted."""
    served(culture.person, culture.team, world.community1, "2")
    stranger = make_user("stranger", "volunteer", unit=culture.team)  # the role, no Person
    refusal(lambda: services.collect_own_points(stranger), NOT_LINKED)
    assert not PointsEntry.objects.exists() and not PointsAccount.objects.exists()


def test_the_ledger_itself_never_posts_a_redemption_beyond_the_balance(culture, world):
    """_post: a redemption entry larger than the locked account's balance is refused with the ledger's own message
    (redeem checks first, so this is called directly); the balance and the entries stay as they were."""
    account = _with_points(culture, world, "2")
    entries = PointsEntry.objects.count()
    with transaction.atomic():
        locked = PointsAccount.objects.select_for_update().get(pk=account.pk)
        with pytest.raises(ValidationError) as refused:
            services._post(locked, EntryKind.REDEEMED, 30, activity="洗衣液")
    assert refused.value.messages == [_("That needs %(points)s points; the balance is %(balance)s.")
                                      % {"points": 30, "balance": 20}]
    after = account_of(culture)
    assert (after.balance, after.redeemed) == (20, 0)
    assert PointsEntry.objects.count() == entries


def test_a_person_without_the_redeeming_permission_cannot_redeem_even_their_own_points(culture, world, make_user):
    """redeem: a volunteer record linked to an account with no role is refused; no redemption, entry or stock
    moves."""
    user = make_user("norole")
    person = Person.objects.create(name="志愿者乙", region=world.community1, user=user)
    served(person, culture.team, world.community1, "5")
    services.award_points()
    before = (PointsAccount.objects.get(person=person).balance, PointsEntry.objects.count(),
              Goods.objects.get(pk=culture.goods.pk).stock)
    with pytest.raises(PermissionDenied):
        services.redeem(user, goods_id=culture.goods.pk)
    assert not Redemption.objects.exists()
    assert (PointsAccount.objects.get(person=person).balance, PointsEntry.objects.count(),
            Goods.objects.get(pk=culture.goods.pk).stock) == before == (50, 1, 3)


def test_a_redemption_beyond_the_stock_is_refused_on_the_quantity(culture, world):
    """redeem: four of goods with three in stock is refused on the quantity with the stock's own message, though
    the balance would cover them; nothing moves."""
    _with_points(culture, world, "20")
    before = _ledger(culture)
    with pytest.raises(ValidationError) as refused:
        services.redeem(culture.volunteer, goods_id=culture.goods.pk, quantity=4)
    assert refused.value.message_dict["quantity"] == [_("Only %(stock)s left in stock.") % {"stock": 3}]
    assert _ledger(culture) == before == (200, 1, 0, 3)


def test_a_redemption_beyond_the_balance_is_refused_on_the_quantity(culture, world):
    """redeem: 30 points of goods on a balance of 20 is refused on the quantity by redeem's own check (not left to
    the ledger's); nothing moves."""
    _with_points(culture, world, "2")
    before = _ledger(culture)
    with pytest.raises(ValidationError) as refused:
        services.redeem(culture.volunteer, goods_id=culture.goods.pk)
    assert refused.value.message_dict["quantity"] == [
        _("That needs %(points)s points; the balance is %(balance)s.") % {"points": 30, "balance": 20}]
    assert _ledger(culture) == before == (20, 1, 0, 3)


def test_a_points_shop_belongs_to_a_community_not_a_street(culture, world):
    """add_goods: goods on a street's shelf are refused on the community with the service's message; none saved."""
    field_refusal(lambda: services.add_goods(culture.office, community=world.street1, name="毛巾", points=10,
                                             stock=5), "community", "A points shop belongs to a village or community.")
    assert list(Goods.objects.values_list("pk", flat=True)) == [culture.goods.pk]


# --- certificates ----------------------------------------------------------------------------------------------

def test_staff_certify_only_volunteers_they_see(culture, world):
    """issue_certificate: another community's secretary asking for this volunteer's certificate finds no such
    volunteer; no certificate is issued."""
    served(culture.person, culture.team, world.community1, "2")
    with pytest.raises(Person.DoesNotExist) as refused:
        services.issue_certificate(culture.other_secretary, culture.person.pk)
    assert str(refused.value) == _("volunteer not found.")
    assert not ServiceCertificate.objects.exists()
