// The command groups of choreoctl. Add a group by writing a module that exports
// `register(program)` and listing it here.
import type { Command } from 'commander';
import { register as registerRun } from './run.js';
import { register as registerStar } from './star.js';
import { register as registerServer } from './server.js';
import { register as registerApply } from './apply.js';
import { register as registerGet } from './get.js';
import { register as registerDelete } from './delete.js';
import { register as registerApiResources } from './apiresources.js';
import { register as registerInit } from './init.js';
import { register as registerTest } from './test.js';
import { register as registerCompletion } from './completion.js';
import { register as registerVersion } from './version.js';
import { register as registerRbac } from './rbac.js';

export type RegisterCommand = (program: Command) => void;

export const commandGroups: RegisterCommand[] = [registerRun, registerServer, registerStar, registerApply, registerGet, registerDelete, registerApiResources, registerRbac];
// The development loop (README "The development loop"): init, test, completion, version.
commandGroups.push(registerInit, registerTest, registerCompletion, registerVersion);
