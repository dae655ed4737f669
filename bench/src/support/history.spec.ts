/**
 * The bench reads from a real order's history what the bare workflow must run between the same
 * stage markers: local activities must be read as local activities, or the baseline would pay
 * server round trips the platform no longer pays. Read from committed histories of both kinds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { REPO_ROOT } from '@order-platform/tools';
import { costUntil, stageReachedAt, stepsBetweenStages } from './history';

const STAGES = ['Confirmed', 'ReadyForFulfillment', 'Shipped', 'Delivered'];
const eventsOf = (name: string) =>
  temporal.api.history.v1.History.decode(
    readFileSync(join(REPO_ROOT, 'workflows', 'histories', `${name}.history.pb`)),
  ).events ?? [];

describe('what the bench reads from an order history', () => {
  it('reads a change recorded by a local activity as a local step, downstream calls as activities', () => {
    const events = eventsOf('delivered-recorded-locally');
    const steps = stepsBetweenStages(events, STAGES);
    const all = steps.flat();
    // Each stage change is recorded locally; every downstream call is an activity.
    expect(all.filter((step) => step === 'local').length).toBeGreaterThanOrEqual(STAGES.length);
    expect(all).toContain('activity');
    const cost = costUntil(events, stageReachedAt(events, 'Delivered')!);
    // The change into DELIVERED is recorded just after its marker, in the same instant.
    const localSteps = all.filter((step) => step === 'local').length;
    expect([localSteps, localSteps + 1]).toContain(cost.localActivities);
    expect(cost.activities).toBe(all.filter((step) => step === 'activity').length);
  });

  it('reads an older run, which recorded through activities, as activities only', () => {
    const steps = stepsBetweenStages(eventsOf('delivered'), STAGES).flat();
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((step) => step === 'activity')).toBe(true);
  });

  it('refuses a history that never reaches a stage, instead of a plan with a hole', () => {
    const events = eventsOf('delivered-recorded-locally');
    const cut = events.slice(
      0,
      events.findIndex((e) => e.upsertWorkflowSearchAttributesEventAttributes) + 1,
    );
    expect(() => stepsBetweenStages(cut, STAGES)).toThrow('the history does not reach every stage');
  });
});
