/**
 * The EU DCC JSON schema check of an HC1 payload, by the schema version it declares.
 * Mirrors app/credentials/dccschema.py: the same schema files (pwa/vendor/dcc-schema, the eHN
 * DCC schema project's combined schemas, Apache-2.0), the same choice of release, the same
 * first violation (path and rule) and the same three rules on top of the schema.
 *
 * The validator is ours, for the keywords those schemas use ($ref to #/$defs, type,
 * properties, required, items, minItems, maxItems, minimum, maximum, pattern, oneOf, anyOf),
 * visited in the order jsonschema visits them (schema keyword order, then property order of
 * the schema, then item order), so that the first error is the same one. `format` is an
 * annotation (JSON Schema 2020-12's default, and the EU test harness's), and `maxLength` is
 * not asserted: see the Python module for why.
 */
import { SchemaError } from './errors.js';
import { CborFloat, SimpleValue, Tagged } from './cbor.js';

/** The releases vendored under pwa/vendor/dcc-schema, oldest first, with their file names. */
export const SCHEMA_FILES = Object.freeze({
  '1.0.0': 'DGC.combined-schema.json',
  '1.0.1': 'DGC.combined-schema.json',
  '1.1.0': 'DGC.combined-schema.json',
  '1.2.0': 'DGC.combined-schema.json',
  '1.2.1': 'DCC.combined-schema.json',
  '1.3.0': 'DCC.combined-schema.json',
  '1.3.1': 'DCC.combined-schema.json',
  '1.3.2': 'DCC.combined-schema.json',
  '1.3.3': 'DCC.combined-schema.json',
});

