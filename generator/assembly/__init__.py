"""The site as a whole: listings, tags and translations, the ledger of official text, the content rules."""
