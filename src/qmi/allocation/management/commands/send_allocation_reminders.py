from django.core.management.base import BaseCommand

from qmi.allocation.services.reminders import send_preference_reminders


class Command(BaseCommand):
    help = "Rappelle aux communes et aux lauréats de classer avant la fin des préférences (chaque heure)."

    def handle(self, *args, **options):
        sent = send_preference_reminders()
        # French counts 0 and 1 in the singular.
        self.stdout.write(f"{sent} rappel envoyé." if sent < 2 else f"{sent} rappels envoyés.")
