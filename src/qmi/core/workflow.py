"""Workflows as explicit transition tables, moved only through `transition`.

A model declares its table next to itself; `transition` is the one place that
checks a move, writes the new state and its audit entry in one transaction and
schedules what follows after commit (notifications). No view writes a state.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit


class TransitionNotAllowed(Exception):
    """The move is not in the table from the object's current state."""


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    # A `rules` permission name checked against (user, object).
    permission: str
    # Whether the move must be explained (refusals, going back a step).
    note_required: bool = False


class Workflow:
    def __init__(self, *, field: str, transitions: Iterable[Transition]):
        self.field = field
        self.transitions = tuple(transitions)

    def find(self, source, target):
        for move in self.transitions:
            if move.source == source and move.target == target:
                return move
        return None

    def moves_from(self, state):
        return [move for move in self.transitions if move.source == state]

    def available(self, obj, user):
        """The moves this person may make now, for the buttons on the object's page."""
        state = getattr(obj, self.field)
        return [move for move in self.moves_from(state) if user.has_perm(move.permission, obj)]


def transition(
    obj,
    *,
    workflow: Workflow,
    target: str,
    by,
    note: str = "",
    after_commit: Callable | None = None,
):
    """Move `obj` to `target` if the table allows it and `by` may; returns the fresh object."""
    with transaction.atomic():
        # The row lock makes two concurrent moves from one state resolve to one.
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        source = getattr(locked, workflow.field)
        move = workflow.find(source, target)
        if move is None:
            raise TransitionNotAllowed(
                _("Ce changement d'état n'est pas possible depuis l'état actuel.")
            )
        if not by.has_perm(move.permission, locked):
            raise PermissionDenied
        if move.note_required and not note.strip():
            raise TransitionNotAllowed(_("Ce changement d'état doit être motivé."))
        setattr(locked, workflow.field, target)
        locked.save(update_fields=[workflow.field, "updated_at"])
        audit.record(
            obj=locked,
            actor=by,
            action="transition",
            changes={workflow.field: [source, target]},
            note=note,
        )
        if after_commit is not None:
            transaction.on_commit(lambda: after_commit(locked))
    setattr(obj, workflow.field, target)
    return locked
