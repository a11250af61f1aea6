/** The current instant in ms; injected so "open now" can be tested at fixed instants. */
export type Clock = () => number;
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = () => Date.now();
