"""The solver's structured answers told in French (and English): each placement, the
summary, the relaxations proposed. Written at display time, so a run reads in the
reader's language; the figures come from the run and never change.

Points are shown on a scale of 10 per pair (the solver's 0–1 points × 10): « 3,5 points »
reads better than « 0,35 ».
"""

from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

SCALE = 10


def ordinal(rank):
    """1er, 2e, 3e… in French; 1st, 2nd, 3rd, 11th… in English (a suffix per number)."""
    if (get_language() or "fr").startswith("en"):
        teens = 10 <= rank % 100 <= 20
        return f"{rank}{'th' if teens else {1: 'st', 2: 'nd', 3: 'rd'}.get(rank % 10, 'th')}"
    return "1er" if rank == 1 else f"{rank}e"


def shown_points(value):
    return number_format(round(value * SCALE, 2)) if value is not None else "—"


def _placed_sentence(placement):
    parts = []
    if placement["laureate_rank"] is not None:
        parts.append(
            _("%(ordinal)s choix du projet") % {"ordinal": ordinal(placement["laureate_rank"])}
        )
    else:
        parts.append(_("commune que le projet n'a pas classée"))
    if placement["commune_rank"] is not None:
        parts.append(
            _("%(ordinal)s souhait de la commune") % {"ordinal": ordinal(placement["commune_rank"])}
        )
    else:
        parts.append(_("projet que la commune n'a pas classé"))
    sentence = _("Placé à %(commune)s : %(parts)s.") % {
        "commune": placement["commune"],
        "parts": ", ".join(parts),
    }
    if placement.get("pinned"):
        sentence += " " + _("Fixé par le comité.")
    if placement.get("one_sided"):
        sentence += " " + _("Intérêt unilatéral.")
    return sentence


def _better_sentence(item):
    values = {
        "ordinal": ordinal(item["rank"]) if item.get("rank") else "",
        "commune": item["commune"],
        "loss": shown_points(item.get("loss")),
    }
    head = _("Son %(ordinal)s choix, %(commune)s") % values
    reason = item.get("reason")
    if reason == "forbidden":
        return _("%(head)s, est interdit par le comité.") % {"head": head}
    if reason == "pinned_elsewhere":
        return _("%(head)s, n'est pas possible : le comité l'a fixé ailleurs.") % {"head": head}
    if reason == "not_wanted":
        return _("%(head)s, ne l'a pas retenu dans ses souhaits.") % {"head": head}
    if item.get("loss") is None:
        return _("%(head)s, ne peut pas l'accueillir sans enfreindre un minimum ou un maximum.") % {
            "head": head
        }
    if item["loss"] <= 0:
        return _(
            "%(head)s : l'y placer ne changerait pas le total ; le numéro de dossier départage."
        ) % {"head": head}
    if reason == "full":
        ahead = item.get("ahead") or 0
        return ngettext(
            "%(head)s, est complet avec %(count)s projet que la commune classe avant lui ; "
            "l'y placer ferait perdre %(loss)s points.",
            "%(head)s, est complet avec %(count)s projets que la commune classe avant lui ; "
            "l'y placer ferait perdre %(loss)s points.",
            ahead,
        ) % {**values, "head": head, "count": ahead}
    return _("%(head)s : l'y placer ferait perdre %(loss)s points au total.") % {
        **values,
        "head": head,
    }


def describe(placement):
    """[sentence] explaining one placement: where, at which ranks, and why not better."""
    return [_placed_sentence(placement)] + [
        _better_sentence(item) for item in placement.get("better", [])
    ]


def summary_rows(summary):
    """[(label, laureates' side, communes' side)] from the solver's summary."""
    laureates, communes = summary.get("laureates", {}), summary.get("communes", {})
    rows = [
        (_("1er choix"), laureates.get("first", 0), communes.get("first", 0)),
        (_("2e choix"), laureates.get("second", 0), communes.get("second", 0)),
        (_("3e choix"), laureates.get("third", 0), communes.get("third", 0)),
        (_("Au-delà"), laureates.get("other", 0), communes.get("other", 0)),
        (_("Non classé"), laureates.get("unranked", 0), communes.get("unranked", 0)),
    ]
    return rows


def of(name):
    """« d'Argenteuil », « de Sucy-en-Brie »: French elides before a vowel or a mute h."""
    if name[:1].lower() in "aâàeéèêiîoôuûyh":
        return _("d'%(name)s") % {"name": name}
    return _("de %(name)s") % {"name": name}


def suggestion(item):
    kind = item.get("kind")
    if kind in {"lower_minimum", "raise_maximum"}:
        values = {"of_commune": of(item["commune"]), "to": item["to"]}
        if kind == "lower_minimum":
            return _("Abaisser le minimum %(of_commune)s à %(to)s.") % values
        return _("Relever le maximum %(of_commune)s à %(to)s.") % values
    if kind == "one_sided":
        return ngettext(
            "Accepter %(count)s intérêt unilatéral.",
            "Accepter %(count)s intérêts unilatéraux.",
            item.get("count", 0),
        ) % {"count": item.get("count", 0)}
    return _("Aucun assouplissement ne rend la répartition possible : revoyez les choix du comité.")


def worked_example(alpha):
    """The objective told on one pair, with the allocation's α."""
    alpha = float(alpha)
    commune_points = (4 - 2 + 1) / 4  # 2nd of 4 wishes
    laureate_points = (3 - 1 + 1) / 3  # 1st of 3 choices
    total = alpha * commune_points + (1 - alpha) * laureate_points
    return {
        "alpha": number_format(alpha, 2),
        "beta": number_format(1 - alpha, 2),
        "commune": number_format(commune_points * SCALE, 2),
        "laureate": number_format(laureate_points * SCALE, 2),
        "total": number_format(total * SCALE, 2),
    }
