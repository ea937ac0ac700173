/**
 * Every PromQL the app ships, one module per page (plus common.ts, what they share, and heartbeat.ts, the operator's
 * heartbeat). Pages import their own module; this index is for what reads all of them at once (the benches, the
 * tests over every query).
 */
export * from './common';
export * from './heartbeat';
export * from './overview';
export * from './users';
export * from './usage';
export * from './triage';
export * from './lifecycle';
export * from './operatorHealth';
export * from './operatorStatus';
