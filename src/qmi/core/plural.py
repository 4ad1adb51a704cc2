"""French counts for command output (not translated: operators read it in the logs)."""


def counted(number, singular, plural):
    """« 0 fichier », « 1 fichier », « 2 fichiers »: French uses the singular below two."""
    return f"{number} {singular if abs(number) < 2 else plural}"
