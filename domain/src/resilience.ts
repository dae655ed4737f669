/**
 * How the platform keeps one slow dependency from sinking the rest.
 *
 * Bulkheads: each downstream context gets a task queue of its own, next to the order task
 * queue, polled by its own worker with its own concurrency limit, so a slow dependency fills
 * its own queue and never takes the slots of the others. The names derive from the order task
 * queue, so a workflow finds them without configuration.
 */

/**
 * The downstream contexts, listed once: ports, configuration keys (`BULKHEAD_LIMITS`) and task
 * queues go by these names. The legacy monolith is called from the order task queue and has
 * no bulkhead.
 */
export const DOWNSTREAMS = [
  'fraud',
  'inventory',
  'payment',
  'fulfillment',
  'notifications',
] as const;
export type Downstream = (typeof DOWNSTREAMS)[number];

export const bulkheadTaskQueue = (orderTaskQueue: string, downstream: Downstream): string =>
  `${orderTaskQueue}.${downstream}`;

/** Temporal's priority keys (1 runs first): expedited orders overtake a backlog everywhere. */
export const PRIORITY = { expedited: 1, standard: 3 } as const;

/**
 * The failure type of a fraud screening refused because the provider's circuit is open: the
 * workflow sends the order to manual review at once instead of retrying into a failing provider.
 */
export const FRAUD_CIRCUIT_OPEN = 'FraudCircuitOpen';
