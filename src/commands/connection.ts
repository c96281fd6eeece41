/**
 * Connection commands: PING, ECHO, HELLO, AUTH, QUIT, RESET, SELECT and CLIENT *.
 */
import { ErrorReply, Errors, MapReply, NO_REPLY, OK, PONG, type Reply, SimpleReply, VerbatimReply } from '../protocol/reply.js';
import type { Client } from '../server/client.js';
import { is, parseInt64, parseInteger } from './args.js';
import type { Handler } from './registry.js';
import { arityError, helpLines, sanitizedError } from './replies.js';
import { aclStore, passwordMatches } from '../server/acl.js';

export const SERVER_VERSION = '7.0.15';

const WRONGPASS = new ErrorReply('WRONGPASS invalid username-password pair or user is disabled.');

const ping: Handler = (client, args) => {
  if (args.length > 2) return arityError('ping');
  if (client.protocol === 2 && client.inPubSub) {
    return ['pong', args.length === 2 ? args[1] : ''];
  }
  return args.length === 2 ? args[1] : PONG;
};

const echo: Handler = (_client, args) => args[1];

/**
 * Checks a username/password pair: the default user follows requirepass when it is
 * set; other users their ACL passwords. On success the client becomes that user.
 */
function checkCredentials(client: Client, user: string, pass: string): boolean {
  const aclUser = aclStore(client.server).users.get(user);
  if (!aclUser) return false;
  const required = client.server.config.get('requirepass');
  const ok = user === 'default' && required !== '' ? aclUser.enabled && pass === required : passwordMatches(aclUser, pass);
  if (ok) client.user = user === 'default' ? null : aclUser;
  return ok;
}

const auth: Handler = (client, args) => {
  if (args.length > 3) return Errors.syntax;
  const requirepass = client.server.config.get('requirepass');
  if (args.length === 2 && requirepass === '') {
    return new ErrorReply(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
  }
  const user = args.length === 3 ? args[1] : 'default';
  const pass = args.length === 3 ? args[2] : args[1];
  if (!checkCredentials(client, user, pass)) return WRONGPASS;
  client.authenticated = true;
  return OK;
};

/** The HELLO reply map (Redis's helloCommand). */
function helloReply(client: Client): MapReply {
  return new MapReply([
    'server',
    'redis',
    'version',
    SERVER_VERSION,
    'proto',
    client.protocol,
    'id',
    client.id,
    'mode',
    'standalone',
    'role',
    'master',
    'modules',
    [],
  ]);
}

const hello: Handler = (client, args) => {
  let ver = 0;
  let next = 1;
  if (args.length >= 2) {
    const v = parseInteger(args[next++]);
    if (v === null) return new ErrorReply('ERR Protocol version is not an integer or out of range');
    ver = v;
    if (ver < 2 || ver > 3) return new ErrorReply('NOPROTO unsupported protocol version');
  }
  let authPair: [string, string] | null = null;
  let setName: string | null = null;
  for (let j = next; j < args.length; j++) {
    const more = args.length - j - 1;
    if (is(args[j], 'auth') && more >= 2) {
      authPair = [args[j + 1], args[j + 2]];
      j += 2;
    } else if (is(args[j], 'setname') && more >= 1) {
      setName = args[j + 1];
      j++;
    } else {
      return new ErrorReply(`ERR Syntax error in HELLO option '${args[j]}'`);
    }
  }
  if (authPair) {
    if (!checkCredentials(client, authPair[0], authPair[1])) return WRONGPASS;
    client.authenticated = true;
  }
  if (!client.authenticated) {
    return new ErrorReply('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
  }
  if (setName !== null) {
    const bad = validateClientName(setName);
    if (bad) return bad;
    client.name = setName;
  }
  if (ver) client.protocol = ver as 2 | 3;
  return helloReply(client);
};

const quit: Handler = (client) => {
  client.closeAfterReply = true;
  return OK;
};

const reset: Handler = (client) => {
  const server = client.server;
  server.discardTransaction(client);
  server.pubsub.unsubscribeAll(client, false);
  server.pubsub.punsubscribeAll(client, false);
  server.pubsub.sunsubscribeAll(client, false);
  server.monitors.delete(client);
  client.monitor = false;
  client.db = server.databases[0];
  client.protocol = 2;
  client.name = '';
  client.replyMode = 'on';
  client.noEvict = false;
  // lib-name and lib-ver stay: they describe the library behind the connection (7.2's resetCommand).
  client.noTouch = false;
  client.authenticated = !server.requiresAuth();
  client.user = null;
  return new SimpleReply('RESET');
};

const select: Handler = (client, args) => {
  const id = parseInteger(args[1]);
  if (id === null) return new ErrorReply('ERR value is not an integer or out of range');
  if (client.server.cluster !== null && id !== 0) return new ErrorReply('ERR SELECT is not allowed in cluster mode');
  if (id < 0 || id >= client.server.databases.length) return Errors.dbIndexOutOfRange;
  client.db = client.server.databases[id];
  return OK;
};

/** validateClientAttr: printable ASCII without spaces, so CLIENT LIST splits on spaces. */
function isClientAttr(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

function validateClientName(name: string): ErrorReply | null {
  return isClientAttr(name) ? null : new ErrorReply('ERR Client names cannot contain spaces, newlines or special characters.');
}

/** One CLIENT LIST / CLIENT INFO line. */
/** getClientType: the class CLIENT KILL|LIST TYPE and the output limits use. */
function clientType(c: Client): 'master' | 'replica' | 'pubsub' | 'normal' {
  if (c.isMaster) return 'master';
  if (c.isReplica && !c.monitor) return 'replica';
  if (c.inPubSub) return 'pubsub';
  return 'normal';
}

export function clientInfoLine(c: Client): string {
  const now = Date.now();
  // catClientInfoString's order.
  let flags = '';
  if (c.monitor) flags += 'O';
  else if (c.isReplica) flags += 'S';
  if (c.isMaster) flags += 'M';
  if (c.inPubSub) flags += 'P';
  if (c.multi) flags += 'x';
  if (c.blocked) flags += 'b';
  if (c.dirtyCas) flags += 'd';
  if (c.closeAfterReply) flags += 'c';
  if (c.isUnixSocket) flags += 'U';
  if (c.noEvict) flags += 'e';
  if (c.noTouch) flags += 'T';
  if (flags === '') flags = 'N';
  const cmd = c.lastCommand;
  // A replica's output is its share of the replication buffer (Redis's omem for replicas).
  const omem = c.isReplica ? (c.server.replication.replicaOutputMemory?.(c) ?? 0) : 0;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name} ` +
    `age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)} ` +
    `flags=${flags} db=${c.db.id} sub=${c.channels?.size ?? 0} psub=${c.patterns?.size ?? 0} ssub=${c.shardChannels?.size ?? 0} ` +
    `multi=${c.multi ? c.multi.queue.length : -1} qbuf=${c.queryBufferBytes()} qbuf-free=0 argv-mem=0 multi-mem=0 ` +
    `rbs=1024 rbp=0 obl=0 oll=0 omem=${omem} tot-mem=${1024 + omem} events=r cmd=${cmd} user=default redir=-1 resp=${c.protocol} ` +
    // Redis 7.2's last two fields: what CLIENT SETINFO stored.
    `lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}

