/**
 * The workflows the worker registers. Everything exported here runs in Temporal's deterministic
 * sandbox. The order lifecycle workflow arrives with issue #3; until then the worker polls with
 * none registered.
 */
export {};
