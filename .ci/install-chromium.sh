#!/usr/bin/env bash
# The dashboard's end-to-end tests drive Debian's headless Chromium through playwright-core
# (no browser download: the machine reaches only the package registries). Installs it
# when /usr/bin/chromium is missing; a no-op otherwise.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
