// `choreoctl completion bash|zsh|fish` prints a completion script; the hidden
// `choreoctl __complete <words...> <current>` is what the script calls (cobra's
// protocol, see ../actions/completion.ts). Both load their implementation only
// when they run.

import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, flags, and kind and object names from the running project)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      `
Examples:
  source <(choreoctl completion bash)                  # bash, e.g. in ~/.bashrc (no bash-completion package needed)
  source <(choreoctl completion zsh)                   # zsh, in ~/.zshrc after compinit
  choreoctl completion fish > ~/.config/fish/completions/choreoctl.fish
`,
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('../actions/completion.js');
      process.stdout.write(completionScript(shell));
    });
  program
    .command('__complete', { hidden: true })
    .description('completion candidates for the words typed (used by the completion scripts)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[words...]')
    .action(async () => {
      // The raw words: commander must not interpret the user's half-typed flags.
      const args = process.argv.slice(process.argv.indexOf('__complete') + 1);
      await (await import('../actions/completion.js')).completeCommand(program, args);
    });
}
