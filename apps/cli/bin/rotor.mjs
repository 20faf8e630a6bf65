#!/usr/bin/env node
// The built CLI (pnpm --filter @rotor/cli build); from source: pnpm rotor <command>.
await import('../dist/main.js');
