import { USAGE_BATCH_FORMAT, type UsageBatch } from '@tollgate/usage';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageJournal } from './usage-journal';

function batch(seq: number): UsageBatch {
  return { format: USAGE_BATCH_FORMAT, id: `n:b:${seq}`, node_id: 'n', boot_id: 'b', seq, region: 'default', flushed_at: seq, rows: [] };
}

async function readAll(journal: UsageJournal): Promise<number[]> {
  const seqs: number[] = [];
  for (let entry = journal.oldest(); entry !== null; entry = journal.oldest()) {
    const b = await journal.read(entry);
    if (b) seqs.push(b.seq);
    await journal.remove(entry);
  }
  return seqs;
}

describe('UsageJournal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives batches back oldest first, also to the next process that opens it', async () => {
    const first = await UsageJournal.open(dir, 1 << 20);
    await Promise.all([1, 2, 3, 4, 5].map((seq) => first.append(batch(seq))));
    const entry = first.oldest()!;
    await first.remove(entry);
    const second = await UsageJournal.open(dir, 1 << 20);
    expect(second.size().batches).toBe(4);
    await second.append(batch(6));
    expect(await readAll(second)).toEqual([2, 3, 4, 5, 6]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is bounded: a batch that would pass the limit is refused, and accepted again once there is room', async () => {
    const size = Buffer.byteLength(JSON.stringify(batch(1)));
    const journal = await UsageJournal.open(dir, size * 2 + 1);
    expect(await journal.append(batch(1))).toBe(true);
    expect(await journal.append(batch(2))).toBe(true);
    expect(await journal.append(batch(3))).toBe(false);
    await journal.remove(journal.oldest()!);
    expect(await journal.append(batch(4))).toBe(true);
    expect(await readAll(journal)).toEqual([2, 4]);
  });

  it('drops half-written temporary files and sets unreadable entries aside', async () => {
    writeFileSync(join(dir, '0000000000000001.batch.tmp'), '{"trunc');
    writeFileSync(join(dir, '0000000000000002.batch'), 'not json');
    const journal = await UsageJournal.open(dir, 1 << 20);
    await journal.append(batch(9));
    expect(await readAll(journal)).toEqual([9]);
    expect(readdirSync(dir)).toEqual(['0000000000000002.batch.corrupt']);
  });
});
