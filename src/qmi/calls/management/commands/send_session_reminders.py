from django.core.management.base import BaseCommand

from qmi.calls.services_sessions import send_session_reminders


class Command(BaseCommand):
    help = "Rappelle leur réunion d'information aux inscrits, la veille (à lancer chaque heure)."

    def handle(self, *args, **options):
        sent = send_session_reminders()
        self.stdout.write(f"{sent} rappel(s) envoyé(s).")
