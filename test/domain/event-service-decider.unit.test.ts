import { describe, expect, it } from 'vitest';
import { isProblem } from '../../src/domain/decider.js';
import { given, givenWhen } from '../support/decider-run.js';
import {
  eventServiceDecider,
  MAX_SUBSCRIPTIONS,
  type EventServiceCommand,
  type EventServiceState,
} from '../../src/domain/event-service/event-service-decider.js';
import type { SubscriptionSpec } from '../../src/domain/event-service/event-service-events.js';

const spec: SubscriptionSpec = {
  destination: 'https://listener.example/events',
  protocol: 'Redfish',
  context: 'lab',
  eventFormatType: 'Event',
  deliveryRetryPolicy: 'SuspendRetries',
  verifyCertificate: true,
};

/** The state all the commands leave, and what the last one decided: its events or its refusal. */
function run(commands: readonly EventServiceCommand[], from: EventServiceState = eventServiceDecider.initialState) {
  const before = given(eventServiceDecider, commands.slice(0, -1), from).state;
  const last = givenWhen(eventServiceDecider, [], commands.at(-1)!, before);
  const state = isProblem(last) ? before : last.reduce(eventServiceDecider.evolve, before);
  return { state, last };
}

describe('the EventService decider', () => {
  it('gives subscriptions ids never used before, about their own resource', () => {
    const { state, last } = run([
      { type: 'CreateSubscription', spec },
      { type: 'CreateSubscription', spec },
      { type: 'DeleteSubscription', subscriptionId: '2' },
      { type: 'CreateSubscription', spec },
    ]);
    expect(last).toEqual([
      {
        type: 'SubscriptionCreated',
        subject: '/redfish/v1/EventService/Subscriptions/3',
        data: { subscriptionId: '3', ...spec },
      },
    ]);
    expect(Object.keys(state.subscriptions)).toEqual(['1', '3']);
  });

  it('refuses a destination that is not an http(s) URL, another protocol, and more than the limit', () => {
    for (const destination of ['mailto:ops@example.com', 'ftp://host/x', 'relative/path', 'http://']) {
      expect(run([{ type: 'CreateSubscription', spec: { ...spec, destination } }]).last, destination).toMatchObject({
        status: 400,
        messageId: 'PropertyValueFormatError',
        messageArgs: [destination, 'Destination'],
      });
    }
    expect(
      run([{ type: 'CreateSubscription', spec: { ...spec, protocol: 'SNMPv2c' as 'Redfish' } }]).last,
    ).toMatchObject({ status: 400, messageId: 'PropertyValueNotInList' });
    const full = run(Array.from({ length: MAX_SUBSCRIPTIONS }, () => ({ type: 'CreateSubscription', spec }) as const));
    expect(run([{ type: 'CreateSubscription', spec }], full.state).last).toMatchObject({
      status: 400,
      messageId: 'EventSubscriptionLimitExceeded',
    });
  });

  it('suspends, resumes and terminates once; a retried command changes nothing', () => {
    const created = run([{ type: 'CreateSubscription', spec }]).state;
    const suspend: EventServiceCommand = {
      type: 'SuspendSubscription',
      subscriptionId: '1',
      reason: 'DeliveryFailed',
      message: 'refused',
    };
    const suspended = run([suspend], created);
    expect(suspended.last).toEqual([
      {
        type: 'SubscriptionSuspended',
        subject: '/redfish/v1/EventService/Subscriptions/1',
        data: { subscriptionId: '1', reason: 'DeliveryFailed', message: 'refused' },
      },
    ]);
    expect(suspended.state.subscriptions['1']!.suspended).toBe(true);
    expect(run([suspend], suspended.state).last).toEqual([]);
    expect(run([{ type: 'ResumeSubscription', subscriptionId: '1' }], created).last).toEqual([]);
    const resumed = run(
      [{ type: 'ResumeSubscription', subscriptionId: '1', deliverBufferedSince: '2026-01-01T00:00:00.000Z' }],
      suspended.state,
    );
    expect(resumed.last).toMatchObject([
      { type: 'SubscriptionResumed', data: { deliverBufferedSince: '2026-01-01T00:00:00.000Z' } },
    ]);
    const terminated = run([{ type: 'TerminateSubscription', subscriptionId: '1', message: 'gone' }], created);
    expect(terminated.last).toMatchObject([{ type: 'SubscriptionTerminated' }]);
    expect(
      run([{ type: 'TerminateSubscription', subscriptionId: '1', message: 'gone' }], terminated.state).last,
    ).toEqual([]);
    expect(run([{ type: 'DeleteSubscription', subscriptionId: '1' }], terminated.state).last).toMatchObject({
      status: 404,
      messageId: 'ResourceNotFound',
    });
  });

  it('records the retry settings only when they change', () => {
    const changed = run([{ type: 'ChangeEventService', deliveryRetryIntervalSeconds: 5 }]);
    expect(changed.last).toEqual([
      { type: 'EventServiceSettingsChanged', data: { deliveryRetryAttempts: 3, deliveryRetryIntervalSeconds: 5 } },
    ]);
    expect(
      run([{ type: 'ChangeEventService', deliveryRetryIntervalSeconds: 5, deliveryRetryAttempts: 3 }], changed.state)
        .last,
    ).toEqual([]);
  });
});
