export { Simulation, SimulationStuckError, type RunOptions, type EventHandler } from './simulation.js';
export { EventQueue } from './queue.js';
export { RandomStreams, createStream, hash53, streamSeed, replicationSeed, type RandomStream } from './random.js';
export * from './distributions.js';
export { parseDuration, parseRate, formatDuration, UnitError } from './units.js';
