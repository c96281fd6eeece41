/**
 * The key of a typed slot on every Server (server.slot(key)): the one instance of a
 * subsystem written outside server.ts (blocking, propagation, persistence, scripting).
 * The subsystem's own module creates the key, so server/ names no upper layer and no
 * caller casts. This module imports nothing, so a subsystem can create its key while
 * server.ts is still loading.
 */
export class Slot<T, S> {
  /** `create` builds the subsystem for a server the first time server.slot(key) asks. */
  constructor(
    readonly name: string,
    readonly create: (server: S) => T,
  ) {}
}
