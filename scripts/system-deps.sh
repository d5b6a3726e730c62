#!/usr/bin/env bash
# System packages Xinfang needs besides Python: CJK fonts for printed documents
# (WeasyPrint embeds installed fonts only), poppler-utils, and Chromium for the
# browser tests.  Idempotent: installs only what is missing, and only as root on
# Debian/Ubuntu; otherwise prints what is missing and exits 0.
set -euo pipefail

PACKAGES=(fonts-noto-cjk fonts-arphic-uming poppler-utils chromium gettext build-essential python3-dev python3-venv)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        if [[ "$status" != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
else
    # Not a Debian system: check the things themselves.
    command -v fc-list >/dev/null 2>&1 && fc-list | grep -q "Noto Serif CJK SC" || missing+=(fonts-noto-cjk)
    command -v fc-list >/dev/null 2>&1 && fc-list | grep -q "AR PL UMing" || missing+=(fonts-arphic-uming)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "system-deps: all present (${PACKAGES[*]})"
    exit 0
fi

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
    if command -v fc-cache >/dev/null 2>&1; then
        fc-cache -f >/dev/null
    fi
    exit 0
fi

echo "system-deps: missing system packages: ${missing[*]}" >&2
echo "system-deps: install them with:" >&2
echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
echo "system-deps: without the CJK fonts, printed documents cannot be rendered correctly." >&2
exit 0
