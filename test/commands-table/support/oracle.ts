/**
 * The commands-table tests' view of the shared oracle harness (test/support): one
 * redis-server 7.0.15 (or the binary given) per file, with a RESP2 and a RESP3 connection returning raw bytes.
 */
import { after, before } from 'node:test';
import type { Protocol } from '../../../src/protocol/resp-encoder.js';
import { ORACLE_MISSING, oracleAvailable, startOracle, type Oracle } from '../../support/oracle.js';
import { RespClient } from '../../support/resp-client.js';

export { ORACLE_MISSING, oracleAvailable };

/**
 * Registers hooks (call inside a describe) that start the oracle and open one client
 * per protocol; the returned map is filled before the tests run.
 */
export function oracleClientsByProtocol(binary?: string): Map<Protocol, RespClient> {
  const clients = new Map<Protocol, RespClient>();
  let oracle: Oracle | null = null;
  before(async () => {
    oracle = await startOracle([], binary);
    clients.set(2, await RespClient.connect(oracle.port));
    const resp3 = await RespClient.connect(oracle.port);
    await resp3.call('HELLO', '3');
    clients.set(3, resp3);
  });
  after(async () => {
    for (const client of clients.values()) client.close();
    await oracle?.stop();
  });
  return clients;
}
