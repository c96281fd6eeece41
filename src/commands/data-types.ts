/** Hash, list, set, sorted set and stream commands, SORT, and CLIENT UNBLOCK. */
import type { Handler } from './registry.js';
import { hashCommands } from './hash.js';
import { listCommands } from './list.js';
import { setCommands } from './set.js';
import { zsetCommands } from './zset.js';
import { streamCommands } from './stream.js';
import { sortCommands } from './sort.js';
import { clientUnblock } from '../server/blocking.js';

export function registerDataTypeCommands(register: (group: Record<string, Handler>) => void): void {
  register(hashCommands);
  register(listCommands);
  register(setCommands);
  register(zsetCommands);
  register(streamCommands);
  register(sortCommands);
  register({ 'client|unblock': clientUnblock });
}
