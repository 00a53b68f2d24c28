"""The permission matrix for every civic page: command centres of two streets."""

from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wanghua.civic import services
from wanghua.civic.models import Case, CaseCategory
from wanghua.core.testing import PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, run_case
from wanghua.core.testing import Case as MatrixCase

EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}


def photo() -> SimpleUploadedFile:
    image = BytesIO()
    Image.new("RGB", (4, 4), "blue").save(image, "PNG")
    return SimpleUploadedFile("p.png", image.getvalue(), content_type="image/png")


def prepare_cases(world, make_user) -> dict:
    main = CaseCategory.objects.create(code="environment", name="市容环境", kind="event")
    litter = CaseCategory.objects.create(code="litter", name="暴露垃圾", kind="event", parent=main)
    reporter = make_user("case-setup", "command", region=world.district)
    case = services.report_case(reporter, source="grid", category=litter, description="垃圾堆放",
                                community=world.community1, address="工农路3号", photo=photo())
    accepted = services.report_case(reporter, source="grid", category=litter, description="垃圾桶满溢",
                                    community=world.community1, lat=Decimal("41.85"), lon=Decimal("123.81"))
    services.accept_case(reporter, accepted.pk, accept=True)
    return {"case": case.pk, "accepted": accepted.pk, "category": litter, "photo": case.photos.get().pk}


def civic_cases(w, users) -> list[MatrixCase]:
    ids = users["civic"]
    return [
        MatrixCase("case list", "get", "/civic/cases/", PAGE_LIST, marker="工农路3号"),
        MatrixCase("case export", "get", "/civic/cases/?format=xlsx", EXPORT, marker="工农路3号"),
        MatrixCase("case detail", "get", f"/civic/cases/{ids['case']}/", PAGE_DETAIL),
        MatrixCase("case photo", "get", f"/civic/cases/photos/{ids['photo']}/", PAGE_DETAIL),
        MatrixCase("case step", "post", f"/civic/cases/{ids['case']}/accept/", PAGE_CHANGE,
                   state=lambda: Case.objects.get(pk=ids["case"]).status),
        MatrixCase("case dispatch", "post", f"/civic/cases/{ids['accepted']}/dispatch/", PAGE_CHANGE,
                   data={"unit": w.dept.pk}, state=lambda: Case.objects.get(pk=ids["accepted"]).status),
        MatrixCase("case report", "post", "/civic/cases/report/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
                   data={"category": ids["category"].pk, "community": w.community1.pk, "description": "井盖缺失",
                         "source": "grid"}, state=lambda: Case.objects.count()),
        MatrixCase("case board", "get", "/civic/cases/board/", PAGE_LIST),
    ]


def test_command_centre_matrix(world, matrix, make_user):
    ids = prepare_cases(world, make_user)
    clients, _ = matrix(("command", {"region": world.street1}), ("command", {"region": world.street2}))
    failures = [f for case in civic_cases(world, {"civic": ids}) for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)
