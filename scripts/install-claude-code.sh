#!/usr/bin/env bash
# Installs the real Claude Code CLI, pinned, into .tools/claude-code/ (gitignored) for the interop tests.
#
# Why pinned: a plain `npm install @anthropic-ai/claude-code` resolved an older 2.1.197 on the probe machine, and
# 2.1.197 differs in events, attributes and an extra `HEAD /` (shared/reference/claude-code-observed.md §1, §6).
# Why engine-strict off: the repo .npmrc sets engine-strict=true and the package declares node>=22, but what runs is a
# native Bun-compiled binary (from the optional `@anthropic-ai/claude-code-linux-x64`), so our Node 20 is irrelevant.
# npm runs from inside .tools/claude-code with its own package.json and .npmrc so the repo's config and lockfile
# never apply (and the repo's node_modules is never touched).
set -euo pipefail

VERSION="2.1.329"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.tools/claude-code"
BIN="$DEST/node_modules/.bin/claude"

installed_version() {
  [ -x "$BIN" ] || return 1
  # Prints `2.1.329 (Claude Code)` (claude-code-observed.md §1).
  "$BIN" --version 2>/dev/null | awk '{print $1}'
}

if [ "$(installed_version || true)" = "$VERSION" ]; then
  echo "claude-code $VERSION already installed at $BIN"
  exit 0
fi

mkdir -p "$DEST"
cd "$DEST"
# A private package root: npm's project-level config and prefix both resolve here, not to the repo.
cat >package.json <<'JSON'
{ "name": "steward-claude-code-tool", "version": "0.0.0", "private": true }
JSON
cat >.npmrc <<'NPMRC'
engine-strict=false
fund=false
audit=false
NPMRC

echo "installing @anthropic-ai/claude-code@$VERSION into $DEST (about 380 MB)..."
npm install --prefix "$DEST" --no-save --engine-strict=false --no-audit --no-fund \
  --include=optional "@anthropic-ai/claude-code@$VERSION"

got="$(installed_version || true)"
if [ "$got" != "$VERSION" ]; then
  echo "claude-code install failed: '$BIN --version' gave '${got:-nothing}', expected $VERSION" >&2
  # The postinstall links the platform binary over bin/claude.exe; without the optional package it stays a stub.
  ls -la "$DEST/node_modules/@anthropic-ai" >&2 || true
  exit 1
fi
echo "claude-code $("$BIN" --version) installed at $BIN"
