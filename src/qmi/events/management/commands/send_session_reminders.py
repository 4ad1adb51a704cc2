from django.core.management.base import BaseCommand

from qmi.events.services import send_reminders


class Command(BaseCommand):
    help = "Rappelle leur événement aux inscrits, la veille (à lancer chaque heure)."

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"{sent} rappel(s) envoyé(s).")
