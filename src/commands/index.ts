/**
 * Every command group, registered with the command table. One file per group.
 */
import { registerHandlers } from './registry.js';
import { stringCommands } from './strings.js';
import { keyspaceCommands } from './keyspace.js';
import { connectionCommands } from './connection.js';
import { serverCommands } from './server-admin.js';
import { debugCommands } from './debug.js';
import { pubsubCommands } from './pubsub.js';
import { transactionCommands } from './transactions.js';
import { introspectionCommands } from './introspection.js';
import { registerDataTypeCommands } from './data-types.js';
import { registerScriptingCommands } from './scripting.js';
import { persistenceCommands } from './persistence.js';
import { memoryCommands } from './memory.js';
import { replicationCommands } from './replication.js';
import { bitmapCommands } from './bitmap.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { geoCommands } from './geo.js';
import { aclCommands } from './acl.js';
import { clusterCommands } from './cluster.js';
import { migrateCommands } from './migrate.js';

let registered = false;

export function registerAllCommands(): void {
  if (registered) return;
  registered = true;
  for (const group of [
    stringCommands,
    keyspaceCommands,
    connectionCommands,
    serverCommands,
    debugCommands,
    pubsubCommands,
    transactionCommands,
    introspectionCommands,
    persistenceCommands,
    memoryCommands,
    replicationCommands,
    bitmapCommands,
    hyperloglogCommands,
    aclCommands,
    clusterCommands,
    migrateCommands,
  ]) {
    registerHandlers(group);
  }
  registerDataTypeCommands(registerHandlers);
  registerHandlers(geoCommands);
  registerScriptingCommands(registerHandlers);
}
