"""工作日记: the day compiled from errands and notes, as a page, a PDF and a spreadsheet."""

from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from wanghua.stations import services
from wanghua.stations.diary import compile_day


def test_day_is_compiled_from_errands_and_notes(desk, client_for):
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills",
                                    description="代缴电费", handles_money=True)
    services.start_errand(desk.agent, errand.pk)
    services.record_money(desk.agent, errand.pk, kind="received", amount="100")
    services.record_money(desk.agent, errand.pk, kind="paid", amount="100", receipt_no="E1")
    services.complete_errand(desk.agent, errand.pk, outcome="电费已缴")
    client = client_for(desk.agent)
    assert client.post("/services/diary/", {"text": "走访独居老人三户"}).status_code == 302
    page = compile_day(desk.agent, errand.agent, timezone.localdate())
    assert [line.resident for line in page.lines] == ["陈大娘"] and "电费已缴" in page.lines[0].result
    assert page.notes == ["走访独居老人三户"]
    html = client.get("/services/diary/").content.decode()
    assert "代缴电费" in html and "走访独居老人三户" in html


def test_diary_pdf_and_excel(desk, client_for, world, make_user):
    services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="代买降压药")
    today = timezone.localdate()
    agent_id = desk.station.agents.get().pk
    pdf = client_for(desk.agent).get(f"/services/diary/{agent_id}/{today.year}-{today.month}-{today.day}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    document = PdfReader(BytesIO(pdf.content))
    text = document.pages[0].extract_text()
    assert "工作日记" in text and "代买降压药" in text and desk.resident.name in text
    fonts = [f.get_object() for f in document.pages[0]["/Resources"]["/Font"].values()]
    cjk = [f for f in fonts if "NotoSansSC" in f["/BaseFont"]]
    assert cjk and all("/FontFile2" in f["/FontDescriptor"] for f in cjk), "the CJK TrueType font must be embedded"
    month = client_for(desk.agent).get(f"/services/diary/{agent_id}/{today.year}-{today.month}.pdf")
    assert month.status_code == 200
    secretary = client_for(make_user("sec", "secretary", region=world.community1))
    sheet = load_workbook(BytesIO(secretary.get(f"/services/diary/{agent_id}/{today.year}.xlsx").content)).active
    assert any("代买降压药" in str(row) for row in sheet.iter_rows(values_only=True))


def test_diary_of_another_station_is_not_found(desk, client_for):
    other_agent_id = desk.other_station.agents.get().pk
    today = timezone.localdate()
    client = client_for(desk.agent)
    assert client.get(f"/services/diary/?agent={other_agent_id}").status_code == 404
    assert client.get(f"/services/diary/{other_agent_id}/{today.year}-{today.month}.pdf").status_code == 404
    assert client.get("/services/diary/?day=2026-13-40").status_code == 400  # a bad date is a bad request


def test_diary_note_cannot_be_empty_or_ahead(desk, client_for):
    client = client_for(desk.agent)
    assert client.post("/services/diary/", {"text": "  "}).status_code == 400
    assert client.post("/services/diary/?day=2099-01-01", {"text": "未来"}).status_code == 400


def test_an_overflowing_day_continues_on_the_next_page(desk, world):
    from wanghua.stations.diary import DiaryDay, DiaryLine, render_pdf

    agent = desk.station.agents.get()
    lines = [DiaryLine(time="09:00", resident="陈大娘", item="代买日用品：" + "米面油" * 20, result="已办结")] * 40
    document = PdfReader(BytesIO(render_pdf([DiaryDay(agent, timezone.localdate(), lines, ["一条很长的备注" * 30])])))
    assert len(document.pages) > 3
    last = document.pages[-1].extract_text()
    assert "续" in last and "一条很长的备注" in last


def test_month_holds_days_an_errand_was_only_finished(desk):
    from datetime import timedelta

    from wanghua.stations.diary import month_pages
    from wanghua.stations.models import Errand

    errand = services.accept_errand(desk.agent, resident=desk.resident, category="documents", description="换身份证")
    services.start_errand(desk.agent, errand.pk)
    services.complete_errand(desk.agent, errand.pk, outcome="已取回")
    earlier = timezone.now() - timedelta(days=40)
    Errand.objects.filter(pk=errand.pk).update(accepted_at=earlier)
    today, taken = timezone.localdate(), timezone.localtime(earlier).date()
    finished = month_pages(desk.agent, errand.agent, today.year, today.month)
    assert [(p.day, [line.result for line in p.lines]) for p in finished] == [(today, ["已取回"])]
    assert finished[0].lines[0].time == timezone.localtime(earlier).strftime("%m-%d")
    assert [p.day for p in month_pages(desk.agent, errand.agent, taken.year, taken.month)] == [taken]


def test_someone_who_is_not_an_agent_picks_the_agent(desk, world, make_user, client_for):
    """The menu's 工作日记 answers for a street or a leader too: a choice of the agents they may see, never 404."""
    street = client_for(make_user("diary-street", "street", region=world.street1))
    page = street.get("/services/diary/")
    assert page.status_code == 200
    agent = desk.station.agents.get()
    assert f'value="{agent.pk}"' in page.content.decode() and "王代办" not in page.content.decode()
    chosen = street.get(f"/services/diary/?agent={agent.pk}")
    assert chosen.status_code == 200 and f'value="{agent.pk}" selected' in chosen.content.decode()
    assert street.post("/services/diary/", {"text": "走访"}).status_code == 404  # no diary chosen to write in


def test_nobody_to_choose_is_an_empty_state(world, make_user, client_for):
    secretary = client_for(make_user("diary-secretary", "secretary", region=world.community2))  # no station there
    page = secretary.get("/services/diary/")
    assert page.status_code == 200 and 'id="diary-empty"' in page.content.decode()


def test_the_month_pdf_ends_with_the_months_totals(desk, client_for):
    from wanghua.stations.diary import month_totals

    money = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills", description="代缴水费",
                                   handles_money=True)
    services.start_errand(desk.agent, money.pk)
    wrong = services.record_money(desk.agent, money.pk, kind="received", amount="1000")
    services.void_money(desk.agent, wrong.pk, reason="多打一个零")
    services.record_money(desk.agent, money.pk, kind="received", amount="100")
    services.record_money(desk.agent, money.pk, kind="paid", amount="88.50", receipt_no="SF-1")
    services.record_money(desk.agent, money.pk, kind="returned", amount="11.50")
    services.complete_errand(desk.agent, money.pk, outcome="已缴")
    services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="代买降压药")
    services.write_diary_note(desk.agent, desk.station, desk.station.agents.get(), timezone.localdate(), "走访独居老人")
    today = timezone.localdate()
    agent = desk.station.agents.get()
    totals = month_totals(desk.agent, agent, today.year, today.month, [])
    assert (totals.accepted, totals.done, totals.received, totals.paid, totals.returned) == (
        2, 1, Decimal("100.00"), Decimal("88.50"), Decimal("11.50"))  # the voided 1000 is netted out
    assert dict(totals.by_category) == {"生活费用代缴": 1, "日用品代买": 1}
    pdf = client_for(desk.agent).get(f"/services/diary/{agent.pk}/{today.year}-{today.month}.pdf")
    last = PdfReader(BytesIO(pdf.content)).pages[-1].extract_text()
    assert "本月合计" in last and "受理代办" in last and "100.00" in last and "88.50" in last and "11.50" in last
    assert "生活费用代缴" in last and "日记备注" in last
    day = client_for(desk.agent).get(f"/services/diary/{agent.pk}/{today.year}-{today.month}-{today.day}.pdf")
    assert "本月合计" not in PdfReader(BytesIO(day.content)).pages[-1].extract_text()  # a day's page has none
