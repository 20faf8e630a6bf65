#!/usr/bin/env node
// The built CLI; from source use `pnpm local-aws` (node --conditions=@rotor/source --import tsx src/cli.ts).
import '../dist/cli.js';
