import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

// Nest narrates every route it maps at start: useful when debugging, noise in production logs.
const CHATTY_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

/** Nest's logger interface onto pino: one JSON line per event, with the Nest context as a field. */
export class PinoNestLogger implements LoggerService {
  private readonly pino: Logger;

  constructor(level: string) {
    this.pino = pino({ level: level === 'silent' ? 'silent' : level, base: { role: 'control-plane', pid: process.pid } });
  }

  log(message: unknown, context?: string): void {
    if (context && CHATTY_CONTEXTS.has(context)) this.pino.debug({ context }, String(message));
    else this.pino.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.pino.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.pino.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.pino.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.pino.trace({ context }, String(message));
  }
}
