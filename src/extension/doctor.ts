// "Check Toolchain (doctor)": runs `xdp-meta doctor --json` and lists each verdict (clang, bpftool, BTF, bpffs, ...).
import * as vscode from 'vscode';
import { runCli } from './cli';
import type { Ctx } from './ctx';

interface DoctorCheck { id: string; title: string; status: string; detail: string; fix?: string }

const ICON: Record<string, string> = { ok: '$(pass)', warning: '$(warning)', missing: '$(error)' };

export async function runDoctor(ctx: Ctx): Promise<void> {
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'XDP Metadata: checking the toolchain (xdp-meta doctor)' },
    () => runCli(ctx, ['doctor', '--json']),
  );
  let checks: DoctorCheck[];
  try {
    checks = JSON.parse(run.stdout) as DoctorCheck[];
    if (!Array.isArray(checks)) throw new Error('not a list of checks');
  } catch (e) {
    ctx.showError('xdp-meta doctor printed no verdicts', new Error(`${(e as Error).message}: ${run.stderr.trim() || run.stdout.slice(0, 200)}`, { cause: e }));
    return;
  }
  for (const c of checks) ctx.output.info(`doctor: ${c.title}: ${c.status}: ${c.detail}${c.fix ? ` (fix: ${c.fix})` : ''}`);
  const bad = checks.filter((c) => c.status !== 'ok').length;
  await vscode.window.showQuickPick(
    checks.map((c) => ({ label: `${ICON[c.status] ?? '$(question)'} ${c.title}`, description: c.status, detail: c.fix ? `${c.detail} — ${c.fix}` : c.detail })),
    { title: `XDP Metadata: toolchain — ${checks.length - bad} ok${bad ? `, ${bad} to look at` : ''}`, matchOnDetail: true },
  );
}
