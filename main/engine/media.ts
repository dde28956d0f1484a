/**
 * Frames in and out: RGB24 frame buffers <-> MP4 (H.264, yuv420p) through fluent-ffmpeg,
 * poster PNG, recipe sidecar, recipe in MP4 metadata (`comment` tag), and reading frames
 * of an existing clip or image (PNG/JPEG/WebP/...) via ffmpeg rawvideo.
 *
 * ffmpeg binary: `TESSERA_FFMPEG` / `TESSERA_FFPROBE` if set (an app can point them at a
 * binary it ships), else `ffmpeg` / `ffprobe` on PATH (fluent-ffmpeg's own lookup).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { type Fit, type Recipe, recipeSchema } from '../../preload/recipe.js';
import { encodePng } from './png.js';

/** Finds an executable by path or on PATH. */
function findExecutable(nameOrPath: string): string | undefined {
  const isExe = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (nameOrPath.includes('/') || nameOrPath.includes('\\')) return isExe(nameOrPath) ? nameOrPath : undefined;
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const ext of exts) {
      const p = join(dir, nameOrPath + ext);
      if (dir && isExe(p)) return p;
    }
  }
  return undefined;
}

/**
 * Applies TESSERA_FFMPEG / TESSERA_FFPROBE (read at each call, so a host may set them late) and
 * checks the binaries exist first: fluent-ffmpeg crashes the process on a failed spawn.
 */
function applyConfiguredBinaries(): void {
  const bins = [
    ['ffmpeg', process.env.TESSERA_FFMPEG, (p: string) => ffmpeg.setFfmpegPath(p)],
    ['ffprobe', process.env.TESSERA_FFPROBE, (p: string) => ffmpeg.setFfprobePath(p)],
  ] as const;
  for (const [name, configured, set] of bins) {
    const found = findExecutable(configured ?? name);
    if (!found) {
      throw new Error(
        configured
          ? `${name} not found at ${configured} (TESSERA_${name.toUpperCase()})`
          : `${name} not found on PATH; install ffmpeg or set TESSERA_${name.toUpperCase()}`,
      );
    }
    set(found);
  }
}

/** `count` frames of packed RGB24, frame after frame. */
export interface Frames {
  width: number;
  height: number;
  count: number;
  data: Uint8Array;
}

export function frameAt(frames: Frames, index: number): Uint8Array {
  const size = frames.width * frames.height * 3;
  return frames.data.subarray(index * size, (index + 1) * size);
}

export function sliceFrames(frames: Frames, start: number, end: number): Frames {
  const size = frames.width * frames.height * 3;
  return {
    width: frames.width,
    height: frames.height,
    count: end - start,
    data: frames.data.slice(start * size, end * size),
  };
}

/** Encodes frames to an H.264 yuv420p MP4 with the recipe JSON in the `comment` tag. */
export function writeMp4(
  frames: Frames,
  fps: number,
  outPath: string,
  recipe: Recipe | undefined,
  signal?: AbortSignal,
): Promise<void> {
  try {
    applyConfiguredBinaries();
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const input = Readable.from([Buffer.from(frames.data.buffer, frames.data.byteOffset, frames.data.byteLength)]);
    const options = [
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-preset',
      'medium',
      '-crf',
      '16',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
    ];
    if (recipe) options.push('-metadata', `comment=${JSON.stringify(recipe)}`);
    const cmd = ffmpeg()
      .input(input)
      .inputFormat('rawvideo')
      .inputOptions(['-pix_fmt', 'rgb24', '-s', `${frames.width}x${frames.height}`, '-r', String(fps)])
      .outputOptions(options)
      .output(outPath)
      .on('error', (err: Error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(new Error(`ffmpeg: ${firstLine(err.message)}`));
      })
      .on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    const onAbort = (): void => {
      cmd.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    cmd.run();
  });
}

export interface ReadOptions {
  width: number;
  height: number;
  fit?: Fit;
  /** Read at most this many frames from the start. */
  maxFrames?: number;
}

