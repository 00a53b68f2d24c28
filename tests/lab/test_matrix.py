"""The permission matrix for every lab page, export and API route: the lab inspector of one enterprise
against the lab inspector of another."""

from wanghua.core.testing import API_DETAIL, API_LIST, PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, MatrixCase, run_case

EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
# The lab's pages before it became its own app: a permanent redirect for whoever may open lab pages at all
# (the page behind it then applies the record's scope).
MOVED = {"anonymous": 302, "no_role": 403, "out_of_scope": 301, "in_scope": 301}


FORBIDDEN = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 403}
# A step the lab inspector may not take on a heat they can see (审核/批准, withdrawing a certificate).
NOT_THEIRS = {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 403}
MELT = {"c": "0.21", "si": "0.42", "mn": "1.35", "p": "0.025", "s": "0.020", "v": "0.030"}


def prepare_lab(world, make_user) -> dict:
    """At 一号钢厂's lab: a decided, analysed and approved heat with a delivery and its certificate; two decided
    heats awaiting review; open heats."""
    from django.utils import timezone

    from wanghua.lab import services as lab
    from wanghua.lab.services import certificates, chemistry, review

    recorder = make_user("lab-recorder", "lab", unit=world.enterprise1)
    reviewer = make_user("lab-approver", "lab_reviewer", unit=world.enterprise1)
    values = {"tensile": {"yield_strength": 450, "tensile_strength": 600, "elongation": 22, "agt": 11},
              "bend": {"passed_bend": True}, "weight": {"weight_deviation": 1.0}}

    def heat(number: str, tested: bool = True):
        order = lab.create_order(recorder, enterprise=world.enterprise1, heat=number, grade="HRB400",
                                 diameter=16, sampled_at=timezone.now())
        if tested:
            for specimen in order.specimens.all():
                lab.post_result(recorder, specimen.pk, **values[specimen.kind])
            chemistry.post_analysis(recorder, order.pk, instrument="直读光谱仪-1", **MELT)
        return order

    decided = heat("25M00001")
    review.approve(reviewer, decided.pk)
    delivery = certificates.create_delivery(recorder, customer="望花建工", contract="HT-M-001", grade="HRB400",
                                            diameter=16, bundles=4, weight="12.300", orders=[decided.pk])
    certificate = certificates.issue_certificate(recorder, delivery.pk)
    awaiting, awaiting2 = heat("25M00003"), heat("25M00004")
    api_awaiting, api_awaiting2 = heat("25M00006"), heat("25M00007")
    open_order, api_order = heat("25M00002", tested=False), heat("25M00005", tested=False)
    tensile = open_order.specimens.filter(kind="tensile")
    return {"decided": decided.pk, "open": open_order.pk, "manual": tensile[0].pk, "api": tensile[1].pk,
            "api_order": api_order.pk, "awaiting": awaiting.pk, "awaiting2": awaiting2.pk,
            "api_awaiting": api_awaiting.pk, "api_awaiting2": api_awaiting2.pk,
            "delivery": delivery.pk, "certificate": certificate.pk, "certificate_number": certificate.number}


