#!/usr/bin/env bash
# The embassy's nightly job for cron, on a server of the embassy's own:
#   30 1 * * *  /srv/embassy-site/docs/nightly/nightly.sh >> /var/log/embassy-nightly.log 2>&1
# It stops at the first step that fails (set -e) and exits non-zero, so cron mails the failure.
# Credentials come from /etc/embassy-nightly.env (mode 600, outside the repository), for example:
#   RCLONE_SFTP_KEY_FILE=/home/deploy/.ssh/id_ed25519
#   LEGATION_SMTP_USER=…  LEGATION_SMTP_PASSWORD=…  LEGATION_TELEGRAM_TOKEN=…
set -euo pipefail

SITE_DIR="${SITE_DIR:-/srv/embassy-site}"
SITE_URL="${SITE_URL:-https://embassy.example.org/}"
ENV_FILE="${ENV_FILE:-/etc/embassy-nightly.env}"

cd "$SITE_DIR"
if [ -f "$ENV_FILE" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi

echo "== $(date -u +%FT%TZ) nightly publish"
git pull --ff-only
legation build --strict --report build-report.json
legation deploy production
legation verify "$SITE_URL"
legation notify
if [ -n "$(git status --porcelain -- notifications)" ]; then
  git add notifications
  git commit -m "Notices sent by the nightly job"
  git push
fi
echo "== done"
