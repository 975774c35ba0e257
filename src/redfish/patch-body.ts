import { checkPatch } from '../csdl/check-write.js';
import type { CsdlModel } from '../csdl/csdl-model.js';
import { shippedCsdl } from '../csdl/shipped-csdl.js';
import { problem, type RedfishProblem } from '../domain/problem.js';
import { requireObjectBody } from './patch-preconditions.js';
import { RedfishHttpError } from './redfish-error.js';
import { isSecretKey } from './refusal-body.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a PATCH body against the resource's schema, the one reader of every PATCH route (as
 * bmcweb's `readJsonPatch`): the CSDL decides what is unknown, read-only, of the wrong type or
 * outside an enum or the document's `@Redfish.AllowableValues` (`checkPatch`); `claimed` lists
 * the writable properties the emulator keeps (`Boot/BootSourceOverrideTarget` for a member of a
 * complex property). Any problem refuses the whole body with every reason, as a 400. The body is
 * returned as sent: a route reads its claimed properties from it, and keeps only the domain rules
 * the schema cannot say (ranges, formats, what the aggregate's decider refuses).
 */
export function readPatchBody(
  body: unknown,
  current: Json,
  claimed: readonly string[],
  csdl: CsdlModel = shippedCsdl(),
): Json {
  const properties = requireObjectBody(body);
  const odataType = current['@odata.type'];
  const entity = typeof odataType === 'string' ? csdl.entityType(odataType) : undefined;
  if (!entity) throw new Error(`no CSDL for the resource type ${String(odataType)}`);
  const schemaProblems = checkPatch(entity, properties, current);
  const refused = new Set(schemaProblems.flatMap((p) => p.relatedProperties ?? []));
  const problems = [
    ...schemaProblems,
    ...unclaimedProblems(properties, current, new Set(claimed), '').filter(
      (p) => !refused.has(p.relatedProperties?.[0] ?? ''),
    ),
  ];
  if (problems.length > 0) throw RedfishHttpError.fromProblems(inBodyOrder(problems, properties).map(unechoed));
  return properties;
}

/** A problem with a secret's value (a password sent as a number) not echoed in its message. */
function unechoed(p: RedfishProblem): RedfishProblem {
  const name = p.relatedProperties?.[0]?.split('/').pop() ?? '';
  if (!isSecretKey(name) || p.messageArgs.length < 2) return p;
  return { ...p, messageArgs: ['(not shown)', ...p.messageArgs.slice(1)] };
}

/** Problems in the order of the body's properties, so the reasons read as the body does. */
function inBodyOrder(problems: readonly RedfishProblem[], body: Json): RedfishProblem[] {
  const order = Object.keys(body);
  const rank = (p: RedfishProblem) => order.indexOf(p.relatedProperties?.[0]?.split('/')[1] ?? '');
  return [...problems].sort((a, b) => rank(a) - rank(b));
}

/**
 * The writable properties of the body that the emulator does not keep. One absent from the
 * document is not implemented by this service, so it is unknown to the resource as served
 * (PropertyUnknown). One the document shows keeps the value it has: writing that value again
 * changes nothing and is accepted, any other is PropertyValueNotInList, as if the resource
 * listed its one value in `@Redfish.AllowableValues`. PropertyNotWritable would tell the client
 * the schema makes it read-only, which it does not.
 */
function unclaimedProblems(body: Json, current: Json | undefined, claimed: ReadonlySet<string>, prefix: string) {
  const problems: RedfishProblem[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (name.includes('@')) continue;
    const path = `${prefix}${name}`;
    if (claimed.has(path)) continue;
    const shown = current?.[name];
    const pointer = `/${path}`;
    if (isObject(value) && [...claimed].some((c) => c.startsWith(`${path}/`))) {
      problems.push(...unclaimedProblems(value, isObject(shown) ? shown : undefined, claimed, `${path}/`));
    } else if (shown === undefined) {
      problems.push(problem(400, 'PropertyUnknown', [name], [pointer]));
    } else if (JSON.stringify(value) !== JSON.stringify(shown)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      problems.push(problem(400, 'PropertyValueNotInList', [text, name], [pointer]));
    }
  }
  return problems;
}
