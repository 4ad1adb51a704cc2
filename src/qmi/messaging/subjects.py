"""The kinds of subject a thread may be about, declared by the apps that own them.

messaging imports no subject model. An app registers each kind from its
AppConfig.ready() (`subjects.register(Application, ...)`) and says:

- who may open a thread about a subject (`start_permission`, a rules
  permission checked on the subject) and which organisation is the applicant
  side (`organisation_of`; when None, the person chooses one of theirs and the
  kind checks it with `check_organisation`). The two sides of every thread are
  then the same: the members of that organisation, and operator staff;
- whether a subject has at most one thread (`single_thread`) and the thread's
  default title (`default_title`; when None, the person writes one);
- what pages, lists and e-mails show of the subject (`describe`, returning a
  `SubjectInfo`) and how to load subjects for a list (`queryset`);
- which inbox scopes the subject belongs to (`in_scope`: scope key -> a
  function from the scope's value to the ids of the subjects in it). Scopes are
  registered once with `register_scope` (calls registers "call": the back
  office filters threads by call);
- optionally, a staff panel on the thread page (`staff_panel`, returning extra
  template context, rendered with `staff_panel_template` and, next to each
  message of the applicant side, `staff_message_template`).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError
from django.db.models.signals import pre_delete


@dataclass(frozen=True)
class SubjectInfo:
    """What messaging shows of a subject, without knowing its model."""

    scope_title: str = ""  # the wider context, e.g. the call's title
    scope_url: str = ""
    line: str = ""  # one line under the thread's title in lists
    facts: tuple = ()  # (label, text, url) rows of the thread page
    reference: str = ""  # a short reference, e.g. an application's number


@dataclass(frozen=True)
class Scope:
    """A filter of the back-office inbox that several subject kinds share."""

    key: str
    param: str  # the query-string parameter
    label: str
    everything: str  # the "no filter" option
    choices: Callable[[], Iterable[Any]]  # objects with a pk, shown by str() or .title
    title: Callable[[Any], str] = str


@dataclass(frozen=True)
class SubjectKind:
    model: type
    start_permission: str
    describe: Callable[..., SubjectInfo]  # (subject, *, operator) -> SubjectInfo
    single_thread: bool = False
    default_title: Callable[[Any], str] | None = None
    organisation_of: Callable[[Any], Any] | None = None
    check_organisation: Callable[[Any, Any], list] | None = None
    queryset: Callable[[], Any] | None = None
    in_scope: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    staff_panel: Callable[..., dict] | None = None  # (request, thread, **bound forms)
    staff_panel_template: str = ""
    staff_message_template: str = ""


_kinds: dict[type, SubjectKind] = {}
_scopes: dict[str, Scope] = {}


def register(model, **options):
    """Declare `model` as something threads may be about (call from AppConfig.ready()).

    A subject with threads cannot be deleted, as the old foreign keys (PROTECT)
    ensured: a generic link has no database constraint of its own.
    """
    _kinds[model] = SubjectKind(model=model, **options)
    pre_delete.connect(
        protect_discussed, sender=model, dispatch_uid=f"messaging-{model._meta.label}"
    )
    return _kinds[model]


def protect_discussed(sender, instance, **kwargs):
    # Imported here: models import this module's registry to describe subjects.
    from .models import Thread  # noqa: PLC0415

    threads = Thread.objects.filter(
        subject_type=ContentType.objects.get_for_model(sender), subject_id=instance.pk
    )
    if threads.exists():
        raise ProtectedError(
            f"{sender._meta.verbose_name} « {instance} » has message threads: it is kept.",
            set(threads),
        )


def register_scope(key, **options):
    _scopes[key] = Scope(key=key, **options)
    return _scopes[key]


def kinds():
    return list(_kinds.values())


def scopes():
    return list(_scopes.values())


def kind_of(subject):
    """The registered kind of a subject (or of a model class)."""
    model = subject if isinstance(subject, type) else type(subject)
    for klass in model.__mro__:
        if klass in _kinds:
            return _kinds[klass]
    raise LookupError(f"{model.__name__} is not a registered thread subject")


def describe(subject, *, operator=False):
    if subject is None:
        return SubjectInfo()
    return kind_of(subject).describe(subject, operator=operator)
