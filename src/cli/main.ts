#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { TOOL_NAME, TOOL_VERSION } from '../core/report.js';
import { InputError } from '../core/errors.js';
import { EXIT_USAGE } from './exit.js';

// Each command's module is loaded only when that command runs: together they import most of
// kubemoat (and fflate, the yaml library...), which every run would otherwise pay for at start-up.
const COMMANDS: Record<string, () => Promise<Command>> = {
  scan: async () => (await import('./scan.js')).scanCommand(),
  cluster: async () => (await import('./cluster.js')).clusterCommand(),
  netpol: async () => (await import('./netpol.js')).netpolCommand(),
  'who-can': async () => (await import('./who-can.js')).whoCanCommand(),
  can: async () => (await import('./can.js')).canCommand(),
  probe: async () => (await import('./probe.js')).probeCommand(),
  node: async () => (await import('./node.js')).nodeCommand(),
  images: async () => (await import('./images.js')).imagesCommand(),
  detect: async () => (await import('./detect.js')).detectCommand(),
  rules: async () => (await import('./rules.js')).rulesCommand(),
  history: async () => (await import('./history.js')).historyCommand(),
  diff: async () => (await import('./diff.js')).diffCommand(),
  paths: async () => (await import('./paths.js')).pathsCommand(),
  version: async () => versionCommand(),
  completion: async () => (await import('./completion.js')).completionCommand(() => program),
};

function versionCommand(): Command {
  return new Command('version').description('print the version of kubemoat').action(() => {
    process.stdout.write(`${TOOL_NAME} ${TOOL_VERSION} (node ${process.version})\n`);
  });
}

// A reader that stops early (`kubemoat … | head`) closes the pipe: that ends the output, not in a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

const program = new Command('kubemoat')
  .description('Find the doors attackers use to walk into a Kubernetes cluster.')
  .version(TOOL_VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// The program itself takes no option with a value, so the first word that is not a flag names the
// command; anything else (help, a typo) gets every command, for the help text and the error.
// `completion` describes every command, so it loads them all.
const named = process.argv.slice(2).find((a) => !a.startsWith('-'));
const wanted = named !== undefined && named !== 'completion' && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const name of wanted) program.addCommand(await COMMANDS[name]());

for (const c of program.commands) c.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version exit 0; every other commander error is bad usage
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (e instanceof InputError) {
    process.stderr.write(`kubemoat: ${oneLine(e.message)}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    // A bug, or a failure nothing above turned into a user's message: one line all the same; the
    // stack trace is for whoever debugs it.
    const debug = process.env.KUBEMOAT_DEBUG !== undefined && process.env.KUBEMOAT_DEBUG !== '';
    const text = e instanceof Error ? (debug ? e.stack ?? e.message : oneLine(e.message)) : String(e);
    process.stderr.write(`kubemoat: internal error: ${text}${debug ? '' : ' (KUBEMOAT_DEBUG=1 shows the stack trace)'}\n`);
    process.exitCode = EXIT_USAGE;
  }
}

function oneLine(message: string): string {
  return message.split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
}
