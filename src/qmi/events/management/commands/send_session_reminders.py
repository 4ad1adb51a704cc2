from django.core.management.base import BaseCommand

from qmi.core.plural import counted
from qmi.events.services import purge_pending, send_reminders


class Command(BaseCommand):
    help = (
        "Rappelle leur événement aux inscrits, la veille, et supprime les inscriptions "
        "jamais confirmées (à lancer chaque heure)."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        purged = purge_pending()
        self.stdout.write(f"{counted(sent, 'rappel envoyé', 'rappels envoyés')}.")
        if purged:
            self.stdout.write(
                f"{counted(purged, 'inscription non confirmée supprimée', 'inscriptions non confirmées supprimées')}."
            )
