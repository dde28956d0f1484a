/**
 * The contract over the web host's WebSocket: the same `TesseraApi` as `window.tessera`.
 * Like VS Code's ProxyChannel, it is a proxy: `api.x(...args)` sends `{id, method: 'x', args}`,
 * `api.onX(listener)` subscribes to event `onX`. The renderer imports only types from preload;
 * the host validates every frame against the contract's schemas.
 */
import type { ErrorInfo, TesseraApi, WsServerFrame } from '../../preload/contract.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

function toError(info: ErrorInfo): Error {
  const error = new Error(info.message);
  error.name = info.name;
  return error;
}

export function connectWebSocketApi(url: string): TesseraApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const pending = new Map<number, Pending>();
  const outbox: string[] = [];
  let nextId = 1;
  let socket: WebSocket;

  const open = () => {
    socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      for (const frame of outbox.splice(0)) socket.send(frame);
    });
    socket.addEventListener('message', (message) => {
      const frame = JSON.parse(String(message.data)) as WsServerFrame;
      if (frame.kind === 'event') {
        for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload);
        return;
      }
      if (frame.id === null) {
        if (!frame.ok) console.error('[tessera] host refused a frame:', frame.error.message);
        return;
      }
      const call = pending.get(frame.id);
      pending.delete(frame.id);
      if (frame.ok) call?.resolve(frame.result);
      else call?.reject(toError(frame.error));
    });
    socket.addEventListener('close', () => {
      for (const call of pending.values()) call.reject(new Error('connection to the studio host closed'));
      pending.clear();
      setTimeout(open, 1000);
    });
  };
  open();

  const invoke = (method: string, given: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      // JSON turns a trailing `undefined` (an omitted optional argument) into null; drop it.
      const args = [...given];
      while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const frame = JSON.stringify({ id, method, args });
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      else outbox.push(frame);
    });

  const subscribe = (event: string, listener: (payload: unknown) => void) => {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };

  const proxy = new Proxy(
    {},
    {
      get: (_target, name) => {
        if (typeof name !== 'string') return undefined;
        if (/^on[A-Z]/.test(name)) return (listener: (payload: unknown) => void) => subscribe(name, listener);
        return (...args: unknown[]) => invoke(name, args);
      },
    },
  );
  return proxy as TesseraApi;
}