const clientId: Handler = (client) => client.id;
const clientGetname: Handler = (client) => (client.name === '' ? null : client.name);
const clientSetname: Handler = (client, args) => {
  const bad = validateClientName(args[2]);
  if (bad) return bad;
  client.name = args[2];
  return OK;
};
/** clientSetinfoCommand (7.2): LIB-NAME or LIB-VER; an empty value clears it. */
const clientSetinfo: Handler = (client, args) => {
  const attr = args[2];
  const isName = is(attr, 'lib-name');
  if (!isName && !is(attr, 'lib-ver')) return sanitizedError(`ERR Unrecognized option '${attr}'`);
  if (!isClientAttr(args[3])) return sanitizedError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  if (isName) client.libName = args[3];
  else client.libVer = args[3];
  return OK;
};

/** CLIENT NO-TOUCH ON|OFF (7.2): the client's commands leave keys' access times alone, TOUCH aside. */
const clientNoTouch: Handler = (client, args) => {
  if (is(args[2], 'on')) client.noTouch = true;
  else if (is(args[2], 'off')) client.noTouch = false;
  else return Errors.syntax;
  return OK;
};

const clientInfo: Handler = (client) => new VerbatimReply(clientInfoLine(client) + '\n');

const clientList: Handler = (client, args) => {
  let clients = [...client.server.clients.values()];
  if (args.length === 4 && is(args[2], 'type')) {
    const type = args[3].toLowerCase();
    if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) {
      return new ErrorReply(`ERR Unknown client type '${args[3]}'`);
    }
    const wanted = type === 'slave' ? 'replica' : type;
    clients = clients.filter((c) => clientType(c) === wanted);
  } else if (args.length > 3 && is(args[2], 'id')) {
    const ids: number[] = [];
    for (let j = 3; j < args.length; j++) {
      const id = parseInteger(args[j]);
      if (id === null || id <= 0) return new ErrorReply('ERR Invalid client ID');
      ids.push(id);
    }
    clients = ids.map((id) => client.server.clients.get(id)).filter((c): c is Client => c !== undefined);
  } else if (args.length !== 2) {
    return Errors.syntax;
  }
  return new VerbatimReply(clients.map((c) => clientInfoLine(c) + '\n').join(''));
};

