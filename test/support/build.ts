import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Compiles the project once before the suites run: tests that start real processes (the CLI,
 * concurrent appenders, kill -9) run the built JavaScript, exactly as users do. Type errors are
 * the typecheck step's business; tsc still emits JavaScript for them, so they do not stop tests.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  // The server, then the console's browser client (its own tsconfig: DOM, no Node).
  for (const project of ['tsconfig.json', 'src/console/client/tsconfig.json']) {
    const result = spawnSync('npx', ['tsc', '-p', project], { cwd: root, encoding: 'utf8' });
    if (result.error) throw result.error;
  }
}
