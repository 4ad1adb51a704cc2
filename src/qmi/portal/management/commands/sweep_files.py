from django.core.management.base import BaseCommand, CommandError

from qmi.core.plural import counted
from qmi.portal.files import sweep_files


class Command(BaseCommand):
    help = (
        "Supprime les fichiers laissés en route (à lancer chaque jour) : envois temporaires "
        "d'un worker interrompu, fichiers stockés qu'aucune ligne de la base ne désigne."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=24,
            help="Âge minimal (heures) d'un fichier supprimé ; 24 par défaut.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait supprimé, sans rien supprimer.",
        )

    def handle(self, *args, hours, dry_run, **options):
        if hours < 1:
            raise CommandError("--hours : au moins 1, pour ne jamais prendre un envoi en cours.")
        swept = sweep_files(hours=hours, dry_run=dry_run)
        verb = "à supprimer" if dry_run else "supprimé"
        for path in swept["temporary"]:
            self.stdout.write(f"{verb} (envoi temporaire) : {path}")
        for name in swept["stored"]:
            self.stdout.write(f"{verb} (sans ligne en base) : {name}")
        total = "À supprimer (essai, rien n'est supprimé)" if dry_run else "Supprimés"
        self.stdout.write(
            f"{total} : {counted(len(swept['temporary']), 'envoi temporaire', 'envois temporaires')}, "
            f"{counted(len(swept['stored']), 'fichier stocké', 'fichiers stockés')}."
        )
