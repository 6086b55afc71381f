import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandIo } from './command-runner';
import { configValidateCommand } from './config-validate.command';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

const GOOD = `_format_version: "3.0"
services:
  - name: orders
    url: http://orders.internal:8080
    routes:
      - name: orders-read
        paths: [/orders]
        plugins:
          - name: rate-limiting
            config: { minute: 10, policy: local }
consumers:
  - username: alice
    keyauth_credentials:
      - key: alice-key
`;

const BAD = `_format_version: "3.0"
services:
  - name: orders
    host: orders.internal
    port: 99999
    routes:
      - name: orders-read
        paths: [orders]
routes:
  - name: stray
    service: billing
    paths: [/stray]
plugins:
  - name: rate-limiting
    config: { minute: "often" }
`;

describe('tollgate config validate', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-validate-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('exits 0 with a one-line count of the entities of a valid file', async () => {
    const path = file('good.yml', GOOD);
    const io = capture();
    expect(await configValidateCommand({ file: path }, io)).toBe(0);
    expect(io.stdout).toEqual([`${path} is valid: 1 services, 1 routes, 1 consumers, 1 plugins, 1 keyauth_credentials`]);
    expect(io.stderr).toEqual([]);
  });

  it('exits 1 listing every error with its entity, path and message', async () => {
    const path = file('bad.yml', BAD);
    const io = capture();
    expect(await configValidateCommand({ file: path }, io)).toBe(1);
    const [head, ...lines] = io.stderr.join('\n').split('\n');
    expect(head).toBe(`error: ${path} is not a valid declarative config (4 errors):`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}- services\[0\] \(services 'orders'\): .*port/),
        expect.stringMatching(/^ {2}- services\[0\]\.routes\[0\] \(routes 'orders-read'\): .*paths/),
        expect.stringMatching(/^ {2}- routes\[0\] \(routes 'stray'\): .*service.*billing/),
        expect.stringMatching(/^ {2}- plugins\[0\] \(plugins 'rate-limiting'\): .*config\.minute/),
      ]),
    );
    expect(io.stdout).toEqual([]);
  });

  it('names the file when it cannot be read', async () => {
    const io = capture();
    expect(await configValidateCommand({ file: join(dir, 'missing.yml') }, io)).toBe(1);
    expect(io.stderr).toEqual([`error: cannot read ${join(dir, 'missing.yml')}: no such file or directory`]);
  });

  it('reports YAML that does not parse, without a stack trace', async () => {
    const io = capture();
    expect(await configValidateCommand({ file: file('broken.yml', '_format_version: "3.0"\nservices: [\n') }, io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/not a valid declarative config \(\d+ errors?\):\n {2}- document: invalid YAML/);
    expect(io.stderr.join('\n')).not.toMatch(/\n\s+at /);
  });
});
