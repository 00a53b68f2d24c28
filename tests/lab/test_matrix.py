"""The permission matrix for every lab page, export and API route: the lab inspector of one enterprise
against the lab inspector of another."""

from wanghua.core.testing import API_DETAIL, API_LIST, PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, MatrixCase, run_case

EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
# The lab's pages before it became its own app: a permanent redirect for whoever may open lab pages at all
# (the page behind it then applies the record's scope).
MOVED = {"anonymous": 302, "no_role": 403, "out_of_scope": 301, "in_scope": 301}


def prepare_lab(world, make_user) -> dict:
    """A decided heat and an open one at 一号钢厂's lab."""
    from django.utils import timezone

    from wanghua.lab import services as lab

    recorder = make_user("lab-recorder", "lab", unit=world.enterprise1)
    decided = lab.create_order(recorder, enterprise=world.enterprise1, heat="25M00001", grade="HRB400",
                               diameter=16, sampled_at=timezone.now())
    values = {"tensile": {"yield_strength": 450, "tensile_strength": 600, "elongation": 22, "agt": 11},
              "bend": {"passed_bend": True}, "weight": {"weight_deviation": 1.0}}
    for specimen in decided.specimens.all():
        lab.post_result(recorder, specimen.pk, **values[specimen.kind])
    open_order = lab.create_order(recorder, enterprise=world.enterprise1, heat="25M00002", grade="HRB400",
                                  diameter=16, sampled_at=timezone.now())
    tensile = open_order.specimens.filter(kind="tensile")
    return {"decided": decided.pk, "open": open_order.pk, "manual": tensile[0].pk, "api": tensile[1].pk}


def lab_cases(w, users) -> list[MatrixCase]:
    from django.utils import timezone

    from wanghua.lab.models import TestResult

    ids = users["lab"]
    created = {"anonymous": 302, "no_role": 403, "out_of_scope": 302, "in_scope": 302}  # each into their own lab
    api_created = {"anonymous": 401, "no_role": 403, "out_of_scope": 201, "in_scope": 201}

    def results_of(pk):
        return lambda: TestResult.objects.filter(specimen_id=pk).count()

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
                   data={"heat": "25M20001", "grade": "HRB500", "diameter": 25,
                         "sampled_at": timezone.now().isoformat()}),
        MatrixCase("api lab result", "post", f"/api/v1/lab/specimens/{ids['api']}/results",
                   {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201}, as_json=True,
                   data={"yield_strength": 445, "tensile_strength": 595, "elongation": 21, "agt": 10.5},
                   state=results_of(ids["api"])),
    ]


def test_lab_matrix(world, matrix, make_user):
    ids = prepare_lab(world, make_user)
    clients, _ = matrix(("lab", {"unit": world.enterprise1}), ("lab", {"unit": world.enterprise2}))
    assert [f for case in lab_cases(world, {"lab": ids}) for f in run_case(clients, case)] == []
