import type { PluginHandler } from '../plugin-handler';
import { jsonResponse } from '../plugin-handler';
import { BOT_RULES } from './rules';
import { botDetectionSchema } from './schema';

export interface BotDetectionConfig {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

export interface PreparedBotDetection {
  readonly allow: readonly RegExp[];
  readonly deny: readonly RegExp[];
  /** Verdict per User-Agent (true: refused), as Kong's per-config LRU of 10,000. */
  readonly verdicts: Map<string, boolean>;
}

const FORBIDDEN = jsonResponse(403, 'Forbidden');
const VERDICTS = 10_000;
const BOTS: readonly RegExp[] = BOT_RULES.map((rule) => new RegExp(rule));

function prepare(config: BotDetectionConfig): PreparedBotDetection {
  return { allow: config.allow.map((r) => new RegExp(r)), deny: config.deny.map((r) => new RegExp(r)), verdicts: new Map() };
}

/** Kong's order: allowed first, then denied, then the bot rules. */
function refused(userAgent: string, conf: PreparedBotDetection): boolean {
  const agent = userAgent.trim();
  if (conf.allow.some((rule) => rule.test(agent))) return false;
  if (conf.deny.some((rule) => rule.test(agent))) return true;
  return BOTS.some((rule) => rule.test(agent));
}

export const botDetectionHandler: PluginHandler<BotDetectionConfig, PreparedBotDetection> = {
  name: botDetectionSchema.name,
  version: botDetectionSchema.version,
  priority: botDetectionSchema.priority,
  prepare,
  access(ctx, conf) {
    const userAgent = ctx.header('user-agent');
    if (userAgent === undefined) return;
    let verdict = conf.verdicts.get(userAgent);
    if (verdict === undefined) {
      verdict = refused(userAgent, conf);
      if (conf.verdicts.size >= VERDICTS) conf.verdicts.clear();
      conf.verdicts.set(userAgent, verdict);
    }
    if (verdict) ctx.exit(FORBIDDEN);
  },
};
