"""Shared building blocks: timestamps and the audit trail."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who changed what, when: one row per state change or back-office edit."""

    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept even if the account is deleted later, so the trail still says who.
    actor_label = models.CharField(_("auteur (libellé)"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("objet"), max_length=255)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des modifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )

    def get_action_display(self):
        return ACTION_LABELS.get(self.action, self.action)

    def change_rows(self):
        """The changes in words: [{"field", "before", "after"}], labels and state names.

        The object's model names its fields and choices (verbose names, `choices`);
        apps add the rest through `audit.register_change_labels`.
        """
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        fields, values = change_words(model, self.action)
        rows = []
        for name, pair in (self.changes or {}).items():
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            known = values.get(name, {})
            rows.append(
                {
                    "field": fields.get(name, name),
                    "before": readable_value(before, known, fields=fields, values=values),
                    "after": readable_value(after, known, fields=fields, values=values),
                }
            )
        return rows

    def transition_words(self):
        """« Brouillon → Déposé » for a change of state, "" for any other entry."""
        if self.action != "transition" or len(self.changes or {}) != 1:
            return ""
        row = self.change_rows()[0]
        return f"{row['before']} → {row['after']}"


def readable_value(value, known, *, fields=None, values=None):
    """One value of a change as a person reads it: a choice's label, oui/non, lists joined.

    A dict (a question's settings) reads key by key, each named like a field.
    """
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if isinstance(value, list):
        return ", ".join(readable_value(item, known) for item in value)
    if isinstance(value, dict):
        fields, values = fields or {}, values or {}
        return " ; ".join(
            f"{fields.get(key, key)} : {readable_value(item, values.get(key, {}))}"
            for key, item in value.items()
        )
    if isinstance(value, str) and value in known:
        return str(known[value])
    if isinstance(value, str):
        return _readable_date(value)
    try:
        return str(known.get(value, value))
    except TypeError:  # an unhashable value never names a choice
        return str(value)


def _readable_date(text):
    """A date or moment stored as ISO text (audit.snapshot) in Paris time and words."""
    looks_like = len(text) == 10 or (len(text) > 10 and text[10:11] == "T")
    if not looks_like or text[4:5] != "-":
        return text
    try:
        moment = parse_datetime(text) if len(text) > 10 else None
        day = parse_date(text) if len(text) == 10 else None
    except ValueError:
        return text
    if day is not None:
        return date_format(day, "j F Y")
    if moment is None:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "j F Y, H:i")


def model_words(model):
    """({field: label}, {field: {value: label}}) read from a model's own fields."""
    fields, values = {}, {}
    if model is None:
        return fields, values
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False):
            continue
        fields[field.name] = capfirst(str(field.verbose_name))
        if field.choices:
            values[field.name] = {value: str(label) for value, label in field.flatchoices}
    return fields, values


def change_words(model, action):
    """The field labels and value labels for an entry on `model` with `action`.

    Layered: the model's own fields, then what its app registered for every action
    on it, then for this action (e.g. a call's "question modifiée" speaks of a
    question's fields: `like=Question`).
    """
    fields, values = model_words(model)
    label = model._meta.label_lower if model is not None else ""
    for key in ((label, ""), (label, action)):
        for registered in CHANGE_LABELS.get(key, []):
            like_fields, like_values = model_words(registered["like"])
            fields.update(like_fields)
            fields.update(registered["fields"])
            for source in (like_values, registered["values"]):
                for name, labels in source.items():
                    values[name] = {**values.get(name, {}), **labels}
    return fields, values


# What apps add through audit.register_change_labels: (model label, action or "") -> entries.
CHANGE_LABELS = {}

# Each app adds the words of its own actions: see audit.register_action_labels.
ACTION_LABELS = {
    "created": _("création"),
    "updated": _("modification"),
    "deleted": _("suppression"),
    "transition": _("changement d'état"),
}
