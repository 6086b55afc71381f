import { ConfigHash } from './config-hash';
import { ENTITY_COLLECTIONS, emptyEntities, type ConfigEntities, type EntityCollection } from './entity-types';

/**
 * A config as a stream of entity lines, `<collection> <entity JSON>\n`, so that no step of a
 * snapshot (encode, send, receive, hash, persist, load) ever holds the whole config as one string
 * or one buffer: V8 caps a string at ~512 M characters, and one `JSON.stringify` of 1M consumers
 * with 2M keys threw `RangeError: Invalid string length`. Each entity is `JSON.stringify`'d alone,
 * the encoding the config hash is defined over, so the receiver hashes what it was sent.
 */

/** About how many characters of lines one batch holds (a snapshot chunk is one batch, gzipped). */
export const ENTITY_BATCH_CHARS = 2 * 1024 * 1024;

/** The entities as batches of whole lines of about `targetChars` characters each (at least one batch). */
export function* entityLineBatches(entities: ConfigEntities, targetChars = ENTITY_BATCH_CHARS): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  let emitted = false;
  for (const collection of ENTITY_COLLECTIONS) {
    for (const entity of (entities[collection] ?? []) as readonly unknown[]) {
      const line = `${collection} ${JSON.stringify(entity)}\n`;
      parts.push(line);
      size += line.length;
      if (size >= targetChars) {
        yield parts.join('');
        emitted = true;
        parts = [];
        size = 0;
      }
    }
  }
  if (parts.length > 0 || !emitted) yield parts.join('');
}

const COLLECTIONS = new Set<string>(ENTITY_COLLECTIONS);

/**
 * Rebuilds a config from entity-line text fed in pieces of any size (a line may span pieces),
 * hashing every entity as it arrives. Throws naming the line on anything malformed.
 */
export class EntityLineReader {
  readonly hash = new ConfigHash();
  private readonly entities = emptyEntities() as unknown as Record<EntityCollection, unknown[]>;
  private partial = '';
  private lines = 0;

  push(text: string): void {
    let start = 0;
    if (this.partial.length > 0) {
      const end = text.indexOf('\n');
      if (end < 0) {
        this.partial += text;
        return;
      }
      this.line(this.partial + text.slice(0, end));
      start = end + 1;
    }
    for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
      this.line(text.slice(start, end));
      start = end + 1;
    }
    this.partial = text.slice(start);
  }

  /** The config read so far; throws if the text ended inside a line. */
  finish(): ConfigEntities {
    if (this.partial.length > 0) throw new Error(`entity line ${this.lines + 1} is cut short`);
    return this.entities as unknown as ConfigEntities;
  }

  get count(): number {
    return this.lines;
  }

  private line(line: string): void {
    this.lines++;
    const space = line.indexOf(' ');
    const collection = space > 0 ? line.slice(0, space) : '';
    if (!COLLECTIONS.has(collection)) throw new Error(`entity line ${this.lines}: unknown entity type '${collection.slice(0, 40)}'`);
    let entity: unknown;
    try {
      entity = JSON.parse(line.slice(space + 1));
    } catch (err) {
      throw new Error(`entity line ${this.lines} (${collection}): ${(err as Error).message}`);
    }
    this.entities[collection as EntityCollection].push(entity);
    this.hash.add(collection as EntityCollection, entity);
  }
}
