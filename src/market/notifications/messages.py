"""The mails' words, by stable key, in every language spoken here (market.kernel.i18n).

Each text is a `str.format` template; `service` fills in the values. A user's
`preferred_language` picks the language; a language not spoken here gets Dutch.
"""

from __future__ import annotations

from market.kernel.i18n import Language, Texts

NL, EN = Language.NL, Language.EN

EXISTING_ACCOUNT = "existing_account"
INVITATION = "invitation"

TEXTS: Texts = {
    f"{EXISTING_ACCOUNT}.subject": {
        NL: "Iemand probeerde een account te maken met uw e-mailadres",
        EN: "Someone tried to create an account with your email address",
    },
    f"{EXISTING_ACCOUNT}.body": {
        NL: (
            "Beste {display_name},\n\n"
            "Iemand probeerde zojuist een nieuw account te maken met uw e-mailadres\n"
            "({email}). U hebt al een account, dus er is niets aangemaakt of veranderd.\n\n"
            "Was u dat zelf? Log dan in met uw wachtwoord.\n"
            "Was u het niet? Dan hoeft u niets te doen: uw account en wachtwoord blijven\n"
            "zoals ze waren.\n\n"
            "Met vriendelijke groet,\n"
            "market\n"
        ),
        EN: (
            "Dear {display_name},\n\n"
            "Someone just tried to create a new account with your email address\n"
            "({email}). You already have an account, so nothing was created or changed.\n\n"
            "Was it you? Then sign in with your password.\n"
            "Was it not you? Then you need not do anything: your account and password stay\n"
            "as they were.\n\n"
            "Kind regards,\n"
            "market\n"
        ),
    },
    f"{INVITATION}.subject": {
        NL: "Uitnodiging om mee te werken voor {organisation}",
        EN: "Invitation to join {organisation}",
    },
    f"{INVITATION}.body": {
        NL: (
            "Hallo,\n\n"
            "U bent uitgenodigd om als {role} mee te werken voor {organisation}.\n\n"
            "Log in met dit e-mailadres ({email}; hebt u nog geen account, maak er dan\n"
            "eerst een met dit adres) en neem de uitnodiging aan met deze code:\n\n"
            "    {token}\n\n"
            "De code is eenmalig en geldig tot {expires} (Nederlandse tijd).\n"
            "Verwachtte u deze uitnodiging niet? Dan kunt u dit bericht negeren.\n\n"
            "Met vriendelijke groet,\n"
            "market\n"
        ),
        EN: (
            "Hello,\n\n"
            "You have been invited to join {organisation} as {role}.\n\n"
            "Sign in with this email address ({email}; if you have no account yet, create\n"
            "one with this address first) and accept the invitation with this code:\n\n"
            "    {token}\n\n"
            "The code works once and is valid until {expires} (Amsterdam time).\n"
            "Did you not expect this invitation? Then you can ignore this message.\n\n"
            "Kind regards,\n"
            "market\n"
        ),
    },
    # The roles as people call them (market.identity.models.Role).
    "role.owner": {NL: "eigenaar", EN: "owner"},
    "role.editor": {NL: "redacteur", EN: "editor"},
    "role.procurement_officer": {NL: "inkoper", EN: "procurement officer"},
    "role.evaluator": {NL: "beoordelaar", EN: "evaluator"},
    "role.admin": {NL: "beheerder", EN: "administrator"},
}
