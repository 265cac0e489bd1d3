// The one line an error toast shows: the cause (not a dangling "...:"), and no temp folder of ours.
import * as os from 'node:os';

/** Our private temp folders (`xdp-meta-*` under the temp dir): a path inside one means nothing to a user. */
function tempPrefix(tmp: string): RegExp {
  const esc = tmp.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${esc}/xdp-meta-[^/\\s]*/`, 'g');
}

/**
 * The toast text for `msg`: its first line, joined with the next one when the first only announces it
 * ("... does not compile:"), with paths inside our temp folders cut to their base names.
 */
export function toastLine(msg: string, tmp: string = os.tmpdir()): string {
  const lines = msg.split('\n').map((l) => l.trim()).filter(Boolean);
  let line = lines[0] ?? '';
  if (line.endsWith(':') && lines[1]) line = `${line} ${lines[1]}`;
  return line.replace(tempPrefix(tmp), '');
}
