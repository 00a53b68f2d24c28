"""Realistic name pools for the demo: names are drawn until unused, never numbered (雷锋社区志愿服务队（91）)."""

from __future__ import annotations

import random
from collections.abc import Callable

CITIES = ["抚顺", "辽宁", "沈抚", "望花"]
BRANDS = ["华晟", "兴顺", "盛达", "恒信", "金桥", "宏达", "鑫源", "瑞丰", "海诚", "东力", "辽通", "浑河", "北方",
          "嘉禾",
          "长青", "同创", "德润", "启明"]
TRADES = ["能源", "实业", "置业", "科技", "新材料", "物流"]
INVESTOR_CITIES = ["上海", "深圳", "杭州", "沈阳", "大连", "北京"]
TEAM_THEMES = ["党员先锋", "巾帼", "青年", "银发", "文明交通", "助老", "环境卫生", "法律服务"]


def distinct(rng: random.Random, make: Callable[..., str], used: set[str]) -> str:
    """A name from `make` that `used` does not hold yet (added to it)."""
    for _ in range(500):
        name = make(rng)
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("the name pool is exhausted")  # a pool too small for the count asked: enlarge it


def company(rng: random.Random, brand: str) -> str:
    return f"{rng.choice(CITIES)}{brand}{rng.choice(TRADES)}有限公司"


def investor(rng: random.Random, brand: str) -> str:
    return f"{rng.choice(INVESTOR_CITIES)}{brand}投资有限公司"
