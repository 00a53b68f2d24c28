"""The work diary's guards, each with its own refusal and nothing saved (issue 22: scripts/guard_mutants.py
deletes one guard at a time and one of these tests must then fail)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wanghua.stations import services
from wanghua.stations.models import DiaryNote


@pytest.mark.parametrize(("text", "ahead", "other_agent", "refusal"), [
    ("  ", 0, False, {"text": ["请填写日记内容。"]}),
    ("走访\x00三户", 0, False, {"text": ["请填写日记内容。"]}),  # a NUL byte would not survive PostgreSQL
    ("明天的日记", 1, False, {"day": ["不能提前填写日记。"]}),
    ("别站代办员的日记", 0, True, {"agent": ["请选择本站的代办员。"]}),
], ids=["blank", "nul", "ahead", "other-stations-agent"])
def test_diary_note_refusals(desk, text, ahead, other_agent, refusal):
    agent = (desk.other_station if other_agent else desk.station).agents.get()
    with pytest.raises(ValidationError) as refused:
        services.write_diary_note(desk.agent, desk.station, agent, timezone.localdate() + timedelta(days=ahead), text)
    assert refused.value.message_dict == refusal
    assert not DiaryNote.objects.exists()
