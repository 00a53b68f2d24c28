"""我的 for residents and volunteers: the cases they reported and their volunteer hours (read only)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanghua.core.mine import Card, Mine, MyList, register_mine

from .models import Case, CaseStatus, SignUp

SHOWN = 50
CLOSED_CASES = (CaseStatus.CLOSED,)


def my_reports(user) -> MyList:
    """The cases the user reported, each opening its public follow page (the stage and the public notes)."""
    cases = (Case.objects.visible_to(user, "view").filter(reported_by=user).select_related("category")
             .order_by("-reported_at"))
    cards = [Card(title=f"{case.category.name} · {case.number}", status=case.get_status_display(),
                  when=case.reported_at, lines=(Truncator(case.description).chars(60), case.address),
                  url=reverse("civic:public_case", args=[case.public_token]),
                  tone="success" if case.status in CLOSED_CASES else "warning") for case in cases[:SHOWN]]
    return MyList(cards, _("%(count)s reported") % {"count": cases.count()})


def my_hours(user) -> MyList:
    """The user's volunteer sign-ups and the hours served."""
    signups = (SignUp.objects.visible_to(user, "view").filter(person__user=user).select_related("activity__team")
               .order_by("-activity__starts_at"))
    served = signups.filter(checked_out_at__isnull=False)
    hours = served.aggregate(total=Sum("hours"))["total"] or Decimal(0)
    cards = []
    for signup in signups[:SHOWN]:
        if signup.checked_out_at:
            status, tone = _("%(hours)s hours served") % {"hours": _hours(signup.hours)}, "success"
        elif signup.checked_in_at:
            status, tone = _("Checked in"), "warning"
        else:
            status, tone = _("Signed up"), "secondary"
        cards.append(Card(title=signup.activity.title, status=status, when=signup.activity.starts_at,
                          lines=(signup.activity.team.name, signup.activity.place), tone=tone))
    return MyList(cards, _("%(activities)s activities · %(hours)s hours in all")
                  % {"activities": served.count(), "hours": _hours(hours)})


def _hours(value) -> str:
    return f"{Decimal(value):.1f}"


register_mine(
    Mine("reports", gettext_lazy("My reports"), "civic.view_case", my_reports,
         empty=gettext_lazy("Nothing reported yet."), order=20),
    Mine("hours", gettext_lazy("My volunteer hours"), "civic.view_signup", my_hours,
         empty=gettext_lazy("No volunteer service yet."), order=30),
)
