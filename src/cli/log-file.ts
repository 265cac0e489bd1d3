// Writes a verifier log where the user asked (`--log FILE`): never through a symlink planted at that path, mode 0600.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { XdpMetaError } from '../core/util/errors';

/** Writes `text` to `file` (created or truncated); a symlink at `file` is refused (O_NOFOLLOW), not followed. */
export function writeLogFile(file: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link (not followed)' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new XdpMetaError(`${file}: cannot write the verifier log: ${why}`, { cause: e });
  }
  try {
    writeSync(fd, text);
  } catch (e) {
    throw new XdpMetaError(`${file}: cannot write the verifier log: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
}
