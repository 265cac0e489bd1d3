// Prerequisite gate for integration tests: in CI a missing prerequisite fails, locally it skips with a reason.
import type { Context } from 'mocha';

export function requirePrereq(ctx: Context, ok: boolean, what: string): void {
  if (ok) return;
  if (process.env.CI === 'true') throw new Error(`prerequisite missing in CI: ${what}`);
  console.log(`      skipped: ${what}`);
  ctx.skip();
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
