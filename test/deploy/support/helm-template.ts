/**
 * A renderer for the subset of Helm's Go templates that deploy/helm/tollgate uses, so its
 * manifests can be checked here with no helm binary: actions with `{{-`/`-}}` trimming,
 * `if`/`else`/`end`, `range $x := ...`, `define`/`include`, pipelines, and the functions
 * include, toYaml, nindent, indent, quote, b64enc, required, default, not, eq, add and mul.
 * Anything outside the subset throws, so the chart cannot drift past what is checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

type Value = unknown;
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: string }
  | { kind: 'if'; pipeline: string; then: Node[]; otherwise: Node[] }
  | { kind: 'range'; variable: string; pipeline: string; body: Node[] };
interface Scope {
  readonly dot: Value;
  readonly root: Value;
  readonly vars: Record<string, Value>;
}

const ACTION = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs;

function tokenize(source: string): (string | { action: string })[] {
  const parts: (string | { action: string })[] = [];
  let last = 0;
  let trimNext = false;
  for (const match of source.matchAll(ACTION)) {
    let text = source.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1] === '-') text = text.replace(/\s+$/, '');
    parts.push(text, { action: match[2] });
    trimNext = match[3] === '-';
    last = match.index! + match[0].length;
  }
  parts.push(trimNext ? source.slice(last).replace(/^\s+/, '') : source.slice(last));
  return parts;
}

/** Parses until `end` (or `else`); returns the nodes and what stopped it. */
function parse(parts: (string | { action: string })[], defines: Map<string, Node[]>, inBlock: boolean): { nodes: Node[]; stop: 'end' | 'else' | 'eof' } {
  const nodes: Node[] = [];
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (typeof part === 'string') {
      if (part) nodes.push({ kind: 'text', text: part });
      continue;
    }
    const action = part.action;
    if (action.startsWith('/*')) continue;
    if (action === 'end' || action === 'else') {
      if (!inBlock) throw new Error(`'${action}' outside a block`);
      return { nodes, stop: action };
    }
    let m: RegExpExecArray | null;
    if ((m = /^define "([^"]+)"$/.exec(action))) {
      defines.set(m[1], expect(parse(parts, defines, true), 'end').nodes);
    } else if ((m = /^if (.+)$/.exec(action))) {
      const then = parse(parts, defines, true);
      const otherwise = then.stop === 'else' ? expect(parse(parts, defines, true), 'end').nodes : [];
      nodes.push({ kind: 'if', pipeline: m[1], then: then.nodes, otherwise });
    } else if ((m = /^range (\$\w+) := (.+)$/.exec(action))) {
      nodes.push({ kind: 'range', variable: m[1], pipeline: m[2], body: expect(parse(parts, defines, true), 'end').nodes });
    } else if (/^(range|with|template|block|else if)\b/.test(action)) {
      throw new Error(`template action outside the supported subset: {{ ${action} }}`);
    } else {
      nodes.push({ kind: 'action', pipeline: action });
    }
  }
  if (inBlock) throw new Error('unterminated block');
  return { nodes, stop: 'eof' };
}

function expect(result: { nodes: Node[]; stop: string }, stop: string): { nodes: Node[] } {
  if (result.stop !== stop) throw new Error(`expected {{ ${stop} }}, got ${result.stop}`);
  return result;
}

function words(command: string): string[] {
  return command.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function truthy(value: Value): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

class Renderer {
  readonly defines = new Map<string, Node[]>();
  private readonly functions: Record<string, (...args: Value[]) => Value> = {
    include: (name, dot) => this.render(this.defines.get(String(name)) ?? fail(`no template named ${String(name)}`), { dot, root: this.root, vars: {} }),
    toYaml: (value) => stringify(value).replace(/\n$/, ''),
    nindent: (n, text) => `\n${indent(Number(n), String(text))}`,
    indent: (n, text) => indent(Number(n), String(text)),
    quote: (value) => JSON.stringify(value === undefined || value === null ? '' : String(value)),
    b64enc: (value) => Buffer.from(String(value ?? '')).toString('base64'),
    required: (message, value) => (truthy(value) ? value : fail(String(message))),
    default: (fallback, value) => (truthy(value) ? value : fallback),
    not: (value) => !truthy(value),
    eq: (a, b) => a === b,
    add: (a, b) => Number(a) + Number(b),
    mul: (a, b) => Number(a) * Number(b),
  };

  constructor(private readonly root: Value) {}

  render(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'action') out += stringOf(this.pipeline(node.pipeline, scope));
      else if (node.kind === 'if') out += this.render(truthy(this.pipeline(node.pipeline, scope)) ? node.then : node.otherwise, scope);
      else {
        const items = this.pipeline(node.pipeline, scope);
        if (!Array.isArray(items)) throw new Error(`range over a non-list: ${node.pipeline}`);
        for (const item of items) out += this.render(node.body, { ...scope, vars: { ...scope.vars, [node.variable]: item } });
      }
    }
    return out;
  }

  private pipeline(pipeline: string, scope: Scope): Value {
    let result: Value = undefined;
    pipeline.split(/\s*\|\s*/).forEach((command, index) => {
      const [head, ...rest] = words(command);
      const args = rest.map((word) => this.operand(word, scope));
      if (index > 0) args.push(result);
      if (head in this.functions) result = this.functions[head](...args);
      else if (args.length === 0) result = this.operand(head, scope);
      else throw new Error(`unknown function '${head}' in {{ ${pipeline} }}`);
    });
    return result;
  }

  private operand(word: string, scope: Scope): Value {
    if (word.startsWith('"')) return JSON.parse(word);
    if (/^-?\d+$/.test(word)) return Number(word);
    if (word === '.') return scope.dot;
    if (word === '$') return scope.root;
    const m = /^(\$\w*)?((?:\.\w+)*)$/.exec(word);
    if (!m) throw new Error(`cannot evaluate '${word}'`);
    let value: Value = m[1] === undefined ? scope.dot : m[1] === '$' ? scope.root : (scope.vars[m[1]] ?? fail(`undefined variable ${m[1]}`));
    for (const key of m[2].split('.').slice(1)) value = value === null || value === undefined ? undefined : (value as Record<string, Value>)[key];
    return value;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

function indent(n: number, text: string): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(n) + line)
    .join('\n');
}

function stringOf(value: Value): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export interface ChartRelease {
  readonly name: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
}

/** `helm template`: every manifest of the chart for these values, parsed. */
export function renderChart(chartDir: string, release: ChartRelease): Record<string, unknown>[] {
  const chart = (parseAllDocuments(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'))[0].toJS() ?? {}) as Record<string, unknown>;
  const root = {
    Values: release.values,
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const renderer = new Renderer(root);
  const files = readdirSync(join(chartDir, 'templates')).sort();
  const parsed = files.map((file) => ({ file, nodes: parse(tokenize(readFileSync(join(chartDir, 'templates', file), 'utf8')), renderer.defines, false).nodes }));
  const manifests: Record<string, unknown>[] = [];
  for (const { file, nodes } of parsed) {
    if (!file.endsWith('.yaml')) continue;
    const text = renderer.render(nodes, { dot: root, root, vars: {} });
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}\n${text}`);
      const manifest = doc.toJS() as Record<string, unknown> | null;
      if (manifest !== null) manifests.push(manifest);
    }
  }
  return manifests;
}
