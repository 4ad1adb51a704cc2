"""A call for projects with three communes, its laureates and both sides' people."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from qmi.calls.models import Application, Call, Question
from qmi.programmes.models import CommuneRole
from qmi.review.models import Decision
from qmi.review.services import decisions
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CommuneRoleFactory,
    EditionCommuneFactory,
    OrganisationFactory,
    add_question,
    staff_user,
)
from tests.utils import member_of

NAMES = ("Argenteuil", "Issy-les-Moulineaux", "Sucy-en-Brie")


@dataclass
class World:
    call: Call
    staff: object
    communes: dict  # name -> EditionCommune
    referents: dict  # name -> user (agent referent)
    laureates: list = field(default_factory=list)
    members: dict = field(default_factory=dict)  # application pk -> user

    def add_laureate(self, ranking=(), outcome="selected", title=None):
        n = len(self.laureates) + len(self.members) + 1
        organisation = OrganisationFactory(name=f"Projet {n:02d}")
        application = ApplicationFactory(
            call=self.call,
            organisation=organisation,
            status=Application.Status.COMPLETE,
            submitted_at=timezone.now(),
            answers={
                "solution-nom": title or f"Solution {n:02d}",
                "solution-description": f"Description de la solution {n:02d}.",
                "communes": [str(self.communes[name].pk) for name in ranking],
            },
        )
        decisions.stage_decision(
            application=application, outcome=outcome, rationale="Motivé.", by=self.staff
        )
        self.members[application.pk] = member_of(organisation)
        if outcome == "selected":
            self.laureates.append(application)
        return application


def announce(world):
    """The selection is published: laureates may see their side of the allocation."""
    Decision.objects.filter(application__call=world.call).update(published_at=timezone.now())


def make_world(edition=None):
    call = CallFactory(kind=Call.Kind.PROJECTS, **({"edition": edition} if edition else {}))
    add_question(call, "solution-nom", Question.Kind.SHORT_TEXT)
    add_question(call, "solution-description", Question.Kind.LONG_TEXT)
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING)
    communes = {
        name: EditionCommuneFactory(edition=call.edition, commune__name=name) for name in NAMES
    }
    referents = {
        name: CommuneRoleFactory(
            edition_commune=communes[name], role=CommuneRole.Role.AGENT_REFERENT
        ).user
        for name in NAMES
    }
    return World(call=call, staff=staff_user(), communes=communes, referents=referents)


@pytest.fixture
def world(db):
    return make_world()


def open_allocation(world, bounds=(1, 3), days=7):
    from qmi.allocation.services import preferences  # noqa: PLC0415

    return preferences.open_allocation(
        call=world.call,
        by=world.staff,
        closes_at=timezone.now() + datetime.timedelta(days=days),
        communes=[(world.communes[name], *bounds) for name in NAMES],
    )
