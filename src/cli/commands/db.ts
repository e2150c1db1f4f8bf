import type { CliCommand } from './index.js';

export const dbCommand: CliCommand = {
  name: 'db',
  register(program) {
    program.command('db').description('manage the local advisory database');
  },
};
