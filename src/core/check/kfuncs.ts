// The XDP metadata kfuncs as the check uses them: the shared table plus the __weak declaration form.
import { XDP_METADATA_KFUNCS, xdpKfunc, type XdpKfunc } from '../bpf/xdp-kfuncs';

export { XDP_METADATA_KFUNCS };
export type KfuncInfo = XdpKfunc;
export const kfuncInfo = xdpKfunc;

/** The `__weak` form of a kfunc declaration, so libbpf tolerates its absence (guard calls with bpf_ksym_exists()). */
export function weakDeclaration(name: string, declaration?: string): string {
  const decl = declaration ?? `extern int ${name}(void) __ksym;`;
  return decl.replace(/__ksym;$/, '__ksym __weak;');
}
