/**
 * The import order of src/ (STYLE.md, "Shape of the next rooms"). Layers, lowest first:
 *
 *   0 engines      protocol/, keyspace/, lua/
 *   1 specs        commands/spec.ts, commands/table/ (the command table, key extraction)
 *   2 server       server/, commands/registry.ts (name -> entry with its handler, which
 *                  takes a server Client)
 *   3 subsystems   scripting/, persistence/, replication/, cluster/
 *   4 commands     commands/ (the handlers), commands/table/introspection.ts (COMMAND's)
 *   5 entry        cli/, bin/, index.ts (the embedding entry)
 *
 * A module imports from its own layer or lower ones, and no import circle exists anywhere
 * (within a layer too). Type-only imports (`import type`, `import('...')` types) count:
 * they still tie the modules together, and a circle of types is a circle of modules.
 *
 * ALLOWED lists the edges that must wait, each with its reason. The test fails when an
 * allowed edge is gone or no longer needed (neither upward nor on a circle), so the list
 * only shrinks; its size is printed (the target is 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The TypeScript sources (this file runs from dist/test/core/). */
const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

const LAYER_NAMES = ['engines', 'specs', 'server', 'subsystems', 'commands', 'entry'];

/** Files whose layer is not their directory's, checked first. */
const FILE_LAYERS: Record<string, number> = {
  'commands/spec.ts': 1,
  'commands/registry.ts': 2,
  'commands/table/introspection.ts': 4,
  'index.ts': 5,
};

/** Directory prefixes and their layers. */
const DIR_LAYERS: [string, number][] = [
  ['protocol/', 0],
  ['keyspace/', 0],
  ['lua/', 0],
  ['commands/table/', 1],
  ['server/', 2],
  ['scripting/', 3],
  ['persistence/', 3],
  ['replication/', 3],
  ['cluster/', 3],
  ['commands/', 4],
  ['cli/', 5],
  ['bin/', 5],
];

/** Edges that must wait: [importer, imported, reason] (paths relative to src/). */
const ALLOWED: [string, string, string][] = [
  // Server and the services it holds name each other (type-only).
  ['server/client.ts', 'server/server.ts', 'Client reaches everything through client.server'],
  ['server/acl.ts', 'server/server.ts', 'aclStore(server) keeps the users on the server'],
  ['server/eviction.ts', 'server/server.ts', 'eviction reads the policy and databases of the server'],
  ['server/propagation.ts', 'server/server.ts', 'the propagator hangs off the server'],
  ['lua/value.ts', 'lua/table.ts', 'a Lua value may be a table, whose entries are Lua values'],
];

function layerOf(file: string): number | undefined {
  if (file in FILE_LAYERS) return FILE_LAYERS[file];
  for (const [prefix, layer] of DIR_LAYERS) if (file.startsWith(prefix)) return layer;
  return undefined;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** src-relative path with forward slashes. */
const rel = (p: string) => path.relative(SRC, p).split(path.sep).join('/');

/**
 * file -> the src files it imports. TypeScript's own scanner finds every `import ... from`,
 * `import type ... from`, `export ... from`, `import '...'` and `import('...')`, and skips
 * comments and strings. Only relative specifiers name src files ('node:fs' etc. do not).
 */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const abs of sourceFiles(SRC)) {
    const targets = new Set<string>();
    const info = ts.preProcessFile(fs.readFileSync(abs, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      targets.add(rel(path.resolve(path.dirname(abs), fileName.replace(/\.js$/, '.ts'))));
    }
    graph.set(rel(abs), targets);
  }
  return graph;
}

/** Tarjan's strongly connected components with more than one file (or a self-import). */
function circles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || graph.get(v)!.has(v)) found.push(scc.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** One shortest circle through `start` inside `scc` (breadth-first), for the message. */
function circleThrough(graph: Map<string, Set<string>>, scc: string[], start: string): string[] {
  const inside = new Set(scc);
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = from.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

const edgeKey = (from: string, to: string) => `${from} -> ${to}`;
const allowed = new Map(ALLOWED.map(([from, to, reason]) => [edgeKey(from, to), reason]));

function withoutAllowed(graph: Map<string, Set<string>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [from, targets] of graph) out.set(from, new Set([...targets].filter((to) => !allowed.has(edgeKey(from, to)))));
  return out;
}

const graph = importGraph();

test('every source file under src/ has a layer', () => {
  assert.ok(graph.size > 50, `found only ${graph.size} files under ${SRC}`);
  const unplaced = [...graph.keys()].filter((f) => layerOf(f) === undefined);
  assert.deepEqual(unplaced, [], 'add these to FILE_LAYERS or DIR_LAYERS');
  const missing: string[] = [];
  for (const [from, targets] of graph) for (const to of targets) if (!graph.has(to)) missing.push(edgeKey(from, to));
  assert.deepEqual(missing, [], 'imports of files that do not exist');
});

test('no module imports from a higher layer', () => {
  const upward: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = layerOf(from)!;
      const b = layerOf(to)!;
      if (b > a && !allowed.has(edgeKey(from, to))) upward.push(`${edgeKey(from, to)} (${LAYER_NAMES[a]} -> ${LAYER_NAMES[b]})`);
    }
  }
  assert.deepEqual(upward, []);
});

test('no import circle', () => {
  const g = withoutAllowed(graph);
  const found = circles(g).map((scc) => {
    const edges = scc.flatMap((v) => [...g.get(v)!].filter((w) => scc.includes(w)).map((w) => edgeKey(v, w)));
    return `${scc.length} files: ${circleThrough(g, scc, scc[0]).join(' -> ')}\n    edges inside: ${edges.join(', ')}`;
  });
  assert.deepEqual(found, []);
});

test('the allow-list only holds edges that exist and are still needed', (t) => {
  t.diagnostic(`allow-list: ${ALLOWED.length} edges (target 0)`);
  const inCircle = new Map<string, number>();
  circles(graph).forEach((scc, i) => scc.forEach((f) => inCircle.set(f, i)));
  const stale: string[] = [];
  for (const [from, to, reason] of ALLOWED) {
    assert.ok(reason.length > 0, `${edgeKey(from, to)} needs a reason`);
    if (!graph.get(from)?.has(to)) {
      stale.push(`${edgeKey(from, to)}: gone, remove it from ALLOWED`);
      continue;
    }
    const upward = layerOf(to)! > layerOf(from)!;
    const circular = inCircle.has(from) && inCircle.get(from) === inCircle.get(to);
    if (!upward && !circular) stale.push(`${edgeKey(from, to)}: neither upward nor on a circle, remove it from ALLOWED`);
  }
  assert.deepEqual(stale, []);
  assert.equal(allowed.size, ALLOWED.length, 'ALLOWED lists an edge twice');
});
