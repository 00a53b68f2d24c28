"""Deadlines in working hours: Monday–Friday, 08:30–12:00 and 13:00–17:30, local time."""

from datetime import datetime

from django.utils import timezone

from wanghua.civic.workhours import add_working_hours, working_hours_between


def local(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())


def test_hours_skip_lunch_evenings_and_weekends():
    friday_afternoon = local(2026, 11, 27, 16, 0)  # a Friday
    assert add_working_hours(friday_afternoon, 1) == local(2026, 11, 27, 17, 0)
    assert add_working_hours(friday_afternoon, 4) == local(2026, 11, 30, 11, 0)  # 1.5 h Friday, 2.5 h Monday
    assert add_working_hours(local(2026, 11, 30, 11, 0), 2) == local(2026, 11, 30, 14, 0)  # over lunch
    assert add_working_hours(local(2026, 11, 28, 10, 0), 1) == local(2026, 11, 30, 9, 30)  # Saturday report
    assert add_working_hours(local(2026, 11, 30, 7, 0), 8) == local(2026, 11, 30, 17, 30)  # one full day


def test_elapsed_working_hours():
    assert working_hours_between(local(2026, 11, 27, 16, 0), local(2026, 11, 30, 11, 0)) == 4
    assert working_hours_between(local(2026, 11, 30, 12, 0), local(2026, 11, 30, 13, 0)) == 0
    assert working_hours_between(local(2026, 11, 30, 12, 0), local(2026, 11, 30, 9, 0)) == 0


def test_public_holidays_are_off_and_make_up_weekends_are_worked():
    # 2026 Spring Festival: 15–23 February off, Saturday 14 February and 28 February worked (调休).
    assert add_working_hours(local(2026, 2, 13, 17, 0), 1) == local(2026, 2, 14, 9, 0)  # Saturday, a workday
    assert add_working_hours(local(2026, 2, 14, 17, 0), 1) == local(2026, 2, 24, 9, 0)  # over the holiday
    assert working_hours_between(local(2026, 2, 14, 8, 30), local(2026, 2, 24, 17, 30)) == 16
    # National Day 2026: 1–7 October off, Saturday 10 October worked.
    assert add_working_hours(local(2026, 9, 30, 17, 0), 1) == local(2026, 10, 8, 9, 0)
    assert working_hours_between(local(2026, 10, 10, 8, 30), local(2026, 10, 10, 17, 30)) == 8
