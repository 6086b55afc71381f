import { ConfigHash, emptyEntities, type ConfigEntities } from '@tollgate/config';
import type { Delta } from '@tollgate/protocol';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDiskConfig } from './disk-config';
import { ReconnectBackoff } from './reconnect-backoff';
import { SnapshotFile } from './snapshot-file';
import { DeltaError, SyncedConfig } from './synced-config';

const consumer = (n: number, username = `c${n}`) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, created_at: 1, updated_at: 1, username, custom_id: null, tags: null });
const entities = (...cs: ReturnType<typeof consumer>[]): ConfigEntities => ({ ...emptyEntities(), consumers: cs });

function deltaTo(from: number, to: number, target: ConfigEntities, upserts: ReturnType<typeof consumer>[], deletes: string[]): Delta {
  return {
    from_version: from,
    to_version: to,
    hash: ConfigHash.of(target).hex(),
    upserts: upserts.map((c) => ({ entity: 'consumers', id: c.id, json: Buffer.from(JSON.stringify(c)) })),
    deletes: deletes.map((id) => ({ entity: 'consumers', id })),
  };
}

describe('SyncedConfig', () => {
  it('applies a delta onto the target hash and names what changed', () => {
    const base = SyncedConfig.of(1, entities(consumer(1), consumer(2)));
    const target = entities(consumer(2, 'renamed'), consumer(3));
    const { config, changed } = base.applyDelta(deltaTo(1, 4, target, [consumer(2, 'renamed'), consumer(3)], [consumer(1).id]));
    expect(config.version).toBe(4);
    expect(config.hash).toBe(ConfigHash.of(target).hex());
    expect(config.entities().consumers.map((c) => c.username).sort()).toEqual(['c3', 'renamed']);
    expect([...changed]).toEqual(['consumers']);
  });

  it('reverts a delta the runtime refused, restoring the config it was applied to', () => {
    const config = SyncedConfig.of(1, entities(consumer(1), consumer(2)));
    const applied = config.applyDelta(deltaTo(1, 2, entities(consumer(2), consumer(3)), [consumer(3)], [consumer(1).id]));
    applied.revert();
    expect(config.entities().consumers.map((c) => c.username).sort()).toEqual(['c1', 'c2']);
    expect(config.hash).toBe(ConfigHash.of(entities(consumer(1), consumer(2))).hex());
    expect(config.applyDelta(deltaTo(1, 2, entities(consumer(1)), [], [consumer(2).id])).config.entities().consumers).toHaveLength(1);
  });

  it('refuses a delta from another version, or one that misses its hash, changing nothing', () => {
    const config = SyncedConfig.of(1, entities(consumer(1), consumer(2)));
    expect(() => config.applyDelta(deltaTo(2, 3, entities(), [], []))).toThrow(DeltaError);
    expect(() => config.applyDelta({ ...deltaTo(1, 2, entities(consumer(1)), [], [consumer(2).id]), hash: '0'.repeat(32) })).toThrow(/expected/);
    expect(config.entities().consumers).toHaveLength(2);
  });
});

describe('SnapshotFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tollgate-snap-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replays journaled deltas, and stops at a line torn by a crash', async () => {
    const file = new SnapshotFile(dir);
    const first = entities(consumer(1));
    await file.save({ version: 1, hash: ConfigHash.of(first).hex(), entities: first });
    await file.appendDelta(deltaTo(1, 2, entities(consumer(1), consumer(2)), [consumer(2)], []));
    appendFileSync(file.journalPath, '{"from_version":2,"to_ver');
    const loaded = await loadDiskConfig(new SnapshotFile(dir));
    expect(loaded?.version).toBe(2);
    expect(loaded?.entities().consumers).toHaveLength(2);
  });

  it('reads a disk copy written before the entity-line layout (the whole snapshot on one line)', async () => {
    const first = entities(consumer(1));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 4, hash: ConfigHash.of(first).hex(), entities: first }));
    const loaded = await loadDiskConfig(new SnapshotFile(dir));
    expect(loaded?.version).toBe(4);
    expect(loaded?.hash).toBe(ConfigHash.of(first).hex());
  });

  it('is null when absent and names the file when corrupt', async () => {
    expect(await loadDiskConfig(new SnapshotFile(dir))).toBeNull();
    writeFileSync(join(dir, 'config.json'), '{not json');
    await expect(new SnapshotFile(dir).load()).rejects.toThrow(/config\.json: not a valid config snapshot/);
  });
});

describe('ReconnectBackoff', () => {
  it('grows exponentially with jitter, caps, and resets', () => {
    const backoff = new ReconnectBackoff(100, 1000, () => 1);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400, 800, 1000]);
    backoff.reset();
    expect(new ReconnectBackoff(100, 1000, () => 0).next()).toBe(50);
  });
});
