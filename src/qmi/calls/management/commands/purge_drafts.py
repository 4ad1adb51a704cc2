from django.core.management.base import BaseCommand

from qmi.calls.services.retention import NOTICE_DAYS, purge_drafts


class Command(BaseCommand):
    help = (
        "Applique la durée de conservation des brouillons jamais déposés (à lancer chaque "
        f"jour) : prévient les membres {NOTICE_DAYS} jours avant, puis supprime."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait annoncé et supprimé, sans rien envoyer ni supprimer.",
        )

    def handle(self, *args, dry_run, **options):
        done = purge_drafts(dry_run=dry_run)
        announce = "à prévenir" if dry_run else "prévenu"
        delete = "à supprimer" if dry_run else "supprimé"
        for reference in done["announced"]:
            self.stdout.write(f"{announce} : {reference}")
        for reference in done["deleted"]:
            self.stdout.write(f"{delete} : {reference}")
        total = "Essai, rien n'est fait" if dry_run else "Fait"
        announced, deleted = len(done["announced"]), len(done["deleted"])
        self.stdout.write(
            f"{total} : {announced} {'brouillons annoncés' if announced > 1 else 'brouillon annoncé'}, "
            f"{deleted} {'supprimés' if deleted > 1 else 'supprimé'}."
        )
