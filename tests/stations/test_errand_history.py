"""An errand's 变更历史 reads as Chinese: field names, the category's dictionary label, the status's label and
Beijing time, never `status`, `pay_bills`, `done → visited` or a UTC ISO timestamp."""

import re

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from wanghua.core.models import AuditEntry
from wanghua.core.reference import labels
from wanghua.stations import services
from wanghua.stations.models import Errand, ErrandStatus


def test_history_shows_labels_and_local_time(desk, client_for):
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills", description="代缴电费")
    services.start_errand(desk.agent, errand.pk)
    services.complete_errand(desk.agent, errand.pk, outcome="电费已缴")
    services.record_visit(desk.agent, errand.pk, satisfaction=5)
    visited = Errand.objects.get(pk=errand.pk).visited_at
    content_type = ContentType.objects.get_for_model(Errand)
    html = client_for(desk.agent).get(f"/system/audit/{content_type.pk}/{errand.pk}/").content.decode()
    cells = re.findall(r"<td>([^<]*)</td>", html)
    with translation.override("zh-hans"):
        status = str(Errand._meta.get_field("status").verbose_name)
        category = str(Errand._meta.get_field("category").verbose_name)
        done, followed_up = str(ErrandStatus.DONE.label), str(ErrandStatus.VISITED.label)
    assert {status, category, done, followed_up, labels("errand_category")["pay_bills"]} <= set(cells)
    assert timezone.localtime(visited).strftime("%Y-%m-%d %H:%M:%S") in cells
    for raw in ("status", "visited_at", "pay_bills", "in_progress", "+00:00"):
        assert raw not in cells, raw
    summary = AuditEntry.objects.filter(content_type=content_type, object_id=str(errand.pk),
                                        action="update").first().summary()
    assert "status" not in summary and "→" in summary
