/**
 * Turns an untrusted `(method, args)` pair into a validated backend call. Shared by Electron's
 * ipcMain handler and the web host's WebSocket, so both enforce the same contract.
 */
import { isMethodName } from '../../preload/channels.js';
import { methods, type Reply, type TesseraBackend } from '../../preload/contract.js';
import { ContractError, toErrorInfo } from './errors.js';

export async function dispatch(backend: TesseraBackend, method: unknown, args: unknown): Promise<Reply> {
  try {
    if (!isMethodName(method)) throw new ContractError(`unknown method: ${String(method).slice(0, 64)}`);
    const parsed = methods[method].args.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ');
      throw new ContractError(`invalid arguments for ${method}: ${issues}`);
    }
    // The tuple schema of `method` produced exactly the parameters of backend[method].
    const call = backend[method] as (...a: unknown[]) => Promise<unknown>;
    const result = await call.apply(backend, parsed.data as unknown[]);
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error) };
  }
}
