// The flags and exit logic every report-producing command shares (scan, cluster, and later probe,
// node): format, output file, severity threshold, --fail-on, config.

import { Command, Option } from 'commander';
import { SEVERITIES, severityRank, type Severity } from '../core/finding.js';
import { COMPLIANCE_FRAMEWORKS, type ComplianceFramework, type Report } from '../core/report.js';
import type { Rule } from '../core/rule.js';
import type { AnalyseOptions } from '../core/pipeline.js';
import { emit, FORMATS, render, tableWidth, useColour, type Format } from './output.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './exit.js';
import { commaList, type RuleSelectionFlags } from './rule-selection.js';

export const FAIL_ON_CHOICES = [...SEVERITIES, 'never'] as const;

export interface ReportFlags extends RuleSelectionFlags {
  format: Format;
  output?: string;
  severity: Severity;
  failOn: Severity | 'never';
  config?: string;
  /** only on the commands addComplianceOption gives it to */
  compliance?: ComplianceFramework;
}

export function addReportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('-s, --severity <level>', 'lowest severity to show').choices(SEVERITIES).default('low'))
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON_CHOICES).default('high'))
    .option('-c, --config <file>', 'config file (default: ./.kubemoat.yaml if present)')
    .option('--rules <ids>', 'run only these rules: ids or globs (KM-WL-*), comma-separated, repeatable', commaList)
    .option('--skip-rules <ids>', 'do not run these rules: ids or globs, comma-separated, repeatable', commaList);
}

/** `--compliance` on the commands whose findings come from the rule catalogue (scan, cluster, node). */
export function addComplianceOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--compliance <framework>', 'also judge each control of a framework (pass, fail, not assessed) from the findings: a summary after the table, `compliance` in JSON').choices(COMPLIANCE_FRAMEWORKS),
  );
}

/** The analysis option --compliance asks for: the framework and every rule the command has (to tell skipped rules from none). */
export function complianceAnalysis(flags: Pick<ReportFlags, 'compliance'>, catalogue: readonly Pick<Rule, 'meta'>[]): Pick<AnalyseOptions, 'compliance'> {
  return flags.compliance === undefined ? {} : { compliance: { framework: flags.compliance, catalogue } };
}

/** Write the report, say on stderr what could not be seen, and set the exit code from DESIGN.md. */
export function finishReport(report: Report, flags: ReportFlags, rules: readonly Pick<Rule, 'meta'>[], incomplete: boolean): void {
  emit(render(report, flags.format, rules, useColour(flags.output), tableWidth(flags.output)), flags.output);
  // The table already lists coverage gaps on stdout; other formats need them on stderr too.
  if (flags.format !== 'table' || flags.output !== undefined) {
    for (const gap of report.coverage.filter((c) => c.severity === 'error')) {
      process.stderr.write(`kubemoat: not scanned: ${gap.target}${gap.line ? `:${gap.line}:${gap.column ?? 1}` : ''}: ${gap.reason}\n`);
    }
  }
  if (incomplete) {
    process.stderr.write('kubemoat: part of the target could not be read (see above); the rest was scanned.\n');
    process.exitCode = EXIT_USAGE;
    return;
  }
  const failing = flags.failOn !== 'never' && report.findings.some((f) => severityRank(f.severity) >= severityRank(flags.failOn as Severity));
  process.exitCode = failing ? EXIT_FINDINGS : EXIT_OK;
}
