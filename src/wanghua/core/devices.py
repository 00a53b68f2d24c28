"""A browser's user-agent string as people read it (Chrome Mobile 116 · Android 13 · V2307A), parsed by the
maintained ua-parser rules; the raw string stays stored for whoever needs it."""

from __future__ import annotations

from functools import lru_cache

from ua_parser import OS, UserAgent, parse


def _version(part: UserAgent | OS | None) -> str:
    return ".".join(p for p in (part.major, part.minor) if p and p != "0") if part else ""


@lru_cache(maxsize=2048)
def describe(user_agent: str) -> str:
    if not user_agent:
        return ""
    result = parse(user_agent)
    pieces = []
    if result.user_agent and result.user_agent.family != "Other":
        pieces.append(f"{result.user_agent.family} {_version(result.user_agent)}".strip())
    if result.os and result.os.family != "Other":
        pieces.append(f"{result.os.family} {_version(result.os)}".strip())
    if result.device and result.device.family not in ("Other", "Spider") and result.device.family != "Mac":
        pieces.append(result.device.family)
    return " · ".join(pieces) or user_agent[:60]
