// Code actions that run a client command instead of editing: generate a missing vmlinux.h, set the target BTF.
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Commands, DIAGNOSTIC_SOURCE_CHECK } from '../shared/protocol';
import { TARGET_BTF_SETTING } from './messages';

const VMLINUX_NOT_FOUND = /'vmlinux\.h' file not found/;

export function commandActions(doc: TextDocument, diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const text = [d.message, ...(d.relatedInformation ?? []).map((r) => r.message)].join('\n');
    if (VMLINUX_NOT_FOUND.test(text)) {
      const title = 'Generate vmlinux.h from the target kernel\'s BTF';
      out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, command: { title, command: Commands.generateVmlinuxH, arguments: [{ uri: doc.uri }] } });
    }
    if (d.source === DIAGNOSTIC_SOURCE_CHECK && (d.code === 'core-unresolved' || text.includes(TARGET_BTF_SETTING))) {
      const title = `Check against another kernel's BTF (set ${TARGET_BTF_SETTING})…`;
      out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title, command: Commands.setTargetBtf, arguments: [{ uri: doc.uri }] } });
    }
  }
  return out;
}
