// `kubemoat completion bash|zsh|fish`: a shell completion script generated from the commands and
// options the program defines, so it can never name a flag that does not exist.

import { Command, Option } from 'commander';

export interface CommandSpec {
  /** the words from the program to this command: [] for the program, ['images', 'db'] */
  path: string[];
  description: string;
  subcommands: string[];
  options: OptionSpec[];
}

export interface OptionSpec {
  long?: string;
  short?: string;
  takesValue: boolean;
  choices: string[];
  description: string;
}

function optionSpec(o: Option): OptionSpec {
  return {
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
    description: o.description,
  };
}

/** Every command of the program, depth first, with its options (the help option included). */
export function commandSpecs(program: Command, path: string[] = []): CommandSpec[] {
  const here: CommandSpec = {
    path,
    description: program.description(),
    subcommands: program.commands.map((c) => c.name()),
    options: [...program.options.map(optionSpec), { long: '--help', short: '-h', takesValue: false, choices: [], description: 'display help' }],
  };
  return [here, ...program.commands.flatMap((c) => commandSpecs(c, [...path, c.name()]))];
}

const SHELL_SAFE = /^[A-Za-z0-9_./:@%+=,-]*$/;

function quoted(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function flagsOf(spec: CommandSpec): string[] {
  return spec.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
}

/** bash (and zsh through bashcompinit): walk the words to the deepest command, then offer its subcommands and flags, or a flag's choices. */
export function bashCompletion(specs: readonly CommandSpec[]): string {
  const withValue = [...new Set(specs.flatMap((s) => s.options.filter((o) => o.takesValue).flatMap((o) => [o.short, o.long].filter(Boolean))))];
  const cases = specs.map((s) => `    ${quoted(['kubemoat', ...s.path].join(' '))}) words="${[...s.subcommands, ...flagsOf(s)].join(' ')}" ;;`);
  const choices = specs.flatMap((s) =>
    s.options.filter((o) => o.choices.length > 0).map((o) => `    ${quoted(['kubemoat', ...s.path].join(' '))}/${[o.short, o.long].filter(Boolean).join(`|${quoted(['kubemoat', ...s.path].join(' '))}/`)}) COMPREPLY=($(compgen -W "${o.choices.join(' ')}" -- "$cur")); return ;;`),
  );
  const commands = specs.map((s) => quoted(['kubemoat', ...s.path].join(' ')));
  return `# kubemoat completion for bash: source <(kubemoat completion bash)
_kubemoat() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local path=kubemoat skip= i w words
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ -n $skip ]]; then skip=; continue; fi
    case " ${withValue.join(' ')} " in *" $w "*) skip=1; continue ;; esac
    case "$w" in -*) continue ;; esac
    case "$path $w" in
${commands.map((c) => `      ${c}) path="$path $w" ;;`).join('\n')}
    esac
  done
  case "$path/$prev" in
${choices.join('\n')}
  esac
  case "$path" in
${cases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _kubemoat kubemoat
`;
}

export function zshCompletion(specs: readonly CommandSpec[]): string {
  return `#compdef kubemoat
# kubemoat completion for zsh: source <(kubemoat completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(specs).split('\n').slice(1).join('\n')}`;
}

function fishEscape(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** fish: each command's words are offered once its parent's words have been seen. */
export function fishCompletion(specs: readonly CommandSpec[]): string {
  const lines = ['# kubemoat completion for fish: kubemoat completion fish | source', 'complete -c kubemoat -f'];
  const condition = (path: string[]): string =>
    path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${path[path.length - 1]}`;
  for (const s of specs) {
    const children = specs.filter((c) => c.path.length === s.path.length + 1 && c.path.slice(0, -1).join(' ') === s.path.join(' '));
    const notDeeper = children.length > 0 && s.path.length > 0 ? `; and not __fish_seen_subcommand_from ${children.map((c) => c.path[c.path.length - 1]).join(' ')}` : '';
    for (const c of children) lines.push(`complete -c kubemoat -n ${fishEscape(condition(s.path) + notDeeper)} -a ${c.path[c.path.length - 1]} -d ${fishEscape(c.description)}`);
    for (const o of s.options) {
      const names = [o.short ? `-s ${o.short.slice(1)}` : '', o.long ? `-l ${o.long.slice(2)}` : ''].filter(Boolean).join(' ');
      const value = o.takesValue ? (o.choices.length > 0 ? ` -x -a ${fishEscape(o.choices.join(' '))}` : ' -r') : '';
      lines.push(`complete -c kubemoat -n ${fishEscape(condition(s.path) + notDeeper)} ${names}${value} -d ${fishEscape(o.description)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionCommand(program: () => Command): Command {
  return new Command('completion')
    .description('print a shell completion script: source <(kubemoat completion bash), or zsh; kubemoat completion fish | source')
    .addArgument(new Command().createArgument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .action((shell: Shell) => {
      const specs = commandSpecs(program());
      process.stdout.write(shell === 'bash' ? bashCompletion(specs) : shell === 'zsh' ? zshCompletion(specs) : fishCompletion(specs));
    });
}
