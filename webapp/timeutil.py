"""Time handling: stored in UTC, shown in Japan time, written Japanese style."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
_WEEKDAYS = "月火水木金土日"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def to_jst(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:  # naive values in this app are always UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(JST)


def today_jst() -> dt.date:
    return utcnow().astimezone(JST).date()


def days_left(deadline: dt.date | None, today: dt.date | None = None) -> int | None:
    """Days from today (Japan time) to the deadline; negative once it has passed."""
    if deadline is None:
        return None
    return (deadline - (today or today_jst())).days


def days_left_text(deadline: dt.date | None, today: dt.date | None = None) -> str:
    return days_left_words(days_left(deadline, today))


def days_left_words(days: int | None) -> str:
    """「あと12日」「本日が期限」「3日超過」: the one wording of every page, list and file."""
    if days is None:
        return ""
    if days > 0:
        return f"あと{days}日"
    if days == 0:
        return "本日が期限"
    return f"{-days}日超過"


def format_date(value: dt.date | dt.datetime | None, weekday: bool = False) -> str:
    """2024年3月29日（金）"""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_jst(value).date()
    text = f"{value.year}年{value.month}月{value.day}日"
    if weekday:
        text += f"（{_WEEKDAYS[value.weekday()]}）"
    return text


def format_datetime(value: dt.datetime | None) -> str:
    """2024年3月29日 14:05 (Japan time)"""
    if value is None:
        return ""
    local = to_jst(value)
    return f"{format_date(local.date())} {local:%H:%M}"
