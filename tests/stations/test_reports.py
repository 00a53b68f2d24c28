"""Station coverage and the cash report."""

from io import BytesIO

from openpyxl import load_workbook

from wanghua.stations import services


def test_coverage_flags_communities_without_a_station(desk, client_for, world, make_user):
    client = client_for(make_user("leader", "leader", region=world.district))
    page = client.get("/services/coverage/")
    body = page.content.decode()
    assert page.status_code == 200 and "3 个村（社区）中有 2 个" in body.replace("\n", "")
    rows = [r for r in load_workbook(BytesIO(client.get("/services/coverage/?format=xlsx").content)).active
            .iter_rows(min_row=2, values_only=True)]
    assert ("一街道", "乙社区", 0, "否") in rows


def test_cash_report_sums_the_ledger(desk, client_for, world, make_user):
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills", description="缴费",
                                    handles_money=True)
    services.record_money(desk.agent, errand.pk, kind="received", amount="100")
    services.record_money(desk.agent, errand.pk, kind="paid", amount="80.50", receipt_no="R")
    client = client_for(desk.agent)
    rows = client.get("/services/cash/").context["rows"]
    assert len(rows) == 1 and str(rows[0]["held"]) == "19.50" and str(rows[0]["paid"]) == "80.50"
    assert client.get("/services/cash/?format=xlsx").status_code == 403  # agents see it, secretaries export it
    secretary = client_for(make_user("sec", "secretary", region=world.community1))
    sheet = load_workbook(BytesIO(secretary.get("/services/cash/?by=month&format=xlsx").content)).active
    assert [c for c in next(iter(sheet.iter_rows(min_row=2, values_only=True)))[2:]] == [100, 80.5, 0, 19.5]
    assert client_for(desk.other_agent).get("/services/cash/").context["rows"] == []
    assert client.get("/services/cash/?year=1").status_code == 404
