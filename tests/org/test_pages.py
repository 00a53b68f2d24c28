"""The organisation pages as an administrator reads them."""


def test_roles_page_names_rights_not_permission_codes(world, make_user, client_for):
    html = client_for(make_user("root", is_superuser=True)).get("/org/roles/").content.decode()
    assert "全部权限" in html and "党员家庭代办站：新增代办事项" in html and "所有模块：查看全部" in html
    assert "services.add_errand" not in html and "*.view_*" not in html
