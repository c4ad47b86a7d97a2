// The command groups of choreoctl. Add a group by writing a module that exports
// `register(program)` and listing it here.
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commandGroups: RegisterCommand[] = [];
