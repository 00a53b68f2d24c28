"""The case list at district scale: it seeks in its order on an index, pages forwards and back without losing
or repeating a case, and costs the same number of queries whatever its page size or page."""

from __future__ import annotations

import html
import re

import pytest

from wanghua.civic.models import Case
from wanghua.civic.services import cases as services
from wanghua.civic.views import CaseListView

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(centre, world):
    made = [
        services.report_case(
            centre["grid"], source="grid", category=centre["sub"], description=f"占道{n}", community=world.grid1
        )
        for n in range(7)
    ]
    # Two share a report time: the id breaks the tie.
    Case.objects.filter(pk__in=[made[2].pk, made[3].pk]).update(reported_at=made[2].reported_at)
    return made


def _next(body: str, rel: str = "next") -> str:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', body)
    return "/civic/cases/" + html.unescape(found.group(1)) if found else ""


def test_paging_forward_and_back_lists_each_case_once(cases, centre, client_for, monkeypatch):
    monkeypatch.setattr(CaseListView, "paginate_by", 3)
    client = client_for(centre["command"])
    expected = list(Case.objects.order_by("-reported_at", "-pk").values_list("number", flat=True))
    url, pages = "/civic/cases/", []
    while url:
        page = client.get(url)
        assert page.status_code == 200
        pages.append([case.number for case in page.context["object_list"]])
        body = page.content.decode()
        url = _next(body)
    assert [number for page in pages for number in page] == expected and len(pages) == 3
    back = []
    url = _next(body, "prev")
    while url:
        page = client.get(url)
        back.insert(0, [case.number for case in page.context["object_list"]])
        url = _next(page.content.decode(), "prev")
    assert back == pages[:-1]


def test_a_forged_cursor_gives_the_first_page(cases, centre, client_for):
    page = client_for(centre["command"]).get("/civic/cases/", {"after": "eyJ2IjpbMSwyXSwibiI6Mn0:1t:x"})
    assert page.status_code == 200 and "翻页链接无效" in page.content.decode()
    assert [c.pk for c in page.context["object_list"]] == list(
        Case.objects.order_by("-reported_at", "-pk").values_list("pk", flat=True)
    )


def _count(client, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(14) as captured:  # session, user, grants, rows, count, the filter's lists
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_case_list_query_count_is_pinned_whatever_the_page_size(
    cases, centre, client_for, monkeypatch, django_assert_max_num_queries
):
    client = client_for(centre["command"])
    client.get("/civic/cases/")
    counts = {}
    for size in (1, 3, 25):
        monkeypatch.setattr(CaseListView, "paginate_by", size)
        counts[size] = _count(client, "/civic/cases/?status=reported", django_assert_max_num_queries)
    assert len(set(counts.values())) == 1, counts
    monkeypatch.setattr(CaseListView, "paginate_by", 2)
    second = _next(client.get("/civic/cases/?status=reported").content.decode())
    assert "after=" in second
    assert _count(client, second, django_assert_max_num_queries) == counts[1] - 1  # the count is carried
