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
