// Typed errors of remote runs: each names the host and says what to do.
import { XdpMetaError } from '../util/errors';
import type { AgentErrorCode } from './protocol';

export type RemoteErrorKind =
  | 'host-key-unknown' | 'host-key-changed' | 'auth-refused' | 'connection-refused' | 'unresolved-host'
  | 'timeout' | 'sudo-password' | 'no-sudo' | 'agent-missing' | 'agent-start' | 'protocol' | 'closed'
  | 'ssh-failed' | 'unsupported-arch' | 'upload-failed' | 'agent-mismatch' | 'host-key-option';

/** Transport or protocol failure talking to the agent on `host`. */
export class RemoteError extends XdpMetaError {
  constructor(readonly kind: RemoteErrorKind, readonly host: string, message: string, options?: { cause?: unknown }) {
    super(`${host}: ${message}`, options);
  }
}

/** The agent answered a request with `ok: false`. `log` is the verifier log of a failed load. */
export class AgentError extends XdpMetaError {
  constructor(
    readonly host: string,
    readonly op: string,
    readonly code: AgentErrorCode,
    message: string,
    readonly log?: string,
    readonly libbpfLog?: string,
    readonly errno?: number,
  ) {
    super(`${host}: ${op}: ${message}`);
  }
}
