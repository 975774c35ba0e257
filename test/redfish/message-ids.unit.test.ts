import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../src/project-root.js';

/**
 * Every Base message the code can send is named where it is made: `baseMessage(id, args)`,
 * `RedfishHttpError.of(status, id, args)` or `problem(status, id, args)`. A misspelt id or a wrong
 * number of arguments would throw only when that request comes, so this reads the source and
 * checks each call against the shipped registry now.
 */

const root = projectRoot();
const registry = JSON.parse(readFileSync(join(root, 'src', 'registries', 'dmtf', 'Base.1.22.1.json'), 'utf8')) as {
  Messages: Record<string, { NumberOfArgs: number }>;
};

/** Where each message-making function takes the id and the arguments. */
const MAKERS: Record<string, { id: number; args: number }> = {
  baseMessage: { id: 0, args: 1 },
  'RedfishHttpError.of': { id: 1, args: 2 },
  problem: { id: 1, args: 2 },
};

/**
 * The files that hand ids through rather than naming them: the error body, and the event →
 * message table, whose every row test/projections/event-messages.unit.test.ts fills.
 */
const FORWARDERS = new Set(['src/redfish/redfish-error.ts', 'src/projections/event-messages.ts']);

interface Use {
  readonly where: string;
  readonly ids: readonly string[];
  readonly argCount: number | 'uncounted';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A string literal, or a choice between string literals, as the ids it can be. */
function literalIds(node: ts.Expression): string[] | undefined {
  if (ts.isStringLiteralLike(node)) return [node.text];
  if (ts.isParenthesizedExpression(node)) return literalIds(node.expression);
  if (ts.isConditionalExpression(node)) {
    const [a, b] = [literalIds(node.whenTrue), literalIds(node.whenFalse)];
    return a && b ? [...a, ...b] : undefined;
  }
  return undefined;
}

function usesIn(file: string): { uses: Use[]; unnamed: string[] } {
  const path = relative(root, file);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const uses: Use[] = [];
  const unnamed: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const maker = MAKERS[node.expression.getText(source)];
      if (maker) {
        const where = `${path}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
        const idNode = node.arguments[maker.id];
        const ids = idNode && literalIds(idNode);
        const argsNode = node.arguments[maker.args];
        const argCount =
          argsNode === undefined
            ? 0
            : ts.isArrayLiteralExpression(argsNode) && !argsNode.elements.some(ts.isSpreadElement)
              ? argsNode.elements.length
              : 'uncounted';
        if (ids) uses.push({ where, ids, argCount });
        else if (!FORWARDERS.has(path)) unnamed.push(`${where}: ${node.getText(source).slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { uses, unnamed };
}

describe('Base MessageIds used by the code', () => {
  const scanned = sourceFiles(join(root, 'src')).map(usesIn);
  const uses = scanned.flatMap((s) => s.uses);

  it('finds the calls it is meant to check', () => {
    // The protocol layer alone makes these; if the scan stopped seeing calls it would pass vacuously.
    const ids = new Set(uses.flatMap((u) => u.ids));
    for (const id of [
      'ResourceMissingAtURI',
      'OperationNotAllowed',
      'MalformedJSON',
      'PayloadTooLarge',
      'InternalError',
      'HeaderInvalid',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('names every id literally, so that it can be checked', () => {
    expect(scanned.flatMap((s) => s.unnamed)).toEqual([]);
  });

  it('uses only ids the shipped registry has, each with the number of arguments it takes', () => {
    const wrong = uses.flatMap((use) =>
      use.ids.flatMap((id) => {
        const entry = registry.Messages[id];
        if (!entry) return [`${use.where}: '${id}' is not in the Base registry`];
        if (use.argCount === 'uncounted') return [`${use.where}: the arguments of '${id}' are not an array literal`];
        if (use.argCount !== entry.NumberOfArgs)
          return [`${use.where}: '${id}' takes ${entry.NumberOfArgs} arguments, given ${use.argCount}`];
        return [];
      }),
    );
    expect(wrong).toEqual([]);
  });
});
