// Record js-yaml's verdict on every front-matter block of blocks.json into verdicts.json.
//
// usage: node tests/oracle/js_yaml/record.mjs [IN OUT]   (installs the pinned js-yaml with
// `npm ci`; IN and OUT default to blocks.json and verdicts.json beside this script)
//
// Obsidian reads a note's front-matter with js-yaml; a block js-yaml rejects loses all of
// its properties. Obsidian's exact call is not public. Every stand-in for Obsidian's
// `parseYaml` found in plugin test suites calls `load(text)` with no options, e.g.
// danielshue/obsidian-vault-copilot packages/obsidian-shim/src/utils/parseYaml.ts
// ("Replicates Obsidian's parseYaml() function": `return load(yamlString)`), so the
// "default" verdict below is that call: js-yaml's DEFAULT_SCHEMA (the YAML 1.2 core types
// plus timestamps, `<<` merge keys, !!binary, !!set, !!omap, !!pairs) and json: false, so
// a duplicated key is an error (Obsidian flags such front-matter as invalid:
// Vasallo94/obsidian-mcp-server#64). Whether Obsidian turns unquoted dates into Date
// objects is uncertain (Dataview's parseFrontmatter accepts both Date objects and strings),
// so the "core" verdict records `load(text, { schema: CORE_SCHEMA })` as well: the same
// parser with the plain YAML 1.2 core types only.
//
// Values are rendered as JSON, with what JSON cannot hold tagged: {"$date": ISO 8601 in
// UTC}, {"$float": "NaN" | "Infinity" | "-Infinity" | "-0"}, {"$binary": base64},
// {"$undefined": true} (an empty document), {"$cycle": true} (a collection that holds
// itself through an alias), {"$too_big": N} (more than 200,000 values
// once aliases are expanded). Errors keep js-yaml's reason and its 1-based line and
// column within the block. TZ is UTC, so a date used as a key is stringified the same way
// on every machine.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.TZ = 'UTC';
const here = dirname(fileURLToPath(import.meta.url));
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const pinned = lock.packages['node_modules/js-yaml'].version;
const installed = join(here, 'node_modules', 'js-yaml', 'package.json');
if (!existsSync(installed) || JSON.parse(readFileSync(installed, 'utf8')).version !== pinned) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: here, stdio: 'inherit' });
}
const yaml = createRequire(join(here, 'package.json'))('js-yaml');

const MAX_VALUES = 200000;

class TooBig extends Error {}

function render(value, counter) {
  counter.n += 1;
  if (counter.n > MAX_VALUES) throw new TooBig();
  if (value === undefined) return { $undefined: true };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $float: 'NaN' };
    if (!Number.isFinite(value)) return { $float: value > 0 ? 'Infinity' : '-Infinity' };
    if (Object.is(value, -0)) return { $float: '-0' };
    return value;
  }
  if (value instanceof Date) {
    return { $date: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() };
  }
  if (value instanceof Uint8Array) return { $binary: Buffer.from(value).toString('base64') };
  if (counter.open.has(value)) return { $cycle: true }; // `a: &r [1, *r]` contains itself
  counter.open.add(value);
  let out;
  if (Array.isArray(value)) {
    out = value.map((item) => render(item, counter));
  } else {
    out = {};
    for (const key of Object.keys(value)) {
      // defineProperty, so that a `__proto__` key stays a key.
      Object.defineProperty(out, key, {
        value: render(value[key], counter), enumerable: true, writable: true, configurable: true,
      });
    }
  }
  counter.open.delete(value);
  return out;
}

function verdict(text, options) {
  let value;
  try {
    value = yaml.load(text, options);
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      return {
        ok: false,
        reason: error.reason,
        line: error.mark ? error.mark.line + 1 : null,
        column: error.mark ? error.mark.column + 1 : null,
      };
    }
    return { ok: false, reason: `${error.name}: ${error.message}`, line: null, column: null };
  }
  const counter = { n: 0, open: new Set() };
  try {
    return { ok: true, value: render(value, counter) };
  } catch (error) {
    if (error instanceof TooBig) return { ok: true, value: { $too_big: MAX_VALUES } };
    throw error;
  }
}

const [input, output] = process.argv.length > 3 ? process.argv.slice(2, 4)
  : [join(here, 'blocks.json'), join(here, 'verdicts.json')];
const blocks = JSON.parse(readFileSync(input, 'utf8'));
const results = blocks.map((block) => ({
  ...block,
  default: verdict(block.text),
  core: verdict(block.text, { schema: yaml.CORE_SCHEMA }),
}));
const document = {
  recorder: 'tests/oracle/js_yaml/record.mjs',
  js_yaml: pinned,
  calls: { default: 'load(text)', core: 'load(text, { schema: CORE_SCHEMA })' },
  blocks: results,
};
// ASCII only, so that control characters and invisible ones show in a diff.
const json = JSON.stringify(document, null, 1)
  .replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
writeFileSync(output, `${json}\n`);
const failed = results.filter((r) => !r.default.ok).length;
console.log(`js-yaml ${pinned}: ${results.length} blocks, ${failed} rejected; wrote ${output}`);
