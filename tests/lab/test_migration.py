"""A database built before the lab became its own app migrates forward with every row, id and audit link.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL with WANGHUA_DATABASE_URL): the
migrations are walked back to `industry.0002_lab` (the last state before the split), lab rows are made
through the historical models of that state, and the split is applied again."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from wanghua.org.models import RegionKind, RegionLevel, UnitKind

BEFORE = [("industry", "0002_lab"), ("lab", None)]


def _migrate(targets):
    """Migrate to `targets`; the historical apps of the state reached (every other app at its leaf)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    wanted = dict(targets)
    nodes = [(app, wanted.get(app, name)) for app, name in executor.loader.graph.leaf_nodes()]
    return executor.loader.project_state([node for node in nodes if node[1] is not None]).apps


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_keeps_its_lab_rows_ids_and_audit_links():
    leaves = _leaves()
    try:
        old = _migrate(BEFORE)
        ContentType.objects.clear_cache()
        Unit = old.get_model("org", "Unit")
        Region = old.get_model("org", "Region")
        User = old.get_model("core", "User")
        Role = old.get_model("core", "Role")
        AuditEntry = old.get_model("core", "AuditEntry")
        OldContentType = old.get_model("contenttypes", "ContentType")
        Standard = old.get_model("industry", "Standard")
        LabOrder = old.get_model("industry", "LabOrder")
        Specimen = old.get_model("industry", "Specimen")
        TestResult = old.get_model("industry", "TestResult")
        LabChain = old.get_model("industry", "LabChain")

        district = Region.objects.create(code="M00", name="迁移区", level=RegionLevel.DISTRICT,
                                           kind=RegionKind.DISTRICT, path="/M00/")
        enterprise = Unit.objects.create(code="mig-ent", name="迁移钢厂", kind=UnitKind.ENTERPRISE, region=district,
                                         path="/mig-ent/")
        user = User.objects.create(username="mig-lab")
        standard = Standard.objects.create(code="GB/T 1499.2", version="2018-mig", title="t",
                                           effective_on=date(2018, 11, 1))
        sampled = timezone.make_aware(datetime(2026, 3, 1, 8, 0))
        orders = [LabOrder.objects.create(enterprise=enterprise, heat=f"MIG{n}", grade="HRB400", diameter=16,
                                          standard=standard, sampled_at=sampled, verdict="pass",
                                          certificate_token=f"tok{n}") for n in range(3)]
        specimen = Specimen.objects.create(order=orders[0], kind="tensile", number=1)
        result = TestResult.objects.create(
            specimen=specimen, revision=1, yield_strength=Decimal("450.0"), tensile_strength=Decimal("600.0"),
            agt=Decimal("11.0"), source="instrument", recorded_by=user, recorded_at=sampled, verdict="pass",
            verdict_rule="r", previous_hash="0" * 64, hash="a" * 64)
        LabChain.objects.create(head="a" * 64, length=1)
        order_type, _ = OldContentType.objects.get_or_create(app_label="industry", model="laborder")
        audit = AuditEntry.objects.create(request_id="mig", actor_label="system", action="create",
                                          content_type=order_type, object_id=str(orders[0].pk), object_repr="MIG0")
        made = Role.objects.create(code="mig-custom", name_zh="自建", name_en="custom", data_scope="subtree",
                                   permissions=["industry.view_laborder", "industry.add_testresult",
                                                "industry.view_productionline", "industry.view_*", "org.view_unit"])
        untouched = Role.objects.create(code="mig-other", name_zh="其他", name_en="other", data_scope="subtree",
                                        permissions=["services.view_*", "services.view_*", "industry.view_stop"])
        ids = {"orders": [o.pk for o in orders], "specimen": specimen.pk, "result": result.pk,
               "type": order_type.pk, "audit": audit.pk, "role": made.pk,
               "untouched": untouched.pk}

        new = _migrate(leaves)
        ContentType.objects.clear_cache()
    finally:
        _migrate(leaves)  # whatever happened, later tests get the full schema

    from wanghua.core.models import AuditEntry as Entry
    from wanghua.core.models import Role as NewRole
    from wanghua.lab import services
    from wanghua.lab.models import LabChain as Chain
    from wanghua.lab.models import LabOrder as Order
    from wanghua.lab.models import TestResult as Result

    assert new.get_model("lab", "LabOrder")._meta.db_table == "industry_laborder"
    assert sorted(Order.objects.filter(heat__startswith="MIG").values_list("pk", flat=True)) == ids["orders"]
    moved = Result.objects.get(pk=ids["result"])
    assert (moved.specimen_id, moved.specimen.order_id, moved.hash) == (ids["specimen"], ids["orders"][0], "a" * 64)
    assert Chain.objects.get().length == 1
    assert services.certificate_rows(Order.objects.get(certificate_token="tok0")) == [moved]
    # The content type moved in place: the same id now names lab.laborder, and the audit entry still finds its record.
    lab_type = ContentType.objects.get_for_model(Order)
    assert (lab_type.pk, lab_type.app_label) == (ids["type"], "lab")
    assert not ContentType.objects.filter(app_label="industry", model="laborder").exists()
    entry = Entry.objects.get(pk=ids["audit"])
    assert entry.content_type_id == lab_type.pk and entry.content_type.get_object_for_this_type(
        pk=int(entry.object_id)).heat == "MIG0"
    # A role made in the admin keeps exactly its access: lab codes renamed, industry wildcards gain a lab twin.
    assert NewRole.objects.get(pk=ids["role"]).permissions == [
        "lab.view_laborder", "lab.add_testresult", "industry.view_productionline", "industry.view_*", "lab.view_*",
        "org.view_unit"]
    assert Entry.objects.filter(label="migration:lab_split", object_id=str(ids["role"])).exists()
    assert NewRole.objects.get(pk=ids["untouched"]).permissions == [
        "services.view_*", "services.view_*", "industry.view_stop"]
    assert not Entry.objects.filter(label="migration:lab_split", object_id=str(ids["untouched"])).exists()
