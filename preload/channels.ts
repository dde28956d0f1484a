/**
 * Names of the contract's methods and events, with no dependencies, so the preload stays tiny.
 * `contract.ts` checks at compile time that its schemas cover exactly these names.
 */
export const METHOD_NAMES = [
  'getWorkerStatus',
  'submitJob',
  'cancelJob',
  'listJobs',
  'retryJob',
  'removeJob',
  'clearFinishedJobs',
  'generate',
  'getStudioInfo',
  'expandPrompt',
  'getProject',
  'newProject',
  'openProject',
  'saveProject',
  'saveProjectAs',
  'closeProject',
  'listRecentProjects',
  'restoreBackup',
  'importMedia',
  'extractFrame',
  'rerender',
  'setActiveTake',
  'removeClip',
  'addToTimeline',
  'moveInTimeline',
  'removeFromTimeline',
  'undo',
  'redo',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export const EVENT_NAMES = ['onJobEvent', 'onWorkerStatus', 'onProject'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Electron IPC channels (the web host uses one WebSocket instead). */
export const INVOKE_CHANNEL = 'tessera:invoke';
export const EVENT_CHANNEL = 'tessera:event';

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && (METHOD_NAMES as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}
