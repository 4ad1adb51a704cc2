from django.core.management.base import BaseCommand

from qmi.core.plural import counted
from qmi.mail.services import send_outbox


class Command(BaseCommand):
    help = (
        "Remet en file les e-mails en attente d'envoi et signale ceux dont l'envoi a été "
        "interrompu (cron, toutes les heures, et après une mise à jour)."
    )

    def handle(self, *args, **options):
        queued, failed = send_outbox()
        self.stdout.write(
            f"{counted(queued, 'e-mail remis', 'e-mails remis')} en file, "
            f"{counted(failed, 'envoi interrompu', 'envois interrompus')}."
        )
