import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that holds package.json, found by walking up from this module. Code runs both from
 * src/ (tests) and from dist/src/ (the built CLI), so data folders such as migrations/ and
 * config/ are located from here rather than relative to the module.
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (no package.json above this module)');
    dir = parent;
  }
  return dir;
}

/**
 * The shared/ folder kept beside the project (DMTF's CSDL, mockups and validators): beside the
 * checkout, or beside a folder above it where the checkout is one of several worktrees. When
 * there is none, the one beside the checkout, which callers report as missing.
 */
export function sharedDir(): string {
  const beside = join(dirname(projectRoot()), 'shared');
  for (let dir = dirname(projectRoot()); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'shared', 'redfish'))) return join(dir, 'shared');
    if (dirname(dir) === dir) return beside;
  }
}
