/**
 * The engine's public surface, used by the worker, the CLI and tests.
 * Plain Node: no Electron imports. The implementation lives beside this file.
 */
import type { Recipe, RecipeRequest } from '../../preload/recipe.js';

export interface StepProgress {
  step: number; // 1-based, steps completed
  total: number;
  elapsedMs: number;
  etaMs: number;
}

export interface PreviewImage {
  step: number;
  width: number;
  height: number;
  /** A small PNG of the current estimate, as a data: URL. */
  dataUrl: string;
}

export interface GenerateHooks {
  onProgress?: (progress: StepProgress) => void;
  onPreview?: (preview: PreviewImage) => void;
  /** Aborting cancels within one sampling step; no partial files are left. */
  signal?: AbortSignal;
}

export interface GenerateResult {
  recipe: Recipe;
  videoPath: string; // MP4, H.264 yuv420p, recipe in metadata
  posterPath: string; // PNG of the first frame
  recipePath: string; // JSON sidecar
  frames: number;
  width: number;
  height: number;
  durationSec: number;
}

export interface EngineInfo {
  onnxruntimeVersion: string;
  providers: string[]; // execution providers onnxruntime-node offers here
}

/** Where a clip's files go: `${outDir}/${baseName}.mp4|.png|.json`. */
export interface OutputTarget {
  outDir: string;
  baseName: string;
}

export type Generate = (request: RecipeRequest, target: OutputTarget, hooks?: GenerateHooks) => Promise<GenerateResult>;
