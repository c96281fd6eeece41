/**
 * Differential corpus: every snippet in test/lua/corpus/*.lua (separated by "--!!"
 * lines) runs through lua5.1 and through the engine; printed output and uncaught
 * error messages must match exactly.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { oracleAvailable, runEngine, runOracle } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
// compiled to dist/test/lua; the corpus stays in the source tree
const corpusDir = join(here, '..', '..', '..', 'test', 'lua', 'corpus');

export function loadSnippets(): { file: string; index: number; source: string }[] {
  const out: { file: string; index: number; source: string }[] = [];
  for (const file of readdirSync(corpusDir).filter((f) => f.endsWith('.lua')).sort()) {
    const text = readFileSync(join(corpusDir, file), 'latin1');
    text.split(/^--!!.*\n/m).forEach((source, index) => out.push({ file, index, source }));
  }
  return out;
}

for (const { file, index, source } of loadSnippets()) {
  test(`corpus ${file} #${index}`, (t) => {
    if (!oracleAvailable) {
      t.skip('lua5.1 not installed');
      return;
    }
    assert.equal(runEngine(source), runOracle(source), source);
  });
}
