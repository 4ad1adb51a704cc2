"""Operations on editions, phases, communes of an edition, challenges and sectors.

Each function is one transaction and leaves an audit entry; views only call these.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.dates import format_date
from qmi.core.permissions import require as _require
from qmi.core.workflow import transition

from .models import (
    Challenge,
    ChallengeVersion,
    CommuneRole,
    Edition,
    EditionCommune,
    Phase,
    Sector,
    TrainingEligibility,
)

# What staff edit of each object: the forms show these fields, the audit trail compares them.
EDITION_FIELDS = [
    "programme",
    "number",
    "title",
    "slug",
    "summary",
    "title_en",
    "summary_en",
    "is_public",
]
PHASE_FIELDS = ["kind", "starts_on", "ends_on", "description"]
CHALLENGE_FIELDS = ["theme", "title", "statement"]


def _save_with_audit(obj, fields, values, by, *, creating=False):
    return audit.save_with_audit(obj, fields=fields, values=values, by=by, creating=creating)


@transaction.atomic
def create_edition(*, by, **values):
    _require(by, "programmes.manage_editions")
    return _save_with_audit(Edition(), EDITION_FIELDS, values, by, creating=True)


@transaction.atomic
def update_edition(*, edition, by, **values):
    _require(by, "programmes.manage_editions")
    return _save_with_audit(edition, EDITION_FIELDS, values, by)


def move_edition(*, edition, target, by, note=""):
    """Advance (or, with a reason, step back) the edition's current stage."""
    return transition(edition, workflow=Edition.workflow, target=target, by=by, note=note)


def check_phase_dates(*, edition, starts_on, ends_on, exclude_pk=None):
    """Errors keyed by field: a phase ends after it starts and overlaps no other phase."""
    errors = {}
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("La phase ne peut pas se terminer avant de commencer.")
    elif starts_on and ends_on:
        overlapping = (
            Phase.objects.filter(edition=edition, starts_on__lte=ends_on, ends_on__gte=starts_on)
            .exclude(pk=exclude_pk)
            .first()
        )
        if overlapping:
            errors["starts_on"] = _(
                "Ces dates chevauchent la phase « %(phase)s » (du %(start)s au %(end)s)."
            ) % {
                "phase": overlapping.get_kind_display(),
                "start": format_date(overlapping.starts_on),
                "end": format_date(overlapping.ends_on),
            }
    return errors


@transaction.atomic
def save_phase(*, edition, by, phase=None, **values):
    _require(by, "programmes.manage_editions")
    # Lock the edition so two staff saving phases at once cannot both slip an overlap in.
    Edition.objects.select_for_update().get(pk=edition.pk)
    errors = check_phase_dates(
        edition=edition,
        starts_on=values.get("starts_on"),
        ends_on=values.get("ends_on"),
        exclude_pk=phase.pk if phase else None,
    )
    if errors:
        raise ValidationError(errors)
    creating = phase is None
    phase = phase or Phase(edition=edition)
    return _save_with_audit(phase, PHASE_FIELDS, values, by, creating=creating)


@transaction.atomic
def delete_phase(*, phase, by):
    _require(by, "programmes.manage_editions")
    audit.record(
        obj=phase.edition,
        actor=by,
        action="deleted",
        changes={
            "phase": [f"{phase.get_kind_display()} ({phase.starts_on} → {phase.ends_on})", None]
        },
    )
    phase.delete()


@transaction.atomic
def add_commune(*, edition, commune, district, by):
    _require(by, "programmes.select_communes")
    if EditionCommune.objects.filter(edition=edition, commune=commune).exists():
        raise ValidationError({"commune": _("Cette commune participe déjà à l'édition.")})
    edition_commune = EditionCommune(edition=edition, commune=commune)
    return _save_with_audit(
        edition_commune, ["commune", "district"], {"district": district}, by, creating=True
    )


@transaction.atomic
def update_edition_commune(*, edition_commune, district, by):
    _require(by, "programmes.select_communes")
    return _save_with_audit(edition_commune, ["district"], {"district": district}, by)


@transaction.atomic
def rewrite_challenge(*, edition_commune, by, theme, title, statement):
    """Save the challenge and keep the rewrite as a new version with its author."""
    _require(by, "programmes.change_challenge", edition_commune)
    challenge = (
        Challenge.objects.select_for_update().filter(edition_commune=edition_commune).first()
    )
    values = {"theme": theme, "title": title, "statement": statement}
    if challenge is None:
        challenge = Challenge(edition_commune=edition_commune, version=1)
        _save_with_audit(challenge, CHALLENGE_FIELDS, values, by, creating=True)
    else:
        unchanged = (
            challenge.theme_id == (theme.pk if theme else None)
            and challenge.title == title
            and challenge.statement == statement
        )
        if unchanged:
            return challenge
        challenge.version += 1
        _save_with_audit(challenge, CHALLENGE_FIELDS, values, by)
    ChallengeVersion.objects.create(
        challenge=challenge,
        number=challenge.version,
        theme=theme,
        title=title,
        statement=statement,
        author=by,
    )
    return challenge


@transaction.atomic
def save_sector(*, edition_commune, by, name, geometry, area_hectares):
    _require(by, "programmes.change_sector", edition_commune)
    sector = Sector.objects.filter(edition_commune=edition_commune).first()
    creating = sector is None
    sector = sector or Sector(edition_commune=edition_commune)
    values = {
        "name": name,
        "geometry": geometry,
        "area_hectares": Decimal(str(round(area_hectares, 1))),
    }
    return _save_with_audit(
        sector, ["name", "geometry", "area_hectares"], values, by, creating=creating
    )


@transaction.atomic
def add_team_member(*, edition_commune, user, role, by):
    _require(by, "programmes.manage_commune_team", edition_commune)
    if CommuneRole.objects.filter(edition_commune=edition_commune, user=user, role=role).exists():
        raise ValidationError({"user": _("Cette personne a déjà ce rôle.")})
    team_role = CommuneRole.objects.create(edition_commune=edition_commune, user=user, role=role)
    audit.record(
        obj=edition_commune,
        actor=by,
        action="team_added",
        changes={team_role.get_role_display(): [None, user.email]},
    )
    return team_role


@transaction.atomic
def remove_team_member(*, team_role, by):
    _require(by, "programmes.manage_commune_team", team_role.edition_commune)
    audit.record(
        obj=team_role.edition_commune,
        actor=by,
        action="team_removed",
        changes={team_role.get_role_display(): [team_role.user.email, None]},
    )
    team_role.delete()


@transaction.atomic
def mark_training_eligible(*, edition, communes, selected, by):
    """Communes whose AMI file was complete may attend the two-day training, selected or not.

    `selected`: the ids of those the call selected. Already marked communes are left as
    they are. Returns how many were added.
    """
    _require(by, "programmes.select_communes")
    known = set(
        TrainingEligibility.objects.filter(edition=edition).values_list("commune_id", flat=True)
    )
    added = [
        TrainingEligibility(edition=edition, commune=commune, selected=commune.pk in selected)
        for commune in communes
        if commune.pk not in known
    ]
    TrainingEligibility.objects.bulk_create(added)
    if added:
        audit.record(
            obj=edition,
            actor=by,
            action="training_eligible",
            changes={"formation": [None, ", ".join(sorted(e.commune.name for e in added))]},
        )
    return len(added)