const clientKill: Handler = (client, args) => {
  const server = client.server;
  if (args.length === 3) {
    // Old form: CLIENT KILL addr:port
    const target = [...server.clients.values()].find((c) => c.addr === args[2]);
    if (!target) return new ErrorReply('ERR No such client');
    killClient(client, target);
    return OK;
  }
  let id: number | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let type: string | null = null;
  let skipMe = true;
  let maxAgeSeconds = 0;
  for (let j = 2; j < args.length; j += 2) {
    if (j + 1 >= args.length) return Errors.syntax;
    const opt = args[j].toLowerCase();
    const val = args[j + 1];
    if (opt === 'id') {
      const v = parseInteger(val);
      if (v === null || v <= 0) return new ErrorReply('ERR client-id should be greater than 0');
      id = v;
    } else if (opt === 'maxage') {
      // MAXAGE (7.4): only clients connected for at least this many seconds.
      const v = parseInt64(val);
      if (v === null) return new ErrorReply('ERR maxage is not an integer or out of range');
      if (v <= 0) return new ErrorReply('ERR maxage should be greater than 0');
      maxAgeSeconds = Number(v);
    } else if (opt === 'addr') addr = val;
    else if (opt === 'laddr') laddr = val;
    else if (opt === 'type') {
      const t = val.toLowerCase();
      if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(t)) return new ErrorReply(`ERR Unknown client type '${val}'`);
      type = t;
    } else if (opt === 'user') {
      if (val !== 'default') return new ErrorReply(`ERR No such user '${val}'`);
    } else if (opt === 'skipme') {
      if (is(val, 'yes')) skipMe = true;
      else if (is(val, 'no')) skipMe = false;
      else return Errors.syntax;
    } else return Errors.syntax;
  }
  let killed = 0;
  for (const c of [...server.clients.values()]) {
    if (id !== null && c.id !== id) continue;
    if (addr !== null && c.addr !== addr) continue;
    if (laddr !== null && c.laddr !== laddr) continue;
    if (type !== null && clientType(c) !== (type === 'slave' ? 'replica' : type)) continue;
    if (c === client && skipMe) continue;
    if (maxAgeSeconds !== 0 && Math.floor((server.clock.now - c.createdAt) / 1000) < maxAgeSeconds) continue;
    killClient(client, c);
    killed++;
  }
  return killed;
};

function killClient(self: Client, target: Client): void {
  if (target === self) target.closeAfterReply = true;
  else target.sink?.close(false);
}

const clientReply: Handler = (client, args) => {
  const mode = args[2].toLowerCase();
  if (mode === 'on') {
    client.replyMode = 'on';
    return OK;
  }
  // OFF and SKIP themselves get no reply, as in Redis.
  if (mode === 'off') {
    client.replyMode = 'off';
    return NO_REPLY;
  }
  if (mode === 'skip') {
    if (client.replyMode !== 'off') client.replyMode = 'skip-next';
    return NO_REPLY;
  }
  return Errors.syntax;
};

const clientPause: Handler = (client, args) => {
  const ms = parseInteger(args[2]);
  if (ms === null || ms < 0) return new ErrorReply('ERR timeout is not an integer or out of range');
  let writesOnly = false;
  if (args.length === 4) {
    if (is(args[3], 'write')) writesOnly = true;
    else if (!is(args[3], 'all')) return new ErrorReply('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const server = client.server;
  const until = Date.now() + ms;
  // A new pause never shortens an existing one, and ALL wins over WRITE.
  if (server.pause && server.pause.until > until && (!server.pause.writesOnly || writesOnly)) return OK;
  server.pause = { until, writesOnly: server.pause && !server.pause.writesOnly && server.pause.until > Date.now() ? false : writesOnly };
  setTimeout(() => server.resumeDeferred(), ms + 1).unref();
  return OK;
};

const clientUnpause: Handler = (client) => {
  client.server.pause = null;
  client.server.resumeDeferred();
  return OK;
};

const clientNoEvict: Handler = (client, args) => {
  if (is(args[2], 'on')) client.noEvict = true;
  else if (is(args[2], 'off')) client.noEvict = false;
  else return Errors.syntax;
  return OK;
};

const clientHelp: Handler = () =>
  helpLines('CLIENT', [
    'CACHING (YES|NO)',
    '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
    'GETREDIR',
    '    Return the client ID we are redirecting to when tracking is enabled.',
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'UNPAUSE',
    '    Stop the current client pause, resuming traffic.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Suspend all, or just write, clients for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Control the replies sent to the current connection.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
    '         [OPTIN] [OPTOUT] [NOLOOP]',
    '    Control server assisted client side caching.',
    'TRACKINGINFO',
    '    Report tracking status for the current connection.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
  ]);

/** MONITOR: the client receives every command from now on. */
const monitor: Handler = (client) => {
  if (client.monitor) return OK;
  client.monitor = true;
  client.server.monitors.add(client);
  return OK;
};

export const connectionCommands: Record<string, Handler> = {
  ping,
  echo,
  auth,
  hello,
  quit,
  reset,
  select,
  monitor,
  'client|id': clientId,
  'client|getname': clientGetname,
  'client|setname': clientSetname,
  'client|info': clientInfo,
  'client|list': clientList,
  'client|kill': clientKill,
  'client|reply': clientReply,
  'client|pause': clientPause,
  'client|unpause': clientUnpause,
  'client|no-evict': clientNoEvict,
  'client|no-touch': clientNoTouch,
  'client|setinfo': clientSetinfo,
  'client|help': clientHelp,
};
