#!/usr/bin/env bash
# Generated code the typecheck and tests need, produced offline from a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."
# Prisma Client for the test fixtures (the prisma-client generator needs no engine binary; see the script).
node test/fixtures/prisma/generate.mjs
