#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../core/report.js';
import { ConfigError } from '../core/config.js';
import { scanCommand } from './scan.js';
import { rulesCommand } from './rules.js';
import { clusterCommand } from './cluster.js';
import { netpolCommand } from './netpol.js';
import { whoCanCommand } from './who-can.js';
import { canCommand } from './can.js';
import { probeCommand } from './probe.js';
import { nodeCommand } from './node.js';
import { imagesCommand } from './images.js';
import { detectCommand } from './detect.js';
import { ConnectionError } from '../sources/cluster/connection.js';
import { ClusterUnreachable } from '../sources/cluster/collect.js';
import { NodeSourceError } from '../sources/node/collect.js';
import { EXIT_USAGE, UsageError } from './exit.js';

// A reader that stops early (`kubemoat … | head`) closes the pipe: that ends the output, not in a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

const program = new Command('kubemoat')
  .description('Find the doors attackers use to walk into a Kubernetes cluster.')
  .version(TOOL_VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .addCommand(scanCommand())
  .addCommand(clusterCommand())
  .addCommand(netpolCommand())
  .addCommand(whoCanCommand())
  .addCommand(canCommand())
  .addCommand(probeCommand())
  .addCommand(nodeCommand())
  .addCommand(imagesCommand())
  .addCommand(detectCommand())
  .addCommand(rulesCommand());

for (const c of program.commands) c.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version exit 0; every other commander error is bad usage
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (e instanceof UsageError || e instanceof ConfigError || e instanceof ConnectionError || e instanceof ClusterUnreachable || e instanceof NodeSourceError) {
    process.stderr.write(`kubemoat: ${e.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`kubemoat: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = EXIT_USAGE;
  }
}
