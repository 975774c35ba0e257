import { problem, type RedfishProblem } from '../domain/problem.js';
import type { CsdlAction, CsdlEntityType, CsdlProperty, CsdlType, DynamicProperty } from './csdl-model.js';

type Json = Record<string, unknown>;

/** What an object's members may be: those listed, those a pattern names, or any when open. */
interface Shape {
  readonly properties: ReadonlyMap<string, CsdlProperty>;
  readonly dynamic: readonly DynamicProperty[];
  readonly open: boolean;
}

const entityShape = (entity: CsdlEntityType): Shape => ({ properties: entity.properties, dynamic: [], open: false });

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const INTEGER_TYPES = new Set(['Edm.Int64', 'Edm.Int32', 'Edm.Int16', 'Edm.Byte', 'Edm.SByte']);
const NUMBER_TYPES = new Set(['Edm.Decimal', 'Edm.Double', 'Edm.Single']);

/** Whether a JSON value has the shape of a primitive type (strings for the date, time and Guid kinds). */
function fitsPrimitive(name: string, value: unknown): boolean {
  if (name === 'Edm.Boolean') return typeof value === 'boolean';
  if (INTEGER_TYPES.has(name)) return Number.isInteger(value);
  if (NUMBER_TYPES.has(name)) return typeof value === 'number';
  if (name === 'Edm.PrimitiveType') return typeof value !== 'object';
  return typeof value === 'string';
}

/** The values `@Redfish.AllowableValues` beside a property in the resource allows, if it says. */
function allowableValues(current: Json | undefined, name: string): readonly unknown[] | undefined {
  const values = current?.[`${name}@Redfish.AllowableValues`];
  return Array.isArray(values) ? values : undefined;
}

/**
 * The reasons a value cannot be written to a property of this type: wrong JSON type, a value
 * outside the enum or the resource's own AllowableValues, null where the schema forbids it.
 */
function checkValue(
  type: CsdlType,
  property: string,
  value: unknown,
  pointer: string,
  nullable: boolean,
  allowed: readonly unknown[] | undefined,
): RedfishProblem[] {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  if (value === null) return nullable ? [] : [problem(400, 'PropertyValueTypeError', [shown, property], [pointer])];
  if (type.kind === 'primitive' && !fitsPrimitive(type.name, value))
    return [problem(400, 'PropertyValueTypeError', [shown, property], [pointer])];
  if (type.kind === 'enum') {
    if (typeof value !== 'string') return [problem(400, 'PropertyValueTypeError', [shown, property], [pointer])];
    if (!type.members.includes(value)) return [problem(400, 'PropertyValueNotInList', [value, property], [pointer])];
  }
  if (allowed && !allowed.includes(value))
    return [problem(400, 'PropertyValueNotInList', [shown, property], [pointer])];
  return [];
}

/**
 * Every reason a PATCH body cannot be applied to a resource of this type, per the CSDL:
 * unknown properties, properties that are Read (or links), values of the wrong type, enum
 * values the schema or the resource's `@Redfish.AllowableValues` does not list. Complex
 * properties are checked member by member. Empty when the body is writable as it is.
 */
export function checkPatch(entity: CsdlEntityType, body: unknown, current: Json): RedfishProblem[] {
  if (!isObject(body)) return [problem(400, 'MalformedJSON')];
  if (!entity.updatable) return [problem(405, 'OperationNotAllowed')];
  return checkObject(entityShape(entity), body, current, '', false);
}

/**
 * Every reason a POST body cannot make a member of this type: unknown properties and values of
 * the wrong type. Properties clients cannot change later (a Volume's RAIDType, its Links) are
 * what a create sets, so permissions are not asked.
 */
export function checkCreate(entity: CsdlEntityType, body: unknown): RedfishProblem[] {
  if (!isObject(body)) return [problem(400, 'MalformedJSON')];
  return checkObject(entityShape(entity), body, undefined, '', true);
}

function checkObject(
  shape: Shape,
  body: Json,
  current: Json | undefined,
  pointer: string,
  creating: boolean,
): RedfishProblem[] {
  const problems: RedfishProblem[] = [];
  for (const [name, value] of Object.entries(body)) {
    // Annotations (@odata.etag, @Redfish.SettingsApplyTime…) ride along; the service reads what it knows of them.
    if (name.startsWith('@') || name.includes('@')) continue;
    const at = `${pointer}/${name}`;
    const property = shape.properties.get(name);
    if (!property) {
      const dynamic = shape.dynamic.find((d) => d.pattern.test(name));
      if (dynamic) problems.push(...checkValue(dynamic.type, name, value, at, true, undefined));
      else if (!shape.open) problems.push(problem(400, 'PropertyUnknown', [name], [at]));
      continue;
    }
    problems.push(...checkProperty(property, value, current?.[name], current, at, creating));
  }
  return problems;
}

