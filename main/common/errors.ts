/** Errors cross process and network boundaries as `{name, message}`. */
import type { ErrorInfo } from '../../preload/contract.js';

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message };
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return { name: typeof name === 'string' ? name : 'Error', message: String(message) };
  }
  return { name: 'Error', message: String(error) };
}

/** A request that broke the contract: unknown method or invalid arguments. */
export class ContractError extends Error {
  override name = 'ContractError';
}

export function namedError(info: ErrorInfo): Error {
  const error = new Error(info.message);
  error.name = info.name;
  return error;
}