const KINDS = ['v', 't', 'r'];
const ENTRY_DEFS = { v: 'vaccination_entry', t: 'test_entry', r: 'recovery_entry' };
const VERSION = /^([0-9]+)\.([0-9]+)\.([0-9]+)$/;
const DOB_PREFIX = /^([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?/;
const SCHEMA_BASE = new URL('../../vendor/dcc-schema/', import.meta.url);

/** A CBOR value with no JSON counterpart: it fails every `type` rule. */
class NotJson {
  constructor(what) {
    this.what = what;
  }
}

async function readJson(url) {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return JSON.parse(await readFile(url, 'utf8'));
  }
  const response = await fetch(url.href);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return response.json();
}

let loading = null;

/**
 * The vendored schemas, fetched once (the service worker keeps them for offline use).
 * @returns {Promise<Map<string, object>>} version -> combined schema document
 */
export function loadSchemas() {
  if (loading === null) {
    loading = Promise.all(
      Object.entries(SCHEMA_FILES).map(async ([version, file]) => [
        version,
        await readJson(new URL(`${version}/${file}`, SCHEMA_BASE)),
      ]),
    ).then((pairs) => new Map(pairs));
    loading.catch(() => {
      loading = null; // a failed fetch is tried again on the next certificate
    });
  }
  return loading;
}

function versionKey(version) {
  const m = VERSION.exec(version);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The schema for a declared `ver`: [version, note]. Mirrors choose_schema(). */
export function chooseSchema(ver, versions) {
  if (typeof ver === 'string' && versions.includes(ver)) return [ver, ''];
  const newest = versions[versions.length - 1];
  if (typeof ver === 'string' && VERSION.test(ver)) {
    const [major, minor] = versionKey(ver);
    const line = versions.filter((v) => {
      const key = versionKey(v);
      return key[0] === major && key[1] === minor;
    });
    const used = line.length ? line[line.length - 1] : newest;
    return [used, `ver ${ver} unknown: checked against ${used}`];
  }
  const shown = ver === null || ver === undefined ? 'missing' : 'unreadable';
  return [newest, `ver ${shown}: checked against ${newest}`];
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** The hcert as JSON would hold it: maps as Maps with text keys, CBOR's extras as NotJson. */
export function asJson(value) {
  if (value instanceof Map) {
    const out = new Map();
    for (const [key, item] of value) {
      if (typeof key !== 'string') return new NotJson('map with a key that is not text');
      out.set(key, asJson(item));
    }
    return out;
  }
  if (Array.isArray(value)) return value.map(asJson);
  if (value instanceof Tagged) return taggedDate(value);
  if (value instanceof CborFloat) return finite(value.valueOf());
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return finite(value);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof SimpleValue) return new NotJson('simple value');
  return new NotJson(value === undefined ? 'undefined' : 'bytes');
}

function finite(number) {
  return Number.isFinite(number) ? number : new NotJson('a number that is not finite');
}

// The date tags cbor2 turns into date/datetime objects, which the Python side writes as text.
function taggedDate({ tag, value }) {
  if (tag === 0 || tag === 1004) return value;
  if (tag === 1) return new Date(Number(value) * 1000).toISOString();
  if (tag === 100) {
    const day = new Date(Number(value) * 86400000);
    return `${pad(day.getUTCFullYear(), 4)}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
  }
  return new NotJson(`tag ${tag}`);
}

const patterns = new Map();
function matches(pattern, text) {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern, 'u');
    patterns.set(pattern, regex);
  }
  return regex.test(text);
}

function isType(instance, type) {
  switch (type) {
    case 'object':
      return instance instanceof Map;
    case 'array':
      return Array.isArray(instance);
    case 'string':
      return typeof instance === 'string';
    case 'integer':
      return typeof instance === 'number' && Number.isInteger(instance);
    case 'number':
      return typeof instance === 'number';
    case 'boolean':
      return typeof instance === 'boolean';
    case 'null':
      return instance === null;
    default:
      return false;
  }
}

function isTypeAny(instance, type) {
  return Array.isArray(type) ? type.some((t) => isType(instance, t)) : isType(instance, type);
}

function resolve(root, ref) {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .reduce((node, part) => node[part.replace(/~1/g, '/').replace(/~0/g, '~')], root);
}

/** Every violation, in jsonschema's order: {path: Array, rule, value}. */
function* violations(schema, instance, path, root) {
  for (const [keyword, value] of Object.entries(schema)) {
    switch (keyword) {
      case '$ref':
        yield* violations(resolve(root, value), instance, path, root);
        break;
      case 'type':
        if (!isTypeAny(instance, value)) yield { path, rule: 'type', value };
        break;
      case 'properties':
        if (instance instanceof Map) {
          for (const [name, sub] of Object.entries(value)) {
            if (instance.has(name)) yield* violations(sub, instance.get(name), [...path, name], root);
          }
        }
        break;
      case 'required':
        if (instance instanceof Map) {
          for (const name of value) {
            if (!instance.has(name)) yield { path: [...path, name], rule: 'required', value };
          }
        }
        break;
      case 'items':
        if (Array.isArray(instance)) {
          for (let i = 0; i < instance.length; i += 1) {
            yield* violations(value, instance[i], [...path, i], root);
          }
        }
        break;
      case 'minItems':
        if (Array.isArray(instance) && instance.length < value) yield { path, rule: keyword, value };
        break;
      case 'maxItems':
        if (Array.isArray(instance) && instance.length > value) yield { path, rule: keyword, value };
        break;
      case 'minimum':
        if (typeof instance === 'number' && instance < value) yield { path, rule: keyword, value };
        break;
      case 'maximum':
        if (typeof instance === 'number' && instance > value) yield { path, rule: keyword, value };
        break;
      case 'pattern':
        if (typeof instance === 'string' && !matches(value, instance)) {
          yield { path, rule: keyword, value };
        }
        break;
      case 'oneOf': {
        const passing = value.filter((sub) => violations(sub, instance, path, root).next().done);
        if (passing.length !== 1) yield { path, rule: keyword, value };
        break;
      }
      case 'anyOf':
        if (!value.some((sub) => violations(sub, instance, path, root).next().done)) {
          yield { path, rule: keyword, value };
        }
        break;
      default: // annotations: title, description, format, examples, $comment, maxLength...
    }
  }
}

/** The broken rule in words, never with the value itself. Mirrors rule_message(). */
export function ruleMessage(rule, value) {
  switch (rule) {
    case 'type':
      return `must be of type ${value}`;
    case 'required':
      return 'is required';
    case 'minimum':
      return `must be at least ${value}`;
    case 'maximum':
      return `must be at most ${value}`;
    case 'minItems':
      return `must hold at least ${value} entries`;
    case 'maxItems':
      return `must hold at most ${value} entries`;
    case 'pattern':
      return `must match ${value}`;
    case 'oneOf':
      return "must match exactly one of the schema's forms";
    case 'anyOf':
      return "matches none of the schema's forms";
    default:
      return `breaks ${rule}`;
  }
}

/** ['v', 0, 'dn'] -> 'v[0].dn'; the root is '(root)'. */
export function pathText(path) {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${part}` : String(part);
  }
  return text || '(root)';
}

function fail(path, rule, message, version) {
  const where = pathText(path);
  const error = new SchemaError(`${where}: ${message} (${rule}, schema ${version})`);
  error.path = where;
  error.rule = rule;
  error.version = version;
  return error;
}

/**
 * Validate an hcert (claim -260 key 1, a Map) against its schema release.
 * @param {Map} hcert
 * @param {Map<string, object>} schemas from loadSchemas()
 * @param {{year: number, month: number, day: number}|null} issuedOn
 * @returns {{version: string, note: string}}
 * @throws {SchemaError} with path, rule and version of the first violation
 */
export function checkHcert(hcert, schemas, issuedOn = null) {
  const versions = [...schemas.keys()];
  let document = asJson(hcert);
  if (!(document instanceof Map)) {
    throw fail([], 'type', 'not a map with text keys', versions[versions.length - 1]);
  }
  document = new Map([...document].filter(([k, v]) => !(KINDS.includes(k) && v === null)));
  const [version, note] = chooseSchema(document.has('ver') ? document.get('ver') : null, versions);
  const root = schemas.get(version);
  const first = violations(root, document, [], root).next();
  if (!first.done) {
    const { path, rule, value } = first.value;
    throw fail(path, rule, ruleMessage(rule, value), version);
  }
  const kinds = KINDS.filter((kind) => document.has(kind));
  if (kinds.length !== 1) {
    throw fail([], 'one_kind', `needs exactly one of v, t, r, has ${kinds.length}`, version);
  }
  const kind = kinds[0];
  const required = root.$defs[ENTRY_DEFS[kind]].required || [];
  document.get(kind).forEach((entry, index) => {
    if (!(entry instanceof Map)) return;
    for (const key of required) {
      if (entry.get(key) === '') {
        throw fail([kind, index, key], 'non_empty', 'is required, so not empty', version);
      }
    }
  });
  const name = document.get('nam');
  if (name instanceof Map && !name.get('fnt') && !name.get('gnt')) {
    throw fail(['nam'], 'non_empty', 'needs a standardised name (fnt or gnt)', version);
  }
  const dob = document.get('dob');
  const m = issuedOn && typeof dob === 'string' ? DOB_PREFIX.exec(dob) : null;
  if (m) {
    const earliest = Number(m[1]) * 10000 + Number(m[2] || 1) * 100 + Number(m[3] || 1);
    const issued = issuedOn.year * 10000 + issuedOn.month * 100 + issuedOn.day;
    if (earliest > issued) {
      const day = `${pad(issuedOn.year, 4)}-${pad(issuedOn.month)}-${pad(issuedOn.day)}`;
      throw fail(['dob'], 'not_after_issue', `is after the issue date ${day}`, version);
    }
  }
  return { version, note };
}
