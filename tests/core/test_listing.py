"""The shared list page: it never counts more than its cap, and on a phone its rows read as cards."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from wanghua.core.listing import CappedPaginator

pytestmark = pytest.mark.django_db


def _users(count: int) -> None:
    get_user_model().objects.bulk_create(get_user_model()(username=f"u{i:04d}") for i in range(count))


def test_count_stops_at_the_cap(django_assert_num_queries):
    _users(30)
    users = get_user_model().objects.order_by("pk")
    paginator = CappedPaginator(users, 5)
    paginator.cap = 12
    with django_assert_num_queries(1) as captured:
        assert paginator.count == 13 and paginator.capped
    assert "LIMIT 13" in captured.captured_queries[0]["sql"].upper()
    # The pages on offer are those wholly under the cap; the last is full.
    assert paginator.num_pages == 2
    assert len(paginator.page(2).object_list) == 5 and paginator.page(2).has_next() is False


def test_an_uncapped_list_counts_exactly():
    _users(7)
    paginator = CappedPaginator(get_user_model().objects.order_by("pk"), 5)
    assert paginator.count == 7 and not paginator.capped and paginator.num_pages == 2


# --- seeking (keyset pagination) -------------------------------------------------------------------------

from urllib.parse import parse_qs, urlsplit  # noqa: E402

from django.core import signing  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from wanghua.core.listing import BadCursor, past, read_cursor, seek_key, seek_page  # noqa: E402
from wanghua.org.models import Person  # noqa: E402
from wanghua.org.views import PersonListView  # noqa: E402


def test_the_seek_key_ends_on_a_unique_field_and_refuses_what_cannot_be_sought():
    users = get_user_model().objects
    assert seek_key(users.order_by("-date_joined")) == (("date_joined", True), ("id", True))
    assert seek_key(users.order_by("username", "-date_joined")) == (("username", False),)  # unique: enough
    assert seek_key(users.order_by("pk")) == (("id", False),)
    assert seek_key(Person.objects.all()) == (("name", False), ("id", False))  # the model's own ordering
    assert seek_key(Person.objects.order_by("region")) is None  # the related model's order
    assert seek_key(users.order_by("last_login")) is None  # nullable
    assert seek_key(Person.objects.order_by("region__name")) is None  # across a relation
    assert seek_key(users.order_by("?")) is None
    assert seek_key(users.order_by("pk").values("pk")) is None  # rows as dicts
    assert seek_key(users.order_by("pk").union(users.order_by("pk"))) is None


def _walk(queryset, per_page):
    """Every page forwards from the first, then every page back from the last: the ids of each."""
    key, paginator = seek_key(queryset), CappedPaginator(queryset, per_page)
    page, forward = seek_page(queryset, key, per_page, paginator), []
    while True:
        forward.append(([obj.pk for obj in page.object_list], page.number))
        if not page.has_next():
            break
        page = seek_page(queryset, key, per_page, paginator, after=page.next_cursor)
    backward = [([obj.pk for obj in page.object_list], page.number)]
    while page.has_previous():
        page = seek_page(queryset, key, per_page, paginator, before=page.previous_cursor)
        backward.append(([obj.pk for obj in page.object_list], page.number))
    return forward, backward


def test_paging_forward_and_back_shows_every_row_once_in_order_even_with_ties():
    _users(23)
    moment = timezone.now()
    model = get_user_model()
    # Ties on the sort field: three groups of the same timestamp, so only the id breaks them.
    for index, user in enumerate(model.objects.order_by("pk")):
        model.objects.filter(pk=user.pk).update(date_joined=moment - timezone.timedelta(hours=index % 3))
    queryset = model.objects.order_by("-date_joined")
    expected = list(queryset.order_by("-date_joined", "-pk").values_list("pk", flat=True))
    forward, backward = _walk(queryset, 5)
    assert [pk for ids, _ in forward for pk in ids] == expected
    assert [number for _, number in forward] == [1, 2, 3, 4, 5]
    assert [len(ids) for ids, _ in forward] == [5, 5, 5, 5, 3]
    assert backward == forward[::-1]  # back to the first page, the same pages, numbered the same


def test_a_page_is_two_small_queries_whatever_the_page(django_assert_num_queries):
    """The sought keys, then their rows: the database sorts the matching keys alone (a late row lookup), and no
    page reads past an offset."""
    _users(30)
    queryset = get_user_model().objects.order_by("-date_joined")
    key, paginator = seek_key(queryset), CappedPaginator(queryset, 5)
    first = seek_page(queryset, key, 5, paginator)
    with django_assert_num_queries(2) as captured:
        page = seek_page(queryset, key, 5, paginator, after=first.next_cursor)
    keys, rows = (query["sql"].upper() for query in captured.captured_queries)
    assert "OFFSET" not in keys and "LIMIT 6" in keys and page.number == 2
    assert keys.split(" FROM ")[0] == 'SELECT "CORE_USER"."ID" AS "PK"'  # the keys alone are sorted
    assert " IN (" in rows and "ORDER BY" not in rows and "LIMIT" not in rows
    expected = list(queryset.values_list("pk", flat=True)[5:10])
    assert [user.pk for user in page.object_list] == expected  # the rows in the keys' order


def test_the_seek_condition_bounds_the_leading_field_for_the_index():
    key = (("reported_at", True), ("id", True))
    assert past(key, ["T", 7]) == Q(reported_at__lte="T") & (Q(reported_at__lt="T") | Q(reported_at="T", id__lt=7))
    assert past(key, ["T", 7], backwards=True) == Q(reported_at__gte="T") & (
        Q(reported_at__gt="T") | Q(reported_at="T", id__gt=7))
    assert past((("id", False),), [7]) == Q(id__gt=7)


@pytest.mark.parametrize("cursor", ["", "x", "garbage:garbage", "%00", "a" * 5000, "eyJ2IjpbXX0:1abc:def",
                                    "\ufffe"])
def test_a_bad_cursor_is_refused(cursor):
    key = (("date_joined", True), ("id", True))
    with pytest.raises(BadCursor):
        read_cursor(get_user_model(), key, cursor)


def test_a_cursor_opens_only_the_list_and_order_it_was_made_for():
    _users(3)
    user = get_user_model().objects.first()
    key = (("date_joined", True), ("id", True))
    from wanghua.core.listing import make_cursor

    cursor = make_cursor(get_user_model(), key, user, 2)
    assert read_cursor(get_user_model(), key, cursor) == ([user.date_joined, user.pk], 2, None)
    counted = make_cursor(get_user_model(), key, user, 2, 10_001)
    assert read_cursor(get_user_model(), key, counted)[2] == 10_001
    with pytest.raises(BadCursor):
        read_cursor(get_user_model(), (("date_joined", False), ("id", False)), cursor)  # another order
    with pytest.raises(BadCursor):
        read_cursor(Person, key, cursor)  # another list
    forged = signing.dumps({"v": ["not a time", 1], "n": 2}, salt="wanghua.core.listing.cursor:core.user:"
                           "-date_joined,-id", compress=True)
    with pytest.raises(BadCursor):
        read_cursor(get_user_model(), key, forged)  # signed by us but not a value of the field


@pytest.fixture
def staff(world, make_user):
    return make_user("st", "street", region=world.street1)


@pytest.fixture
def people(world):
    # 12 people in street 1, with names that tie (the list orders by name, then id); 2 outside it.
    made = [Person.objects.create(name=f"居民{index // 3:02d}", region=world.community1) for index in range(12)]
    Person.objects.create(name="街外甲", region=world.community3)
    return made


def _links(html: str, rel: str) -> list[str]:
    import re

    return re.findall(rf'rel="{rel}" href="([^"]+)"', html)


def test_the_list_page_seeks_with_next_and_previous_links(world, people, staff, client_for, monkeypatch):
    monkeypatch.setattr(PersonListView, "paginate_by", 5)
    client = client_for(staff)
    expected = list(Person.objects.visible_to(staff).order_by("name", "pk").values_list("pk", flat=True))
    assert len(expected) >= 12
    seen, url, numbers = [], "/org/people/", []
    for _ in range(10):
        page = client.get(url)
        assert page.status_code == 200
        seen += [obj.pk for obj in page.context["object_list"]]
        numbers.append(page.context["page_obj"].number)
        html = page.content.decode()
        assert f"第 {numbers[-1]} 页" in html
        assert ("下一页" in html) == bool(_links(html, "next"))
        following = _links(html, "next")
        if not following:
            break
        url = "/org/people/" + following[0].replace("&amp;", "&")
    assert seen == expected and numbers == list(range(1, len(numbers) + 1))
    back = []
    for _ in range(10):
        previous = _links(html, "prev")
        if not previous:
            break
        page = client.get("/org/people/" + previous[0].replace("&amp;", "&"))
        html = page.content.decode()
        assert "上一页" in html or page.context["page_obj"].number == 1
        back = [obj.pk for obj in page.context["object_list"]] + back
    last = len(expected) - len(expected) % 5 if len(expected) % 5 else len(expected) - 5
    assert back == expected[:last]  # every page before the last, each row once, in order


def test_the_filter_is_kept_across_pages(world, people, staff, client_for, monkeypatch):
    monkeypatch.setattr(PersonListView, "paginate_by", 2)
    client = client_for(staff)
    first = client.get("/org/people/", {"region": world.community1.pk}).content.decode()
    link = _links(first, "next")[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["region"] == [str(world.community1.pk)] and "after" in query and "page" not in query


@pytest.mark.parametrize("param", ["after", "before"])
@pytest.mark.parametrize("cursor", ["x", "' OR 1=1 --", "\x00", "9" * 3000, "e30:1abc:def"])
def test_a_bad_cursor_gives_the_first_page_with_a_chinese_notice(world, people, staff, client_for, param, cursor):
    page = client_for(staff).get("/org/people/", {param: cursor})
    html = page.content.decode()
    assert page.status_code == 200 and "翻页链接无效" in html
    assert page.context["page_obj"].number == 1
    assert len(page.context["object_list"]) == Person.objects.visible_to(staff).count()


def test_a_cursor_of_another_list_is_refused(world, people, staff, client_for, monkeypatch):
    monkeypatch.setattr(PersonListView, "paginate_by", 2)
    client = client_for(staff)
    people_link = _links(client.get("/org/people/").content.decode(), "next")[0].replace("&amp;", "&")
    cursor = parse_qs(urlsplit(people_link).query)["after"][0]
    page = client.get("/org/regions/", {"after": cursor})
    assert page.status_code == 200 and "翻页链接无效" in page.content.decode()


def test_a_numbered_page_still_pages_by_offset(world, people, staff, client_for, monkeypatch):
    monkeypatch.setattr(PersonListView, "paginate_by", 5)
    client = client_for(staff)
    page = client.get("/org/people/", {"page": 2})
    assert page.status_code == 200 and page.context["page_obj"].number == 2
    assert "第 2 页，共 3 页" in page.content.decode()
    assert client.get("/org/people/", {"page": 9}).status_code == 404


def test_the_count_reads_capped_past_the_cap(world, people, staff, client_for, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 10)
    html = client_for(staff).get("/org/people/").content.decode()
    assert "10+ 条记录" in html
    monkeypatch.setattr(CappedPaginator, "cap", 100)
    html = client_for(staff).get("/org/people/").content.decode()
    assert f"共 {Person.objects.visible_to(staff).count()} 条记录" in html


def _queries(client, url, django_assert_max_num_queries, limit=100):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_page_query_count_does_not_grow_with_the_page(world, people, staff, client_for, monkeypatch,
                                                               django_assert_max_num_queries):
    client = client_for(staff)
    _queries(client, "/org/people/", django_assert_max_num_queries)  # warm the per-process caches
    monkeypatch.setattr(PersonListView, "paginate_by", 1)
    one = _queries(client, "/org/people/", django_assert_max_num_queries)
    monkeypatch.setattr(PersonListView, "paginate_by", 25)
    many = _queries(client, "/org/people/", django_assert_max_num_queries)
    assert one == many
    second = _links(client.get("/org/people/").content.decode(), "next")  # at 25 a page, one page: none
    monkeypatch.setattr(PersonListView, "paginate_by", 5)
    second = _links(client.get("/org/people/").content.decode(), "next")[0].replace("&amp;", "&")
    after = client.get("/org/people/" + second)
    assert "约 " in after.content.decode() and after.context["paginator"].count == len(people) + 1
    # the next pages read the count the first one probed, carried in their link
    assert _queries(client, "/org/people/" + second, django_assert_max_num_queries) == one - 1
    assert one <= 12


def test_a_distinct_list_pages_by_its_rows():
    """A DISTINCT list's keys would carry its sort columns: it is read in one query, the same pages."""
    _users(12)
    queryset = get_user_model().objects.order_by("-date_joined").distinct()
    key, paginator = seek_key(queryset), CappedPaginator(queryset, 5)
    first = seek_page(queryset, key, 5, paginator)
    second = seek_page(queryset, key, 5, paginator, after=first.next_cursor)
    expected = list(queryset.values_list("pk", flat=True))
    assert [u.pk for u in [*first.object_list, *second.object_list]] == expected[:10]
