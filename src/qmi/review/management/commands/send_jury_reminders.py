from django.core.management.base import BaseCommand

from qmi.review.services.reminders import send_juror_reminders


class Command(BaseCommand):
    help = "Rappelle aux jurés les évaluations à rendre avant la clôture (à lancer chaque heure)."

    def handle(self, *args, **options):
        sent = send_juror_reminders()
        # French counts 0 and 1 in the singular.
        self.stdout.write(f"{sent} rappel envoyé." if sent < 2 else f"{sent} rappels envoyés.")
