#!/usr/bin/env bash
# Debian's Chromium for the browser tests and the README's picture of the trajectory browser. Playwright (a dev
# dependency) drives it through /usr/bin/chromium; it never downloads a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then echo "install_browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already here"; exit 0; fi
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq chromium >/dev/null || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null; }
echo "install_browser: done ($(/usr/bin/chromium --version 2>/dev/null))"
