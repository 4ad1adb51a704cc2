import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from qmi.core import audit
from qmi.core.textdiff import html_diff
from tests.factories import EditionFactory, PhaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_snapshot_and_diff_keep_only_changed_fields():
    phase = PhaseFactory()
    before = audit.snapshot(phase, ["kind", "starts_on", "ends_on"])
    phase.ends_on = datetime.date(2024, 2, 1)
    after = audit.snapshot(phase, ["kind", "starts_on", "ends_on"])
    assert audit.diff(before, after) == {"ends_on": ["2024-01-12", "2024-02-01"]}


def test_audit_entries_are_visible_on_the_object_page_for_staff(staff_client, staff):
    edition = EditionFactory(title="Avant")
    audit.record(obj=edition, actor=staff, action="updated", changes={"title": ["Avant", "Après"]})
    response = staff_client.get(f"/gestion/editions/{edition.pk}/")
    html = response.content.decode()
    assert "Journal des modifications" in html
    assert "Après" in html and staff.email in html


def test_full_audit_list_is_paginated_and_staff_only(client, staff_client, staff):
    edition = EditionFactory()
    for number in range(60):
        audit.record(
            obj=edition, actor=staff, action="updated", changes={"n": [number, number + 1]}
        )
    ct = ContentType.objects.get_for_model(edition)
    url = f"/gestion/journal/{ct.pk}/{edition.pk}/"
    response = staff_client.get(url)
    assert len(response.context["page"].object_list) == 50
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_html_diff_marks_insertions_and_deletions():
    assert (
        str(html_diff("un deux trois", "un quatre trois"))
        == "un <del>deux </del><ins>quatre </ins>trois"
    )
