"""Every list page built on ScopedListView costs the same number of queries at one row a page as at fifty:
what a row shows is read with the page (select_related, prepare_page), never once per row."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from wanghua.core.listing import ScopedListView

pytestmark = pytest.mark.django_db


def _list_pages(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _list_pages(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and not entry.pattern.converters:
            view = getattr(entry.callback, "view_class", None)
            if isinstance(view, type) and issubclass(view, ScopedListView):
                yield "/" + prefix + str(entry.pattern), view


LISTS = sorted(set(_list_pages()), key=lambda pair: pair[0])


def test_the_lists_are_found():
    assert len(LISTS) >= 30 and any(url == "/civic/cases/" for url, _ in LISTS)


@pytest.mark.parametrize(("url", "view"), LISTS, ids=[url for url, _ in LISTS])
def test_a_list_page_costs_the_same_queries_at_any_page_size(
    url, view, world, make_user, client_for, monkeypatch, django_assert_max_num_queries
):
    client = client_for(make_user("lists-root", is_superuser=True))
    first = client.get(url)
    if first.status_code != 200:
        pytest.skip(f"{url} answers {first.status_code} without its context")
    counts = []
    for size in (1, 50):
        monkeypatch.setattr(view, "paginate_by", size)
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], (url, counts)
