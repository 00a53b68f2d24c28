"""The intake on a phone: find the resident by a fragment of their name or phone, or register them inline."""

from wanghua.stations.models import Errand, Resident


def test_search_by_name_or_phone_fragment_within_ones_station(desk, client_for):
    client = client_for(desk.agent)
    by_name = client.get("/services/errands/new/", {"who": "大娘"}).content.decode()
    assert f'href="?resident={desk.resident.pk}"' in by_name and "135****1111" in by_name
    assert "13500001111" not in by_name  # the phone is masked on the page
    by_phone = client.get("/services/errands/new/", {"who": "0000111"}).content.decode()
    assert f'href="?resident={desk.resident.pk}"' in by_phone
    # another station's resident is not found, however precisely named
    other = client.get("/services/errands/new/", {"who": "李大爷"}).content.decode()
    assert 'id="no-match"' in other and f"?resident={desk.other_resident.pk}" not in other


def test_short_digit_fragments_do_not_search_phones(desk, client_for):
    page = client_for(desk.agent).get("/services/errands/new/", {"who": "11"}).content.decode()
    assert 'id="no-match"' in page


def test_choosing_a_match_preselects_the_resident(desk, client_for):
    page = client_for(desk.agent).get("/services/errands/new/", {"resident": desk.resident.pk}).content.decode()
    assert f'<option value="{desk.resident.pk}" selected>' in page


def test_the_resident_search_serves_the_api_list_too(desk, client_for):
    answer = client_for(desk.agent).get("/api/v1/services/residents", {"q": "500001"}).json()
    assert [r["name"] for r in answer["items"]] == ["陈大娘"]


def test_quick_add_registers_at_the_agents_station_and_chooses_them(desk, client_for):
    client = client_for(desk.agent)
    page = client.get("/services/errands/new/", {"who": "赵奶奶"}).content.decode()
    assert 'id="quick-add" open' in page and 'value="赵奶奶"' in page  # nobody found: the form is open, prefilled
    response = client.post("/services/errands/new/resident/", {
        "new-name": "赵奶奶", "new-phone": "13900002222", "new-address": "雷锋路 3 号",
        "new-station": desk.station.pk})
    resident = Resident.objects.get(name="赵奶奶")
    assert (resident.station, resident.community, resident.phone) == (desk.station, desk.station.community,
                                                                      "13900002222")
    assert response.status_code == 302 and response["Location"] == f"/services/errands/new/?resident={resident.pk}"
    client.post(response["Location"], {"resident": resident.pk, "category": "shopping", "channel": "phone",
                                        "description": "买米"})
    assert Errand.objects.get(description="买米").resident == resident


def test_quick_add_refuses_bad_input_and_other_stations(desk, client_for):
    client = client_for(desk.agent)
    bad = client.post("/services/errands/new/resident/", {"new-name": "钱爷爷", "new-phone": "12",
                                                          "new-station": desk.station.pk})
    assert bad.status_code == 400 and "电话" in bad.content.decode()
    foreign = client.post("/services/errands/new/resident/", {"new-name": "钱爷爷",
                                                              "new-station": desk.other_station.pk})
    assert foreign.status_code == 400
    assert not Resident.objects.filter(name="钱爷爷").exists()


def test_the_quick_add_needs_the_right_to_register(desk, make_user, client_for, world):
    leader = make_user("leader", "leader", region=world.district)
    assert client_for(leader).post("/services/errands/new/resident/", {
        "new-name": "孙伯伯", "new-station": desk.station.pk}).status_code == 403
    assert not Resident.objects.filter(name="孙伯伯").exists()
