import { Command, Option } from 'commander';
import { loadConfig } from '../core/config.js';
import { SEVERITIES, severityRank, type Severity } from '../core/finding.js';
import { scanManifests } from '../core/pipeline.js';
import { catalogue } from '../rules/catalogue.js';
import { emit, FORMATS, render, useColour, type Format } from './output.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './exit.js';

export const FAIL_ON_CHOICES = [...SEVERITIES, 'never'] as const;

interface ScanFlags {
  format: Format;
  output?: string;
  severity: Severity;
  failOn: Severity | 'never';
  config?: string;
}

export function scanCommand(): Command {
  return new Command('scan')
    .description('scan Kubernetes manifests (files, directories, or - for stdin) for the doors attackers use')
    .argument('<paths...>', 'files, directories (recursively: .yaml, .yml, .json) or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('-s, --severity <level>', 'lowest severity to show').choices(SEVERITIES).default('low'))
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON_CHOICES).default('high'))
    .option('-c, --config <file>', 'config file (default: ./.kubemoat.yaml if present)')
    .action(async (paths: string[], flags: ScanFlags) => {
      const config = loadConfig(flags.config);
      const { report, incomplete } = await scanManifests(paths, { rules: catalogue, config, minimumSeverity: flags.severity });
      emit(render(report, flags.format, catalogue, useColour(flags.output)), flags.output);
      if (flags.format !== 'table' || flags.output !== undefined) {
        for (const gap of report.coverage.filter((c) => c.severity === 'error')) {
          process.stderr.write(`kubemoat: not scanned: ${gap.target}${gap.line ? `:${gap.line}:${gap.column ?? 1}` : ''}: ${gap.reason}\n`);
        }
      }
      if (incomplete) {
        process.stderr.write('kubemoat: part of the input could not be read or parsed (see above); the rest was scanned.\n');
        process.exitCode = EXIT_USAGE;
        return;
      }
      const failing = flags.failOn !== 'never' && report.findings.some((f) => severityRank(f.severity) >= severityRank(flags.failOn as Severity));
      process.exitCode = failing ? EXIT_FINDINGS : EXIT_OK;
    });
}