/** Reads a clip or image, fitted to width x height (letterbox or crop), as RGB24 frames. */
export function readFrames(path: string, opts: ReadOptions): Promise<Frames> {
  if (!existsSync(path)) return Promise.reject(new Error(`Source file not found: ${path}`));
  const { width: w, height: h } = opts;
  const filter =
    (opts.fit ?? 'crop') === 'letterbox'
      ? `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1`
      : `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h},setsar=1`;
  try {
    applyConfiguredBinaries();
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // No 'close' event: fluent-ffmpeg fails a run whose output stream closes more than 20 ms before
    // ffmpeg's exit is seen, which a loaded machine misses ("Output stream closed").
    const sink = new PassThrough({ emitClose: false });
    sink.on('data', (c: Buffer) => chunks.push(c));
    // Done when ffmpeg has exited *and* its stdout has been read to the end: either can come first.
    let exited = false;
    let drained = false;
    const settle = (): void => {
      if (!exited || !drained) return;
      const data = new Uint8Array(Buffer.concat(chunks));
      const size = w * h * 3;
      const count = Math.floor(data.length / size);
      if (count === 0) reject(new Error(`Cannot read ${path}: it has no video frames`));
      else resolve({ width: w, height: h, count, data: data.subarray(0, count * size) });
    };
    sink.on('end', () => {
      drained = true;
      settle();
    });
    const outputOptions = ['-vf', filter, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-fps_mode', 'passthrough'];
    if (opts.maxFrames !== undefined) outputOptions.push('-frames:v', String(opts.maxFrames));
    ffmpeg(path)
      .outputOptions(outputOptions)
      .on('error', (err: Error) =>
        reject(new Error(`Cannot read ${path} as video or image: ${firstLine(err.message)}`)),
      )
      .on('end', () => {
        exited = true;
        settle();
      })
      .pipe(sink, { end: true });
  });
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim().length > 0)
      ?.trim() ?? text
  );
}

export interface ProbeInfo {
  codec: string;
  pixFmt: string;
  width: number;
  height: number;
  frames: number;
  fps: number;
  comment?: string;
}

/** ffprobe summary of a file's first video stream and its `comment` tag. */
export function probe(path: string): Promise<ProbeInfo> {
  try {
    applyConfiguredBinaries();
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(path, ['-count_frames'], (err, data) => {
      if (err) {
        reject(new Error(`ffprobe cannot read ${path}: ${firstLine(String((err as Error).message ?? err))}`));
        return;
      }
      const stream = data.streams.find((s) => s.codec_type === 'video');
      if (!stream) {
        reject(new Error(`${path} has no video stream`));
        return;
      }
      const [num, den] = String(stream.r_frame_rate ?? '0/1')
        .split('/')
        .map(Number);
      const tags = (data.format.tags ?? {}) as Record<string, string | number>;
      const comment = tags.comment ?? tags.COMMENT;
      resolve({
        codec: stream.codec_name ?? '',
        pixFmt: stream.pix_fmt ?? '',
        width: stream.width ?? 0,
        height: stream.height ?? 0,
        frames: Number(stream.nb_read_frames ?? stream.nb_frames ?? 0),
        fps: den ? (num ?? 0) / den : 0,
        comment: comment === undefined ? undefined : String(comment),
      });
    });
  });
}

/** Reads the recipe from a JSON sidecar or from an MP4's `comment` metadata. */
export async function readRecipeFromFile(path: string): Promise<Recipe> {
  if (path.toLowerCase().endsWith('.json')) {
    return recipeSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  }
  const info = await probe(path);
  if (!info.comment) throw new Error(`${path} carries no Tessera recipe in its metadata`);
  let json: unknown;
  try {
    json = JSON.parse(info.comment);
  } catch {
    throw new Error(`${path}: its comment tag is not a Tessera recipe`);
  }
  return recipeSchema.parse(json);
}

/** Paths written for one clip, first under temporary names, renamed at the end. */
export interface OutputFiles {
  videoPath: string;
  posterPath: string;
  recipePath: string;
}

/**
 * Writes MP4 + poster PNG + JSON sidecar atomically: temp names first, then renames;
 * on failure or cancel every partial file is deleted.
 */
export async function writeOutputs(
  frames: Frames,
  fps: number,
  recipe: Recipe,
  final: OutputFiles,
  signal?: AbortSignal,
): Promise<void> {
  const tag = `.part-${process.pid}-${Date.now().toString(36)}`;
  const temp: OutputFiles = {
    videoPath: `${final.videoPath}${tag}.mp4`,
    posterPath: `${final.posterPath}${tag}.png`,
    recipePath: `${final.recipePath}${tag}.json`,
  };
  try {
    await writeMp4(frames, fps, temp.videoPath, recipe, signal);
    signal?.throwIfAborted();
    await writeFile(temp.posterPath, encodePng(frameAt(frames, 0), frames.width, frames.height));
    await writeFile(temp.recipePath, `${JSON.stringify(recipe, null, 2)}\n`);
    signal?.throwIfAborted();
    await rename(temp.videoPath, final.videoPath);
    await rename(temp.posterPath, final.posterPath);
    await rename(temp.recipePath, final.recipePath);
  } catch (err) {
    await Promise.all(Object.values(temp).map((p: string) => rm(p, { force: true })));
    if (signal?.aborted) throw signal.reason;
    throw new Error(`Could not write ${final.videoPath}: ${(err as Error).message}`);
  }
}
