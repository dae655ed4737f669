/**
 * The one judge of the order invariants (charged once, stock conserved, told once, never
 * CONFIRMED without holds): pure rules over plain facts, used by the workflow invariants spec,
 * the fault audit and the Black Friday scenario alike.
 */
export * from './facts';
export * from './holds';
export * from './payments';
export * from './stock';
export * from './notifications';
export * from './truthful-status';
