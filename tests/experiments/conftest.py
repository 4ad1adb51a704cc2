"""Placements as the allocation publishes them, for the experiments they open."""

import datetime

import pytest
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.allocation.models import Allocation, AllocationCommune, Placement
from qmi.calls.models import Application, Call
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ChallengeFactory,
    EditionCommuneFactory,
    EditionFactory,
    OrganisationFactory,
    SectorFactory,
)


class Programme:
    """An edition's call for projects, its allocation and two communes with challenge and sector."""

    def __init__(self):
        self.edition = EditionFactory()
        self.call = CallFactory(
            edition=self.edition, kind=Call.Kind.PROJECTS, eligible_kinds=["experimenter"]
        )
        self.allocation = Allocation.objects.create(
            call=self.call,
            closes_at=timezone.now() - datetime.timedelta(days=1),
            published_at=timezone.now(),
        )
        self.communes = []
        for _ in range(2):
            edition_commune = EditionCommuneFactory(edition=self.edition)
            ChallengeFactory(edition_commune=edition_commune)
            SectorFactory(edition_commune=edition_commune)
            self.communes.append(
                AllocationCommune.objects.create(
                    allocation=self.allocation, edition_commune=edition_commune
                )
            )

    def laureate(self, **fields):
        fields.setdefault("organisation", OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER))
        return ApplicationFactory(
            call=self.call,
            status=Application.Status.COMPLETE,
            submitted_at=timezone.now(),
            **fields,
        )

    def place(self, application=None, commune=0, by=None):
        """A published placement, as the allocation writes it (without sending its signal)."""
        return Placement.objects.create(
            allocation=self.allocation,
            application=application or self.laureate(),
            commune=self.communes[commune],
            published_by=by,
        )


@pytest.fixture
def programme(db):
    return Programme()
