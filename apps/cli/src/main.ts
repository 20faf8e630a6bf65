#!/usr/bin/env node
/**
 * The `rotor` executable: parses the command line, runs the command, exits with its code.
 */
import { runCli } from './program.js';

// The SDK warns on every Node 20 run that future versions will need Node 22; an operator's terminal does not
// need that on every command (set the variable to "false" to see it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runCli(process.argv.slice(2));
