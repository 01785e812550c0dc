"""The command line and what its commands do: serve, deploy, notify, status, translations, audits."""
