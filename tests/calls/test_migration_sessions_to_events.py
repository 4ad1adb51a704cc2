"""Migrating information sessions to qmi.events keeps every row, key and link."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("calls", "0005_application_list_index"), ("events", None)]
AFTER = [("calls", "0007_remove_sessions"), ("events", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_sessions_and_registrations_survive_with_their_call_and_user():
    try:
        apps = _migrate(BEFORE)
        Programme = apps.get_model("programmes", "Programme")
        Edition = apps.get_model("programmes", "Edition")
        Call = apps.get_model("calls", "Call")
        User = apps.get_model("accounts", "User")
        Session = apps.get_model("calls", "InformationSession")
        SessionRegistration = apps.get_model("calls", "SessionRegistration")

        programme = Programme.objects.create(slug="qmi-m", name="QMI", short_name="QMI")
        edition = Edition.objects.create(programme=programme, number=1, slug="qmi-m-1", title="1")
        now = datetime.datetime(2030, 3, 1, 9, 0, tzinfo=datetime.UTC)
        calls = [
            Call.objects.create(
                edition=edition,
                kind="expression_of_interest",
                title=f"Appel {n}",
                slug=f"appel-m-{n}",
                opens_at=now,
                closes_at=now + datetime.timedelta(days=30),
                reference_prefix=f"M{n}",
            )
            for n in (1, 2)
        ]
        user = User.objects.create(email="alex@exemple.fr", password="!")
        created = datetime.datetime(2029, 12, 1, 8, 0, tzinfo=datetime.UTC)
        sessions = []
        for pk, call in ((41, calls[0]), (57, calls[1]), (58, calls[1])):
            sessions.append(
                Session.objects.create(
                    pk=pk,
                    call=call,
                    title=f"Réunion {pk}",
                    starts_at=now + datetime.timedelta(days=pk),
                    ends_at=now + datetime.timedelta(days=pk, hours=1),
                    link="https://visio.example/r" if pk == 41 else "",
                )
            )
        Session.objects.filter(pk=41).update(created_at=created, updated_at=created)
        reminded = now - datetime.timedelta(hours=3)
        rows = [
            (301, sessions[0], "camille@exemple.fr", user, reminded),
            (302, sessions[0], "alex@exemple.fr", None, None),
            (305, sessions[2], "camille@exemple.fr", None, None),
        ]
        for pk, session, email, account, reminded_at in rows:
            SessionRegistration.objects.create(
                pk=pk,
                session=session,
                name="Camille",
                organisation_name="Ville",
                email=email,
                user=account,
                reminded_at=reminded_at,
                created_at=created,
            )

        apps = _migrate(AFTER)
        Event = apps.get_model("events", "Event")
        Registration = apps.get_model("events", "Registration")
        ContentType = apps.get_model("contenttypes", "ContentType")
        call_type = ContentType.objects.get(app_label="calls", model="call")

        assert sorted(Event.objects.values_list("pk", "object_id", "content_type")) == [
            (41, calls[0].pk, call_type.pk),
            (57, calls[1].pk, call_type.pk),
            (58, calls[1].pk, call_type.pk),
        ]
        first = Event.objects.get(pk=41)
        assert first.kind == "information_session"
        assert first.title == "Réunion 41"
        assert first.link == "https://visio.example/r"
        assert first.starts_at == now + datetime.timedelta(days=41)
        assert first.created_at == created and first.updated_at == created
        assert first.sequence == 0
        assert sorted(
            Registration.objects.values_list("pk", "event_id", "email", "user_id", "reminded_at")
        ) == [
            (301, 41, "camille@exemple.fr", user.pk, reminded),
            (302, 41, "alex@exemple.fr", None, None),
            (305, 58, "camille@exemple.fr", None, None),
        ]
        assert Registration.objects.get(pk=301).created_at == created
        # The sequences continue after the copied keys.
        assert (
            Event.objects.create(
                kind="information_session",
                title="Nouvelle",
                starts_at=now,
                ends_at=now + datetime.timedelta(hours=1),
                content_type=call_type,
                object_id=calls[0].pk,
            ).pk
            > 58
        )
        assert Registration.objects.create(event=first, name="N", email="n@exemple.fr").pk > 305

        # And back: the sessions return with their keys and registrants.
        apps = _migrate(BEFORE)
        Session = apps.get_model("calls", "InformationSession")
        SessionRegistration = apps.get_model("calls", "SessionRegistration")
        assert sorted(Session.objects.values_list("pk", "call_id"))[:3] == [
            (41, calls[0].pk),
            (57, calls[1].pk),
            (58, calls[1].pk),
        ]
        assert Session.objects.get(pk=41).created_at == created
        assert sorted(SessionRegistration.objects.values_list("pk", "session_id", "user_id"))[
            :3
        ] == [(301, 41, user.pk), (302, 41, None), (305, 58, None)]
    finally:
        _migrate(AFTER)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
