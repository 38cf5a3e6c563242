/** kubesim's public API: small, named exports only. */
export * from './kernel/index.js';