def lab_cases(w, users) -> list[MatrixCase]:
    from django.utils import timezone

    from wanghua.lab.models import Certificate, Delivery, HeatAnalysis, LabOrder, TestResult

    ids = users["lab"]
    created = {"anonymous": 302, "no_role": 403, "out_of_scope": 302, "in_scope": 302}  # each into their own lab
    api_created = {"anonymous": 401, "no_role": 403, "out_of_scope": 201, "in_scope": 201}

    def results_of(pk):
        return lambda: TestResult.objects.filter(specimen_id=pk).count()

    def analyses_of(pk):
        return lambda: HeatAnalysis.objects.filter(order_id=pk).count()

    def review_of(pk):
        return lambda: LabOrder.objects.get(pk=pk).review

    def certificates_now():
        return lambda: list(Certificate.objects.order_by("pk").values_list("pk", "status"))

    order, delivery, certificate = ids["decided"], ids["delivery"], ids["certificate"]

    return [
        MatrixCase("lab orders", "get", "/lab/", PAGE_LIST, marker="25M00001"),
        MatrixCase("lab orders export", "get", "/lab/?format=xlsx", EXPORT, marker="25M00001"),
        MatrixCase("lab order form", "get", "/lab/orders/new/", PAGE_LIST),
        MatrixCase("lab analysis", "get", "/lab/analysis/", PAGE_LIST, marker="HRB400"),
        MatrixCase("lab order register", "post", "/lab/orders/new/", created,
                   data={"heat": "25M10001", "grade": "HRB400E", "diameter": 20, "sampled_at": "2026-11-29T07:00"}),
        MatrixCase("lab order", "get", f"/lab/orders/{ids['decided']}/", PAGE_DETAIL),
        MatrixCase("lab certificate", "get", f"/lab/orders/{ids['decided']}/certificate.pdf", PAGE_DETAIL),
        MatrixCase("lab manual result", "post", f"/lab/orders/{ids['open']}/specimens/{ids['manual']}/result/",
                   PAGE_CHANGE, data={"yield_strength": 440, "tensile_strength": 590, "elongation": 20, "agt": 10,
                                "reason": "机器人检修，人工试验"}, state=results_of(ids["manual"])),
        MatrixCase("old lab address", "get", f"/industry/lab/orders/{ids['decided']}/?x=1", MOVED),
        MatrixCase("api lab orders", "get", "/api/v1/lab/orders", API_LIST, marker="25M00001"),
        MatrixCase("api lab order", "get", f"/api/v1/lab/orders/{ids['decided']}", API_DETAIL),
        MatrixCase("api lab register", "post", "/api/v1/lab/orders", api_created, as_json=True,
             data={"heat": "25M20001", "grade": "HRB500", "diameter": 25, "sampled_at": timezone.now().isoformat()}),
        MatrixCase("api lab result", "post", f"/api/v1/lab/specimens/{ids['api']}/results",
             {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201}, as_json=True,
             data={"yield_strength": 445, "tensile_strength": 595, "elongation": 21, "agt": 10.5},
             state=results_of(ids["api"])),
        # issue 19: melt analysis, review, deliveries and certificates (as the lab inspector)
        MatrixCase("lab analysis entry", "post", f"/lab/orders/{ids['open']}/analysis/", PAGE_CHANGE,
             data={**MELT, "reason": "光谱仪检修，人工录入"}, state=analyses_of(ids["open"])),
        MatrixCase("lab review queue (inspector)", "get", "/lab/review/", FORBIDDEN),
        MatrixCase("lab approve (inspector)", "post", f"/lab/orders/{ids['awaiting']}/review/approve/", NOT_THEIRS,
             state=review_of(ids["awaiting"])),
        MatrixCase("lab deliveries", "get", "/lab/deliveries/", PAGE_LIST, marker="HT-M-001"),
        MatrixCase("lab delivery form", "get", "/lab/deliveries/new/", PAGE_LIST),
        MatrixCase("lab delivery create", "post", "/lab/deliveries/new/",
             {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
             data={"customer": "望花建工", "contract": "HT-M-002", "grade": "HRB400", "diameter": 16, "bundles": 2,
                   "weight": "6.1", "orders": [order]}, state=lambda: Delivery.objects.count()),
        MatrixCase("lab delivery", "get", f"/lab/deliveries/{delivery}/", PAGE_DETAIL, marker="HT-M-001"),
        MatrixCase("lab certificate issue", "post", f"/lab/deliveries/{delivery}/certificate/", PAGE_CHANGE,
             state=certificates_now()),  # in scope: refused (one is valid), back to the delivery
        MatrixCase("lab certificates", "get", "/lab/certificates/", PAGE_LIST, marker=ids["certificate_number"]),
        MatrixCase("lab certificate page", "get", f"/lab/certificates/{certificate}/",
             {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 302}),
        MatrixCase("lab certificate pdf", "get", f"/lab/certificates/{certificate}/certificate.pdf", PAGE_DETAIL),
        MatrixCase("lab certificate revoke (inspector)", "post", f"/lab/certificates/{certificate}/revoke/",
                   NOT_THEIRS, data={"reason": "x"}, state=certificates_now()),
        MatrixCase("lab settings (inspector)", "get", "/lab/settings/", FORBIDDEN),
        MatrixCase("api lab analysis", "post", f"/api/v1/lab/orders/{ids['api_order']}/analyses",
             {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201}, as_json=True,
             data={**MELT, "instrument": "直读光谱仪-1"}, state=analyses_of(ids["api_order"])),
        MatrixCase("api lab certificates", "get", "/api/v1/lab/certificates", API_LIST,
                   marker=ids["certificate_number"]),
        MatrixCase("api lab certificate", "get", f"/api/v1/lab/certificates/{certificate}", API_DETAIL),
    ]


def reviewer_cases(ids) -> list[MatrixCase]:
    """审核/批准 as the lab reviewer of one enterprise against the reviewer of another."""
    from wanghua.lab.models import Certificate, LabOrder

    def review_of(pk):
        return lambda: LabOrder.objects.get(pk=pk).review

    certificate = ids["certificate"]
    return [
        MatrixCase("review queue", "get", "/lab/review/", PAGE_LIST, marker="25M00003"),
        MatrixCase("refuse", "post", f"/lab/orders/{ids['awaiting2']}/review/refuse/", PAGE_CHANGE,
             data={"reason": "拉伸曲线需复核"}, state=review_of(ids["awaiting2"])),
        MatrixCase("approve", "post", f"/lab/orders/{ids['awaiting']}/review/approve/", PAGE_CHANGE,
             state=review_of(ids["awaiting"])),
        MatrixCase("api approve", "post", f"/api/v1/lab/orders/{ids['api_awaiting']}/approve", API_DETAIL,
                   data={"note": "数据完整"}, as_json=True, state=review_of(ids["api_awaiting"])),
        MatrixCase("api refuse", "post", f"/api/v1/lab/orders/{ids['api_awaiting2']}/refuse", API_DETAIL,
                   data={"reason": "弯曲试样需复核"}, as_json=True, state=review_of(ids["api_awaiting2"])),
        MatrixCase("settings", "get", "/lab/settings/", PAGE_LIST),
        MatrixCase("settings save", "post", "/lab/settings/",
             {"anonymous": 302, "no_role": 403, "out_of_scope": 302, "in_scope": 302},  # each their own
             data={"lab_name": "智检中心", "number_pattern": "ZB{year}-{seq:05d}"}),
        MatrixCase("revoke", "post", f"/lab/certificates/{certificate}/revoke/", PAGE_CHANGE,
                   data={"reason": "客户名称有误"}, state=lambda: Certificate.objects.get(pk=certificate).status),
    ]


def test_lab_matrix(world, matrix, make_user):
    ids = prepare_lab(world, make_user)
    clients, _ = matrix(("lab", {"unit": world.enterprise1}), ("lab", {"unit": world.enterprise2}))
    assert [f for case in lab_cases(world, {"lab": ids}) for f in run_case(clients, case)] == []


def test_reviewer_matrix(world, matrix, make_user):
    from wanghua.lab.models import Certificate, LabOrder

    ids = prepare_lab(world, make_user)
    clients, _ = matrix(("lab_reviewer", {"unit": world.enterprise1}), ("lab_reviewer", {"unit": world.enterprise2}))
    assert [f for case in reviewer_cases(ids) for f in run_case(clients, case)] == []
    assert LabOrder.objects.get(pk=ids["awaiting"]).review == "approved"
    assert LabOrder.objects.get(pk=ids["awaiting2"]).review_note == "拉伸曲线需复核"
    assert LabOrder.objects.get(pk=ids["api_awaiting"]).review == "approved"
    assert LabOrder.objects.get(pk=ids["api_awaiting2"]).review_note == "弯曲试样需复核"
    assert Certificate.objects.get(pk=ids["certificate"]).void_reason == "客户名称有误"
