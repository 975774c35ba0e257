import type { CliCommand } from './command.js';
import { parseCommandArgs, UsageError } from './command.js';
import { configFromOptions, storeOptions, STORE_OPTIONS_HELP } from './store-options.js';
import { openConfiguredStore } from '../open-configured-store.js';
import { PROJECTION_VERSION, projectors } from '../projections/catalog.js';
import {
  parseLogPoint,
  PointOutOfRangeError,
  TimeTravel,
  type LogPoint,
  type ResolvedPoint,
} from '../views/time-travel.js';
import { resourcePath, SERVICE_ROOT } from '../redfish/server.js';

const options = {
  ...storeOptions,
  'as-of': { type: 'string' },
  compact: { type: 'boolean' },
} as const;

const POINT_HELP =
  "a log position (as 'history' lists them) or an ISO 8601 time with its offset, such as 2026-11-25T10:00:00Z";

/** `--diff FROM TO` takes two values, which parseArgs cannot say: they are taken out first. */
function takeDiff(argv: string[]): { rest: string[]; diff?: [string, string] } {
  const at = argv.indexOf('--diff');
  if (at < 0) return { rest: argv };
  const [from, to] = [argv[at + 1], argv[at + 2]];
  if (from === undefined || to === undefined || from.startsWith('--') || to.startsWith('--'))
    throw new UsageError('--diff takes two points: --diff FROM TO');
  const rest = [...argv.slice(0, at), ...argv.slice(at + 3)];
  if (rest.includes('--diff')) throw new UsageError('--diff is given more than once');
  return { rest, diff: [from, to] };
}

function pointOf(value: string, flag: string): LogPoint {
  const point = parseLogPoint(value);
  if (!point) throw new UsageError(`${flag} takes ${POINT_HELP}; got '${value}'`);
  return point;
}

function resolvePoint(timeTravel: TimeTravel, point: LogPoint, flag: string): ResolvedPoint {
  try {
    return timeTravel.resolve(point);
  } catch (err) {
    if (err instanceof PointOutOfRangeError) throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

const describe = (point: ResolvedPoint) =>
  `position ${point.position}${point.recordedAt ? ` (recorded at ${point.recordedAt})` : ' (before the first event)'}`;

export const showCommand: CliCommand = {
  words: ['show'],
  summary: 'print a Redfish resource as it is now, or as it was at a past point, or what changed between two',
  help: [
    'Usage: redfish-emulator show <@odata.id> [--as-of POINT] [options]',
    '       redfish-emulator show <@odata.id> --diff FROM TO [options]',
    '',
    'Prints a resource as GET returns it: now, or as it was at a past point of the log. The past',
    'is replayed in memory from the nearest snapshot of the views, so the store is only read (the',
    'snapshots a long replay passes are recorded, to make the next read quick). A point is',
    `${POINT_HELP};`,
    'a time means the log as it stood then.',
    '',
    'Options:',
    '  --as-of POINT     the resource as it was at POINT (its position and time go to stderr)',
    '  --diff FROM TO    what changed in the resource from one point to the other: JSON with both',
    '                    points and the JSON Patch (RFC 6902) between, each replace and remove',
    "                    with the value it had in 'previous'",
    '  --compact         the JSON as stored, on one line',
    STORE_OPTIONS_HELP,
    '',
    'Exit status: 0, 1 when the resource did not exist then (at neither point, for --diff), 2 for',
    'a mistake in the command.',
  ].join('\n'),
  async run(argv) {
    const { rest, diff } = takeDiff(argv);
    const { values, positionals } = parseCommandArgs(rest, options, true);
    if (positionals.length !== 1) throw new UsageError('name one resource, e.g. /redfish/v1/Systems/node-1');
    const given = positionals[0]!;
    const resource = resourcePath(given);
    if ((resource !== SERVICE_ROOT && !resource.startsWith(`${SERVICE_ROOT}/`)) || /[#?\s]/.test(given)) {
      throw new UsageError(`'${given}' is not a Redfish resource path such as /redfish/v1/Systems/node-1`);
    }
    if (diff && values['as-of'] !== undefined) throw new UsageError('--as-of and --diff do not go together');
    const points = diff
      ? [pointOf(diff[0], '--diff FROM'), pointOf(diff[1], '--diff TO')]
      : values['as-of'] === undefined
        ? []
        : [pointOf(values['as-of'], '--as-of')];
    const json = (text: string) => (values.compact ? text : JSON.stringify(JSON.parse(text), null, 2));
    const { store } = openConfiguredStore(configFromOptions(values), { mustExist: true });
    try {
      const timeTravel = new TimeTravel(store.db, { projectors, projectionVersion: PROJECTION_VERSION });
      if (diff) {
        const from = resolvePoint(timeTravel, points[0]!, '--diff FROM');
        const to = resolvePoint(timeTravel, points[1]!, '--diff TO');
        const views = timeTravel.viewAt(resource, [from.position, to.position]);
        if (views.every((view) => view === undefined)) {
          console.error(
            `redfish-emulator show: ${resource} existed neither at ${describe(from)} nor at ${describe(to)}`,
          );
          return 1;
        }
        console.log(json(JSON.stringify(timeTravel.diff(resource, from, to, views))));
        return 0;
      }
      if (points.length === 0) {
        const view = store.views.get(resource);
        if (!view) {
          console.error(`redfish-emulator show: there is no ${resource}`);
          return 1;
        }
        console.log(json(view.body));
        return 0;
      }
      const point = resolvePoint(timeTravel, points[0]!, '--as-of');
      const [view] = timeTravel.viewAt(resource, [point.position]);
      if (!view) {
        console.error(`redfish-emulator show: ${resource} did not exist at ${describe(point)}`);
        return 1;
      }
      console.error(`${resource} as of ${describe(point)}, last changed at position ${view.position}`);
      console.log(json(view.body));
      return 0;
    } finally {
      store.db.close();
    }
  },
};
