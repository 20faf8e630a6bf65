import type { Command } from 'commander';
import type { CommandContext } from '../program.js';

export function registerLocalAwsCommand(program: Command, _context: CommandContext): void {
  program
    .command('local-aws')
    .description(
      'Run the local AWS endpoint (Secrets Manager, ElastiCache users, Redshift Data), as `pnpm local-aws` does.',
    )
    .action(() => {
      throw new Error('local-aws is not wired yet');
    });
}
