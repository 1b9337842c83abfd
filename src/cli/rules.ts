import { Command, Option } from 'commander';
import { catalogue, findRule } from '../rules/catalogue.js';
import type { Rule } from '../core/rule.js';
import { UsageError } from './exit.js';
import { probeExampleText, renderRulesMarkdown } from '../report/rules-doc.js';
import { probeRules } from '../probe/rules/index.js';
import type { ProbeRule } from '../probe/rule.js';
import { imageScanRulesForReports } from '../images/rules.js';
import { emit, outputOption } from './output.js';

function frameworksLine(rule: Rule | ProbeRule): string {
  const f = rule.meta.frameworks;
  return [
    f.cis?.length ? `CIS ${f.cis.join(', ')}` : '',
    f.nsa?.length ? f.nsa.join('; ') : '',
    f.mitre?.length ? `MITRE ATT&CK ${f.mitre.join(', ')}` : '',
    f.pss?.length ? `Pod Security Standards ${f.pss.join(', ')}` : '',
  ].filter(Boolean).join(' | ');
}

export function explainRule(rule: Rule | ProbeRule): string {
  const m = rule.meta;
  return [
    `${m.id}  ${m.title}`,
    `severity: ${m.severity}    door: ${m.door}`,
    '',
    m.description,
    '',
    `How to fix: ${m.remediation}`,
    '',
    `Frameworks: ${frameworksLine(rule) || '—'}`,
    'References:',
    ...m.references.map((r) => `  ${r}`),
    '',
    'Fails on, for example:',
    ...('check' in rule ? probeExampleText(rule, 'fail') : rule.examples.fail[0]).split('\n').map((l) => `  ${l}`),
    '',
  ].join('\n');
}

export function rulesCommand(): Command {
  return new Command('rules')
    .description('list the rule catalogue, or explain one rule')
    .argument('[id]', 'a rule id, e.g. KM-WL-001')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .addOption(outputOption())
    .action((id: string | undefined, flags: { format: 'table' | 'json' | 'markdown'; output?: string }) => {
      if (id !== undefined) {
        const rule = findRule(id) ?? probeRules.find((r) => r.meta.id === id.toUpperCase()) ?? imageScanRulesForReports().find((r) => r.meta.id === id.toUpperCase());
        if (!rule) throw new UsageError(`no rule ${id}; run \`kubemoat rules\` for the list`);
        emit(flags.format === 'json' ? JSON.stringify(rule.meta, null, 2) + '\n' : explainRule(rule), flags.output);
        return;
      }
      const withImages = [...catalogue, ...imageScanRulesForReports()].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
      const all = [...withImages, ...probeRules].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
      const text =
        flags.format === 'json'
          ? JSON.stringify(all.map((r) => r.meta), null, 2) + '\n'
          : flags.format === 'markdown'
            ? renderRulesMarkdown(withImages, probeRules)
            : all.map((r) => `${r.meta.id.padEnd(11)} ${r.meta.severity.padEnd(9)} ${r.meta.door.padEnd(15)} ${r.meta.title}\n`).join('');
      emit(text, flags.output);
    });
}
