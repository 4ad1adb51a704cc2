from django.core.management.base import BaseCommand

from qmi.calls.services.applications import send_deadline_reminders


class Command(BaseCommand):
    help = "Relance les brouillons non déposés avant la clôture des appels (à lancer chaque heure)."

    def handle(self, *args, **options):
        sent = send_deadline_reminders()
        # French counts 0 and 1 in the singular.
        self.stdout.write(f"{sent} relance envoyée." if sent < 2 else f"{sent} relances envoyées.")