function checkProperty(
  property: CsdlProperty,
  value: unknown,
  currentValue: unknown,
  parent: Json | undefined,
  pointer: string,
  creating: boolean,
): RedfishProblem[] {
  const { name, type } = property;
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  if (creating && property.navigation) return [];
  if (!creating && (property.navigation || property.permission === 'Read'))
    return [problem(400, 'PropertyNotWritable', [name], [pointer])];
  if (property.collection) {
    if (value === null) return [];
    if (!Array.isArray(value)) return [problem(400, 'PropertyValueTypeError', [shown, name], [pointer])];
    return value.flatMap((item, i) =>
      type.kind === 'complex'
        ? isObject(item)
          ? checkObject(
              type,
              item,
              Array.isArray(currentValue) && isObject(currentValue[i]) ? currentValue[i] : undefined,
              `${pointer}/${i}`,
              creating,
            )
          : item === null
            ? []
            : [problem(400, 'PropertyValueTypeError', [JSON.stringify(item), name], [`${pointer}/${i}`])]
        : checkValue(type, name, item, `${pointer}/${i}`, true, undefined),
    );
  }
  if (type.kind === 'complex') {
    if (value === null)
      return property.nullable ? [] : [problem(400, 'PropertyValueTypeError', [shown, name], [pointer])];
    if (!isObject(value)) return [problem(400, 'PropertyValueTypeError', [shown, name], [pointer])];
    return checkObject(type, value, isObject(currentValue) ? currentValue : undefined, pointer, creating);
  }
  // A primitive or enum with no Permissions annotation is not a client's to write.
  if (property.permission === undefined && !creating) return [problem(400, 'PropertyNotWritable', [name], [pointer])];
  return checkValue(type, name, value, pointer, property.nullable, allowableValues(parent, name));
}

/**
 * Every reason an action's body is refused: parameters the action does not have, required ones
 * missing, values of the wrong type or outside the enum or the `{Parameter}@Redfish.AllowableValues`
 * the resource lists under the action.
 */
export function checkActionParameters(
  action: CsdlAction,
  body: unknown,
  advertised: Json | undefined,
): RedfishProblem[] {
  const parameters = body === undefined || body === null ? {} : body;
  if (!isObject(parameters)) return [problem(400, 'MalformedJSON')];
  const problems: RedfishProblem[] = [];
  const known = new Map(action.parameters.map((p) => [p.name, p]));
  for (const [name, value] of Object.entries(parameters)) {
    if (name.includes('@')) continue;
    const parameter = known.get(name);
    if (!parameter) {
      problems.push(problem(400, 'ActionParameterUnknown', [action.name.slice(1), name], [`/${name}`]));
      continue;
    }
    const allowed = advertised?.[`${name}@Redfish.AllowableValues`];
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    const wrong = parameter.collection
      ? Array.isArray(value)
        ? []
        : [problem(400, 'ActionParameterValueTypeError', [shown, name, action.name.slice(1)], [`/${name}`])]
      : checkValue(
          parameter.type,
          name,
          value,
          `/${name}`,
          parameter.nullable,
          Array.isArray(allowed) ? allowed : undefined,
        );
    // The same reasons, in the words Base has for action parameters.
    problems.push(
      ...wrong.map((p) =>
        p.messageId === 'PropertyValueNotInList'
          ? problem(400, 'ActionParameterValueNotInList', [shown, name, action.name.slice(1)], p.relatedProperties)
          : p.messageId === 'PropertyValueTypeError'
            ? problem(400, 'ActionParameterValueTypeError', [shown, name, action.name.slice(1)], p.relatedProperties)
            : p,
      ),
    );
  }
  for (const parameter of action.parameters) {
    if (!parameter.nullable && !(parameter.name in parameters))
      problems.push(
        problem(400, 'ActionParameterMissing', [action.name.slice(1), parameter.name], [`/${parameter.name}`]),
      );
  }
  return problems;
}
