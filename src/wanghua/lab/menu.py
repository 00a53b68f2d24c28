"""The lab's menu items and quick actions, with the permission each needs.

A stub: the menu registry (`core/menu.py`) is being added on main. Until it lands, the lab's links are
in `templates/base.html` (智检中心 · 检验委托 → `lab:orders` with `lab.view_laborder`, 检验分析 →
`lab:analysis` with `lab.view_laborder`, 登记炉号 → `lab:order_create` with `lab.add_laborder`).
"""
