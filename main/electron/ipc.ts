/** ipcMain side of the contract: one invoke channel, every call validated by `dispatch`. */
import { type IpcMainInvokeEvent, ipcMain, type WebContents } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../preload/channels.js';
import type { Reply } from '../../preload/contract.js';
import { dispatch } from '../common/dispatch.js';
import type { Studio } from '../node/studio.js';
import { APP_SCHEME } from './protocols.js';

function fromApp(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith(`${APP_SCHEME}://app/`);
}

export function serveContract(studio: Studio, target: () => WebContents | null): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, method: unknown, args: unknown): Promise<Reply> => {
    if (!fromApp(event)) return { ok: false, error: { name: 'ContractError', message: 'sender is not the studio' } };
    return dispatch(studio.backend, method, args);
  });
  const off = studio.onEvent.on(({ event, payload }) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event, payload);
  });
  return () => {
    off();
    ipcMain.removeHandler(INVOKE_CHANNEL);
  };
}
